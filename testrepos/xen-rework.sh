#!/usr/bin/env bash
# Build a small kernel-shaped repository (x86, arm, arm64) modelled on the kernel's Xen
# Kconfig, with a four-commit rework on top of a base commit:
#
#   1. xen: introduce XEN_FRONTEND
#   2. x86/xen: fold XEN_PVHVM into XEN_FRONTEND   <- XEN_PVH still depends on XEN_PVHVM
#   3. xen: reword the frontend help texts
#   4. x86/xen: let XEN_PVH depend on XEN_FRONTEND  <- repairs it
#
# With --clean, commit 2 updates XEN_PVH itself (the rework done right; nothing breaks).
# Authors, committers and dates are fixed, so commit ids are the same on every machine.
#
# usage: testrepos/xen-rework.sh [--clean] DIR
set -euo pipefail
clean=false
if [ "${1:-}" = "--clean" ]; then clean=true; shift; fi
dir=${1:?usage: $0 [--clean] DIR}
mkdir -p "$dir"
cd "$dir"
git init -q -b master .
export GIT_AUTHOR_NAME="Xen Developer" GIT_AUTHOR_EMAIL="xen-devel@example.org"
export GIT_COMMITTER_NAME="Xen Maintainer" GIT_COMMITTER_EMAIL="maintainer@example.org"
n=0
commit() {
  n=$((n + 1))
  export GIT_AUTHOR_DATE="2026-01-0${n}T12:00:00+0000" GIT_COMMITTER_DATE="2026-01-0${n}T12:00:00+0000"
  git add -A
  git -c core.autocrlf=false commit -q -m "$1"
}

mkdir -p arch/x86/xen arch/x86/configs arch/arm/configs arch/arm64/configs drivers/xen scripts

cat > Makefile <<'EOF'
VERSION = 6
PATCHLEVEL = 12
SUBLEVEL = 0
EXTRAVERSION =
NAME = Baby Opossum Posse
EOF

cat > Kconfig <<'EOF'
mainmenu "Linux/$(ARCH) $(KERNELVERSION) Kernel Configuration"

source "arch/$(SRCARCH)/Kconfig"

menu "General setup"

config MODULES
	bool "Enable loadable module support"
	modules
	default y

config SMP
	bool "Symmetric multi-processing support"
	default y

config ACPI
	bool "ACPI support"
	default y

endmenu

source "drivers/xen/Kconfig"
EOF

printf 'KBUILD_DEFCONFIG := x86_64_defconfig\n' > arch/x86/Makefile
printf 'KBUILD_DEFCONFIG := multi_v7_defconfig\n' > arch/arm/Makefile
printf '# arm64 uses arch/arm64/configs/defconfig\n' > arch/arm64/Makefile

cat > arch/x86/Kconfig <<'EOF'
config X86
	def_bool y

config X86_64
	def_bool y

config X86_LOCAL_APIC
	def_bool y

config PARAVIRT
	bool "Enable paravirtualization code"

config HYPERVISOR_GUEST
	bool "Linux guest support"
	default y

source "arch/x86/xen/Kconfig"
EOF

cat > arch/x86/xen/Kconfig <<'EOF'
config XEN
	bool "Xen guest support"
	depends on PARAVIRT && HYPERVISOR_GUEST
	depends on X86_64 && X86_LOCAL_APIC
	help
	  This is the Linux Xen port.

config XEN_PV
	bool "Xen PV guest support"
	default y
	depends on XEN
	help
	  Support running as a Xen PV guest.

config XEN_PVHVM
	def_bool y
	depends on XEN && X86_LOCAL_APIC

config XEN_PVH
	bool "Xen PVH guest support"
	depends on XEN && XEN_PVHVM && ACPI
	help
	  Support for running as a Xen PVH guest.

config XEN_DOM0
	def_bool y
	depends on XEN_PV && SMP
EOF

cat > arch/arm/Kconfig <<'EOF'
config ARM
	def_bool y

config XEN_DOM0
	def_bool y
	depends on XEN

config XEN
	bool "Xen guest support on ARM"
	depends on !CPU_V6
	select SWIOTLB_XEN

config CPU_V6
	bool "Support ARM V6 processor"
EOF

cat > arch/arm64/Kconfig <<'EOF'
config ARM64
	def_bool y

config XEN_DOM0
	def_bool y
	depends on XEN

config XEN
	bool "Xen guest support on ARM64"
	select SWIOTLB_XEN
EOF

cat > drivers/xen/Kconfig <<'EOF'
menu "Xen driver support"
	depends on XEN

config XEN_BACKEND
	bool "Backend driver support"
	depends on XEN_DOM0
	default y

config XEN_BLKDEV_FRONTEND
	tristate "Xen virtual block device support"
	default y

config XEN_NETDEV_FRONTEND
	tristate "Xen network device frontend driver"
	default y

config SWIOTLB_XEN
	bool
	depends on ARM || ARM64

endmenu
EOF

printf 'CONFIG_PARAVIRT=y\nCONFIG_XEN=y\nCONFIG_XEN_PVH=y\n' > arch/x86/configs/x86_64_defconfig
printf 'CONFIG_XEN=y\n' > arch/arm/configs/multi_v7_defconfig
printf 'CONFIG_XEN=y\n' > arch/arm64/configs/defconfig
printf '#!/bin/sh\necho 0\n' > scripts/version.sh
chmod +x scripts/version.sh
commit "Linux 6.12"

# 1. A new symbol for everything frontend.
cat > drivers/xen/Kconfig <<'EOF'
menu "Xen driver support"
	depends on XEN

config XEN_FRONTEND
	bool "Xen frontend drivers"
	default y

config XEN_BACKEND
	bool "Backend driver support"
	depends on XEN_DOM0
	default y

config XEN_BLKDEV_FRONTEND
	tristate "Xen virtual block device support"
	depends on XEN_FRONTEND
	default y

config XEN_NETDEV_FRONTEND
	tristate "Xen network device frontend driver"
	depends on XEN_FRONTEND
	default y

config SWIOTLB_XEN
	bool
	depends on ARM || ARM64

endmenu
EOF
commit "xen: introduce XEN_FRONTEND"

# 2. Fold XEN_PVHVM into XEN_FRONTEND.
python3 - "$clean" <<'EOF'
import sys
clean = sys.argv[1] == "true"
path = "arch/x86/xen/Kconfig"
text = open(path).read()
text = text.replace("""config XEN_PVHVM
	def_bool y
	depends on XEN && X86_LOCAL_APIC

""", "")
if clean:
    text = text.replace("depends on XEN && XEN_PVHVM && ACPI", "depends on XEN && XEN_FRONTEND && ACPI")
open(path, "w").write(text)
EOF
commit "x86/xen: fold XEN_PVHVM into XEN_FRONTEND"

# 3. Unrelated wording.
sed -i 's/Xen network device frontend driver/Xen network device frontend/' drivers/xen/Kconfig
commit "xen: reword the frontend help texts"

# 4. The repair (a no-op in the clean variant).
if ! $clean; then
  sed -i 's/depends on XEN \&\& XEN_PVHVM \&\& ACPI/depends on XEN \&\& XEN_FRONTEND \&\& ACPI/' arch/x86/xen/Kconfig
  commit "x86/xen: let XEN_PVH depend on XEN_FRONTEND"
else
  sed -i 's/Support for running as a Xen PVH guest./Support for running as a Xen PVH guest (PVH)./' arch/x86/xen/Kconfig
  commit "x86/xen: clarify the XEN_PVH help text"
fi
git tag base master~4
