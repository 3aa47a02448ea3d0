#!/usr/bin/env bash
# Small repositories, one per check case, on the tiny x86 tree of xen-rework.sh's base:
#   kconfig-error      a commit breaks Kconfig syntax; a later one fixes it
#   new-shell-command  a commit adds a $(shell,...) command to Kconfig
#   changed-dependency a commit tightens XEN_PV's `depends on`; the next one restores it
#   unmet-dependency   a commit selects a symbol whose dependencies are not met; a later
#                      one fixes the dependency
#   object-lost        a commit gates xen-netfront.o by a new symbol that defaults to n
#   unreadable-tree    a commit drops the top Makefile's VERSION line; a later one restores it
#   no-fix             a commit makes XEN_PV depend on an undefined symbol; a later commit
#                      renames it to one an intermediate commit defines: neither moving the
#                      repair before the culprit nor folding it in removes the break
# and root-cause cases (a first commit sets the scene and becomes `base`):
#   misspelt-dependency  XEN_PV selects XEN_PV_HELPER, which XEN_PV_SMP and an object
#                      depend on; a commit adds a misspelt dependency to XEN_PV, the next
#                      fixes it: one cause (the misspelt line), its consequences grouped
#   choice-default     a "Timer frequency" choice; a commit switches its default from
#                      HZ_250 to HZ_1000, a later one switches it back
#   rename             XEN_DOM0 becomes XEN_INITIAL_DOMAIN (same type, dependencies and
#                      default) and its users move with it; x86_64_defconfig still sets
#                      the old name
#   mark-broken        a commit marks XEN_PV broken for good: what it takes with it (the
#                      symbols that depend on it, the objects they gate) is one finding
#   defconfig-line     a commit drops CONFIG_PARAVIRT=y from x86_64_defconfig, a later one
#                      puts it back: the cause is the defconfig line, not a Kconfig one
#   help-grows         a commit adds a line to XEN's help text (every later line of the file
#                      moves down one) and rewords XEN_PV's prompt, the next tightens
#                      XEN_PV's `depends on`, the third restores it
#   added-then-renamed a commit adds XEN_SCSI_FRONTEND with its Makefile line and code,
#                      the next renames the symbol and leaves the Makefile line behind,
#                      the third moves the line: no symbol of either end breaks, the
#                      line gated by an undefined symbol does (XL0010)
#   split              XEN_BLKDEV_FRONTEND becomes XEN_BLKFRONT (the driver) and
#                      XEN_BLKFRONT_PERSISTENT (a feature of it); the Makefile and the
#                      code move to them
# and near misses, series that come close to each case but break nothing:
#   kconfig-error-near      the same line rewritten with balanced parentheses
#   new-shell-command-near  a new string default from a macro variable, no command
#   unmet-dependency-near   a new select of a symbol whose dependencies hold
#   object-lost-near        the new gate defaults to the old one, so the object stays
#   lost-symbol-near        a symbol removed at one commit and restored by the tip
#   unreadable-tree-near    the top Makefile's EXTRAVERSION changes, VERSION stays
# Each has tag `base` and branch master. Fixed authors and dates.
#
# usage: testrepos/check-cases.sh CASE DIR
set -euo pipefail
case_name=${1:?usage: $0 CASE DIR}
dir=${2:?usage: $0 CASE DIR}
here=$(cd "$(dirname "$0")" && pwd)
"$here/xen-rework.sh" --clean "$dir" >/dev/null
cd "$dir"
# Start from the base commit of the Xen fixture.
git checkout -q -B master base
git tag -d base >/dev/null
git tag base
export GIT_AUTHOR_NAME="Xen Developer" GIT_AUTHOR_EMAIL="xen-devel@example.org"
export GIT_COMMITTER_NAME="Xen Maintainer" GIT_COMMITTER_EMAIL="maintainer@example.org"
n=10
commit() {
  n=$((n + 1))
  export GIT_AUTHOR_DATE="2026-02-${n}T12:00:00+0000" GIT_COMMITTER_DATE="2026-02-${n}T12:00:00+0000"
  git add -A
  git commit -q -m "$1"
}
case $case_name in
  kconfig-error)
    sed -i 's/^\tdepends on XEN_PV \&\& SMP$/\tdepends on XEN_PV \&\& (SMP/' arch/x86/xen/Kconfig
    commit "x86/xen: rework XEN_DOM0 dependencies"
    sed -i 's/Support running as a Xen PV guest./Support running as a paravirtualized Xen guest./' arch/x86/xen/Kconfig
    commit "x86/xen: reword XEN_PV help"
    sed -i 's/^\tdepends on XEN_PV \&\& (SMP$/\tdepends on XEN_PV \&\& SMP/' arch/x86/xen/Kconfig
    commit "x86/xen: fix XEN_DOM0 dependencies"
    ;;
  new-shell-command)
    printf '\nconfig XEN_TOOLS_VERSION\n\tstring\n\tdefault "$(shell,./scripts/version.sh)"\n' >> arch/x86/xen/Kconfig
    commit "x86/xen: record the Xen tools version"
    ;;
  unmet-dependency)
    printf '\nconfig XEN_HELPER\n\tbool\n\tdepends on !X86_64\n' >> arch/x86/xen/Kconfig
    sed -i 's/^\tdepends on PARAVIRT \&\& HYPERVISOR_GUEST$/\tdepends on PARAVIRT \&\& HYPERVISOR_GUEST\n\tselect XEN_HELPER/' arch/x86/xen/Kconfig
    commit "x86/xen: select XEN_HELPER"
    sed -i 's/^\tdepends on !X86_64$/\tdepends on X86_64/' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_HELPER works on 64-bit"
    ;;
  object-lost)
    printf '\nconfig XEN_NETFRONT\n\ttristate "Xen network frontend (new driver)"\n' >> drivers/xen/Kconfig
    sed -i 's/^obj-$(CONFIG_XEN_NETDEV_FRONTEND)\t+= xen-netfront.o$/obj-$(CONFIG_XEN_NETFRONT)\t\t+= xen-netfront.o/' drivers/xen/Makefile
    grep -q XEN_NETFRONT drivers/xen/Makefile
    commit "xen/netfront: gate the driver by XEN_NETFRONT"
    ;;
  changed-dependency)
    sed -i 's/^\tdepends on XEN$/\tdepends on XEN \&\& !SMP/' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV is for UP only"
    sed -i 's/ \&\& !SMP//' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV works on SMP again"
    ;;
  unreadable-tree)
    sed -i 's/^VERSION = /KERNEL_VERSION = /' Makefile
    commit "kbuild: rename VERSION"
    sed -i 's/^KERNEL_VERSION = /VERSION = /' Makefile
    commit "kbuild: restore VERSION"
    ;;
  unreadable-tree-near)
    sed -i 's/^EXTRAVERSION =.*/EXTRAVERSION = -rc1/' Makefile
    grep -q 'EXTRAVERSION = -rc1' Makefile
    commit "kbuild: -rc1"
    ;;
  kconfig-error-near)
    sed -i 's/^\tdepends on XEN_PV \&\& SMP$/\tdepends on XEN_PV \&\& (SMP)/' arch/x86/xen/Kconfig
    grep -q '(SMP)' arch/x86/xen/Kconfig
    commit "x86/xen: rework XEN_DOM0 dependencies"
    ;;
  new-shell-command-near)
    printf '\nconfig XEN_TOOLS_ARCH\n\tstring\n\tdefault "$(SRCARCH)"\n' >> arch/x86/xen/Kconfig
    commit "x86/xen: record the Xen tools arch"
    ;;
  unmet-dependency-near)
    printf '\nconfig XEN_HELPER\n\tbool\n\tdepends on X86_64\n' >> arch/x86/xen/Kconfig
    sed -i 's/^\tdepends on PARAVIRT \&\& HYPERVISOR_GUEST$/\tdepends on PARAVIRT \&\& HYPERVISOR_GUEST\n\tselect XEN_HELPER/' arch/x86/xen/Kconfig
    grep -q 'select XEN_HELPER' arch/x86/xen/Kconfig
    commit "x86/xen: select XEN_HELPER"
    ;;
  object-lost-near)
    printf '\nconfig XEN_NETFRONT\n\ttristate "Xen network frontend (new driver)"\n\tdefault XEN_NETDEV_FRONTEND\n' >> drivers/xen/Kconfig
    sed -i 's/^obj-$(CONFIG_XEN_NETDEV_FRONTEND)\t+= xen-netfront.o$/obj-$(CONFIG_XEN_NETFRONT)\t\t+= xen-netfront.o/' drivers/xen/Makefile
    grep -q XEN_NETFRONT drivers/xen/Makefile
    commit "xen/netfront: gate the driver by XEN_NETFRONT"
    ;;
  lost-symbol-near)
    sed -i 's/^config XEN_DOM0$/config XEN_INITIAL_DOMAIN/' arch/x86/xen/Kconfig
    grep -q XEN_INITIAL_DOMAIN arch/x86/xen/Kconfig
    commit "x86/xen: rename XEN_DOM0"
    git checkout -q HEAD~1 -- arch/x86/xen/Kconfig
    commit "Revert \"x86/xen: rename XEN_DOM0\""
    ;;
  no-fix)
    sed -i '0,/^\tdepends on XEN$/s//\tdepends on XEN \&\& XEN_PV_HELPER/' arch/x86/xen/Kconfig
    grep -q 'XEN_PV_HELPER' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV needs XEN_PV_HELPER"
    printf '\nconfig XEN_PV_SUPPORT\n\tdef_bool y\n' >> drivers/xen/Kconfig
    commit "xen: add XEN_PV_SUPPORT"
    sed -i 's/XEN_PV_HELPER/XEN_PV_SUPPORT/' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV needs XEN_PV_SUPPORT"
    ;;
  misspelt-dependency)
    printf '\nconfig XEN_PV_HELPER\n\tbool\n\nconfig XEN_PV_SMP\n\tdef_bool y\n\tdepends on XEN_PV_HELPER\n' >> arch/x86/xen/Kconfig
    sed -i '0,/^\tdepends on XEN$/s//\tdepends on XEN\n\tselect XEN_PV_HELPER/' arch/x86/xen/Kconfig
    printf 'obj-$(CONFIG_XEN_PV_SMP)\t+= smp_pv.o\n' >> arch/x86/xen/Makefile
    printf 'int xen_pv_smp;\n' > arch/x86/xen/smp_pv.c
    commit "x86/xen: PV SMP support"
    git tag -f base >/dev/null
    sed -i 's/^\tdepends on XEN$/\tdepends on XEN \&\& HYPERVISOR_GEUST/' arch/x86/xen/Kconfig
    grep -q HYPERVISOR_GEUST arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV needs guest support"
    sed -i 's/HYPERVISOR_GEUST/HYPERVISOR_GUEST/' arch/x86/xen/Kconfig
    commit "x86/xen: fix a typo in XEN_PV dependencies"
    ;;
  choice-default)
    cat >> arch/x86/Kconfig <<'KCONFIG'

choice
	prompt "Timer frequency"
	default HZ_250

config HZ_100
	bool "100 HZ"

config HZ_250
	bool "250 HZ"

config HZ_1000
	bool "1000 HZ"

endchoice

config HZ
	int
	default 100 if HZ_100
	default 250 if HZ_250
	default 1000 if HZ_1000
KCONFIG
    commit "x86: timer frequency"
    git tag -f base >/dev/null
    sed -i 's/^\tdefault HZ_250$/\tdefault HZ_1000/' arch/x86/Kconfig
    grep -q 'default HZ_1000' arch/x86/Kconfig
    commit "x86: default to 1000 HZ"
    sed -i 's/Support running as a Xen PV guest./Support running as a paravirtualized Xen guest./' arch/x86/xen/Kconfig
    commit "x86/xen: reword XEN_PV help"
    sed -i 's/^\tdefault HZ_1000$/\tdefault HZ_250/' arch/x86/Kconfig
    commit "x86: back to 250 HZ by default"
    ;;
  rename)
    echo 'CONFIG_XEN_DOM0=y' >> arch/x86/configs/x86_64_defconfig
    commit "x86: x86_64_defconfig: Xen dom0"
    git tag -f base >/dev/null
    sed -i 's/^config XEN_DOM0$/config XEN_INITIAL_DOMAIN/' arch/x86/xen/Kconfig arch/arm/Kconfig arch/arm64/Kconfig
    sed -i 's/^\tdepends on XEN_DOM0$/\tdepends on XEN_INITIAL_DOMAIN/' drivers/xen/Kconfig
    grep -q XEN_INITIAL_DOMAIN drivers/xen/Kconfig
    commit "x86/xen: rename XEN_DOM0 to XEN_INITIAL_DOMAIN"
    ;;
  mark-broken)
    sed -i '0,/^\tdepends on XEN$/s//\tdepends on XEN \&\& BROKEN/' arch/x86/xen/Kconfig
    printf '\nconfig BROKEN\n\tbool\n' >> arch/x86/Kconfig
    grep -q 'XEN && BROKEN' arch/x86/xen/Kconfig
    commit "x86/xen: mark XEN_PV as broken"
    ;;
  defconfig-line)
    sed -i '/^CONFIG_PARAVIRT=y$/d' arch/x86/configs/x86_64_defconfig
    commit "x86: x86_64_defconfig: refresh"
    echo 'CONFIG_PARAVIRT=y' >> arch/x86/configs/x86_64_defconfig
    commit "x86: x86_64_defconfig: keep PARAVIRT for Xen"
    ;;
  split)
    printf '#if IS_ENABLED(CONFIG_XEN_BLKDEV_FRONTEND)\nint blkfront_persistent;\n#endif\n' > drivers/xen/xen-blkfront.c
    commit "xen/blkfront: persistent grants"
    git tag -f base >/dev/null
    sed -i 's/^config XEN_BLKDEV_FRONTEND$/config XEN_BLKFRONT/' drivers/xen/Kconfig
    sed -i 's/^config XEN_NETDEV_FRONTEND$/config XEN_BLKFRONT_PERSISTENT\n\tbool "Persistent grants for the Xen block frontend"\n\tdepends on XEN_BLKFRONT\n\tdefault y\n\nconfig XEN_NETDEV_FRONTEND/' drivers/xen/Kconfig
    sed -i 's/CONFIG_XEN_BLKDEV_FRONTEND)\t+= xen-blkfront.o/CONFIG_XEN_BLKFRONT)\t\t+= xen-blkfront.o/' drivers/xen/Makefile
    sed -i 's/CONFIG_XEN_BLKDEV_FRONTEND/CONFIG_XEN_BLKFRONT_PERSISTENT/' drivers/xen/xen-blkfront.c
    grep -q XEN_BLKFRONT_PERSISTENT drivers/xen/Kconfig
    grep -q CONFIG_XEN_BLKFRONT drivers/xen/Makefile
    commit "xen/blkfront: split XEN_BLKDEV_FRONTEND"
    ;;
  help-grows)
    sed -i 's/^\t  This is the Linux Xen port.$/\t  This is the Linux Xen port.\n\t  It runs as a PV, PVH or PVHVM guest./' arch/x86/xen/Kconfig
    grep -q 'PVHVM guest' arch/x86/xen/Kconfig
    sed -i 's/^\tbool "Xen PV guest support"$/\tbool "Xen paravirtualized guest support"/' arch/x86/xen/Kconfig
    grep -q 'Xen paravirtualized guest support' arch/x86/xen/Kconfig
    commit "x86/xen: say which guests XEN covers"
    sed -i 's/^\tdepends on XEN$/\tdepends on XEN \&\& !SMP/' arch/x86/xen/Kconfig
    grep -q '!SMP' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV is for UP only"
    sed -i 's/ \&\& !SMP//' arch/x86/xen/Kconfig
    commit "x86/xen: XEN_PV works on SMP again"
    ;;
  added-then-renamed)
    printf '\nconfig XEN_SCSI_FRONTEND\n\ttristate "Xen SCSI frontend driver"\n\tdefault y\n' >> drivers/xen/Kconfig
    printf 'obj-$(CONFIG_XEN_SCSI_FRONTEND)\t+= xen-scsifront.o\n' >> drivers/xen/Makefile
    echo 'int scsifront;' > drivers/xen/xen-scsifront.c
    commit "xen: add a SCSI frontend"
    sed -i 's/^config XEN_SCSI_FRONTEND$/config XEN_SCSIFRONT/' drivers/xen/Kconfig
    grep -q '^config XEN_SCSIFRONT$' drivers/xen/Kconfig
    commit "xen: rename XEN_SCSI_FRONTEND to XEN_SCSIFRONT"
    sed -i 's/CONFIG_XEN_SCSI_FRONTEND)/CONFIG_XEN_SCSIFRONT)/' drivers/xen/Makefile
    grep -q CONFIG_XEN_SCSIFRONT drivers/xen/Makefile
    commit "xen: build the SCSI frontend under its new name"
    ;;
  *)
    echo "unknown case $case_name" >&2
    exit 2
    ;;
esac
