#!/usr/bin/env bash
# Build a repository from Debian's linux-source-6.12 tree, or another (7.2 works too), with
# the files Kconfig, Kbuild and configuration need (Kconfig*, Makefile*, Kbuild*, configs
# and scripts) and put a 21-commit Xen rework on it, modelled on the XEN_FRONTEND proposal:
#
#   1      xen: introduce XEN_FRONTEND
#   2-8    <driver>: make the Xen frontends depend on XEN_FRONTEND
#   9      x86/xen: fold XEN_PVHVM into XEN_FRONTEND   <- XEN_PVH still depends on XEN_PVHVM
#   10-19  help text rewording in the Xen Kconfig files
#   20     x86/xen: let XEN_PVH depend on XEN_FRONTEND  <- the repair
#   21     xen: reword the XEN_FRONTEND help
#
# With --clean, commit 9 also moves XEN_PVH over: nothing breaks. Fixed authors and dates.
#
# usage: testrepos/linux-xen-series.sh [--clean] DIR [KERNEL_TREE]
#   KERNEL_TREE defaults to $XENLINT_KERNELS/linux-source-6.12 (scripts/kernel-refs.sh).
set -euo pipefail
clean=false
if [ "${1:-}" = "--clean" ]; then clean=true; shift; fi
dir=${1:?usage: $0 [--clean] DIR [KERNEL_TREE]}
tree=${2:-${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}/linux-source-6.12}
[ -f "$tree/Makefile" ] || { echo "$tree: no kernel tree (run scripts/kernel-refs.sh)" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
(cd "$tree" && find . \( -name .git -prune \) -o -type f \( -name 'Kconfig*' -o -name 'Makefile*' -o -name 'Kbuild*' -o -path '*/configs/*' -o -path './scripts/*' \) -print0 \
  | tar --null -T - -cf -) | tar -xf - -C "$dir"
# Every source file as an empty file of the same name: Kbuild compiles only objects that
# have a source, and the empty blob is stored once.
python3 - "$tree" "$dir" <<'EOF'
import os, sys
tree, out = sys.argv[1], sys.argv[2]
for root, dirs, files in os.walk(tree):
    dirs[:] = [d for d in dirs if d != ".git"]
    rel = os.path.relpath(root, tree)
    for name in files:
        if name.endswith((".c", ".S", ".rs", "_shipped")):
            target = os.path.join(out, rel, name)
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "w").close()
EOF
cd "$dir"
git init -q -b master .
export GIT_AUTHOR_NAME="Xen Developer" GIT_AUTHOR_EMAIL="xen-devel@example.org"
export GIT_COMMITTER_NAME="Xen Maintainer" GIT_COMMITTER_EMAIL="maintainer@example.org"
n=0
commit() {
  n=$((n + 1))
  export GIT_AUTHOR_DATE="@$((1767268800 + n * 3600)) +0000" GIT_COMMITTER_DATE="@$((1767268800 + n * 3600)) +0000"
  git add -A
  git -c core.autocrlf=false commit -q -m "$1"
}
# edit FILE OLD NEW: replace one exact occurrence, or fail.
edit() {
  python3 - "$@" <<'EOF'
import sys
path, old, new = sys.argv[1], sys.argv[2].encode().decode("unicode_escape"), sys.argv[3].encode().decode("unicode_escape")
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"{path}: expected exactly one {old!r}, found {text.count(old)}")
open(path, "w").write(text.replace(old, new))
EOF
}
commit "Linux $(sed -n 's/^VERSION = //p' Makefile).$(sed -n 's/^PATCHLEVEL = //p' Makefile)"

edit drivers/xen/Kconfig 'menu "Xen driver support"\n\tdepends on XEN\n' 'menu "Xen driver support"\n\tdepends on XEN\n\nconfig XEN_FRONTEND\n\tbool "Xen frontend drivers"\n\tdefault y\n\thelp\n\t  Support for the frontend halves of the Xen split drivers.\n'
commit "xen: introduce XEN_FRONTEND"

edit drivers/block/Kconfig 'config XEN_BLKDEV_FRONTEND\n\ttristate "Xen virtual block device support"\n\tdepends on XEN' 'config XEN_BLKDEV_FRONTEND\n\ttristate "Xen virtual block device support"\n\tdepends on XEN_FRONTEND'
commit "xen-blkfront: depend on XEN_FRONTEND"
edit drivers/net/Kconfig 'config XEN_NETDEV_FRONTEND\n\ttristate "Xen network device frontend driver"\n\tdepends on XEN' 'config XEN_NETDEV_FRONTEND\n\ttristate "Xen network device frontend driver"\n\tdepends on XEN_FRONTEND'
commit "xen-netfront: depend on XEN_FRONTEND"
python3 - <<'EOF'
import re
for path, sym, old, new in [
    ("drivers/input/misc/Kconfig", "INPUT_XEN_KBDDEV_FRONTEND", "depends on XEN\n", "depends on XEN_FRONTEND\n"),
    ("drivers/video/fbdev/Kconfig", "XEN_FBDEV_FRONTEND", "depends on FB && XEN\n", "depends on FB && XEN_FRONTEND\n"),
    ("drivers/scsi/Kconfig", "XEN_SCSI_FRONTEND", "depends on SCSI && XEN\n", "depends on SCSI && XEN_FRONTEND\n"),
    ("sound/xen/Kconfig", "SND_XEN_FRONTEND", "depends on XEN\n", "depends on XEN_FRONTEND\n"),
    ("drivers/gpu/drm/xen/Kconfig", "DRM_XEN_FRONTEND", "depends on XEN && DRM\n", "depends on XEN_FRONTEND && DRM\n"),
]:
    text = open(path).read()
    start = text.index(f"config {sym}\n")
    at = text.index(old, start)
    text = text[:at] + new + text[at + len(old):]
    open(path, "w").write(text)
EOF
git add -A; git stash -q
for spec in "drivers/input/misc/Kconfig:xen-kbdfront" "drivers/video/fbdev/Kconfig:xen-fbfront" "drivers/scsi/Kconfig:xen-scsifront" "sound/xen/Kconfig:sound/xen" "drivers/gpu/drm/xen/Kconfig:drm/xen-front"; do
  file=${spec%%:*}; what=${spec#*:}
  git checkout -q stash@{0} -- "$file"
  commit "$what: depend on XEN_FRONTEND"
done
git stash drop -q

# The fold: XEN_PVHVM goes, its users (Kconfig and arch/x86/xen/Makefile) move to
# XEN_FRONTEND; XEN_PVH is forgotten.
edit arch/x86/xen/Kconfig 'config XEN_PVHVM\n\tdef_bool y\n\tdepends on XEN && X86_LOCAL_APIC\n\n' ''
edit arch/x86/xen/Kconfig 'depends on XEN_PVHVM && SMP' 'depends on XEN_FRONTEND && X86_LOCAL_APIC && SMP'
edit arch/x86/xen/Kconfig 'depends on XEN_PVHVM && PCI' 'depends on XEN_FRONTEND && X86_LOCAL_APIC && PCI'
edit drivers/xen/Kconfig 'depends on ARM || ARM64 || XEN_PVHVM' 'depends on ARM || ARM64 || (XEN_FRONTEND && X86_LOCAL_APIC)'
for object in enlighten_hvm mmu_hvm suspend_hvm platform-pci-unplug; do
  edit arch/x86/xen/Makefile "obj-\$(CONFIG_XEN_PVHVM)\t\t+= $object.o" "obj-\$(CONFIG_XEN_FRONTEND)\t+= $object.o"
done
if $clean; then
  edit arch/x86/xen/Kconfig 'depends on XEN && XEN_PVHVM && ACPI' 'depends on XEN && XEN_FRONTEND && X86_LOCAL_APIC && ACPI'
fi
commit "x86/xen: fold XEN_PVHVM into XEN_FRONTEND"

for i in $(seq 1 10); do
  case $i in
    1) edit arch/x86/xen/Kconfig 'This is the Linux Xen port.' 'This is the Linux port to the Xen hypervisor.' ;;
    2) edit arch/x86/xen/Kconfig 'Support running as a Xen PV guest.' 'Support running as a paravirtualized Xen guest.' ;;
    3) edit arch/x86/xen/Kconfig 'Limit paravirtualized user domains to 512GB of RAM.' 'Limit paravirtualized domains to 512GB of RAM.' ;;
    4) edit drivers/xen/Kconfig 'The balloon driver allows the Xen domain to request more memory from' 'The balloon driver lets a Xen domain request more memory from' ;;
    5) edit arch/x86/xen/Kconfig 'Support running as a Xen PVHVM guest.' 'Support running as a Xen PVHVM (HVM with PV drivers) guest.' ;;
    6) edit drivers/block/Kconfig 'config XEN_BLKDEV_FRONTEND\n\ttristate "Xen virtual block device support"' 'config XEN_BLKDEV_FRONTEND\n\ttristate "Xen virtual block device frontend"' ;;
    7) edit drivers/net/Kconfig 'tristate "Xen network device frontend driver"' 'tristate "Xen network device frontend"' ;;
    8) # XEN_DEBUG_FS is gone in 7.x: reword XEN_512GB's help there instead.
      if grep -q 'Enable statistics output and various tuning options in debugfs.' arch/x86/xen/Kconfig; then
        edit arch/x86/xen/Kconfig 'Enable statistics output and various tuning options in debugfs.' 'Enable statistics and tuning options in debugfs.'
      else
        edit arch/x86/xen/Kconfig 'The Xen tools and crash dump analysis tools' 'The Xen toolstack and crash dump analysis tools'
      fi ;;
    9) edit drivers/xen/Kconfig 'Support for auto-translated physmap guests.' 'Support for guests with an auto-translated physmap.' ;;
    10) edit arch/x86/xen/Kconfig 'Support for running as a Xen PVH guest.' 'Support for running as a Xen PVH guest (no emulated devices).' ;;
  esac
  commit "xen: reword help text ($i/10)"
done

if ! $clean; then
  edit arch/x86/xen/Kconfig 'depends on XEN && XEN_PVHVM && ACPI' 'depends on XEN && XEN_FRONTEND && X86_LOCAL_APIC && ACPI'
  commit "x86/xen: let XEN_PVH depend on XEN_FRONTEND"
else
  edit drivers/xen/Kconfig '\t  Support for the frontend halves of the Xen split drivers.\n' '\t  Support for the frontend halves of the Xen split drivers\n\t  (block, network, console, input, framebuffer, sound).\n'
  commit "xen: list the frontends in the XEN_FRONTEND help"
fi
edit drivers/xen/Kconfig 'bool "Xen frontend drivers"' 'bool "Xen frontend (guest side) drivers"'
commit "xen: reword the XEN_FRONTEND prompt"
git tag base master~21
