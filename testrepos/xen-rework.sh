#!/usr/bin/env bash
# Build a small kernel-shaped repository (x86, arm, arm64) modelled on the kernel's Xen
# Kconfig and Kbuild, with a six-commit rework on top of a base commit:
#
#   1. xen: introduce XEN_FRONTEND
#   2. x86/xen: build the Xen objects by role       <- arch/x86/Kbuild gates objects by
#                                                      XEN_BUILD_HYPERVISOR, not defined yet
#   3. x86/xen: fold XEN_PVHVM into XEN_FRONTEND   <- XEN_PVH still depends on XEN_PVHVM
#   4. xen: reword the frontend help texts
#   5. x86/xen: let XEN_PVH depend on XEN_FRONTEND  <- repairs XEN_PVH
#   6. x86/xen: add XEN_BUILD_HYPERVISOR            <- repairs the objects of commit 2
#
# drivers/xen/platform-pci.c uses CONFIG_XEN_PVHVM and is left alone by the broken rework.
# With --clean, the rework is done right (nothing breaks): commit 2 defines
# XEN_BUILD_HYPERVISOR itself, commit 3 updates XEN_PVH and every CONFIG_XEN_PVHVM user.
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

cat > Kbuild <<'EOF'
obj-y			+= arch/$(SRCARCH)/
obj-y			+= drivers/
EOF
printf 'obj-$(CONFIG_XEN) += xen/\n' > drivers/Makefile
cat > drivers/xen/Makefile <<'EOF'
obj-y					+= grant-table.o features.o
obj-$(CONFIG_XEN_BACKEND)		+= xen-backend.o
obj-$(CONFIG_XEN_BLKDEV_FRONTEND)	+= xen-blkfront.o
obj-$(CONFIG_XEN_NETDEV_FRONTEND)	+= xen-netfront.o
EOF
printf 'obj-$(CONFIG_XEN) += xen/\n' > arch/x86/Kbuild
cat > arch/x86/xen/Makefile <<'EOF'
obj-y				+= enlighten.o mmu.o
obj-$(CONFIG_XEN_PV)		+= enlighten_pv.o
obj-$(CONFIG_XEN_PVHVM)		+= enlighten_hvm.o suspend_hvm.o
obj-$(CONFIG_XEN_PVH)		+= enlighten_pvh.o
EOF
cat > arch/x86/xen/enlighten.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <xen/xen.h>

void __init xen_init(void)
{
#ifdef CONFIG_XEN_PVHVM
	xen_hvm_init();
#endif
}
EOF
cat > drivers/xen/platform-pci.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/pci.h>

static int platform_pci_probe(struct pci_dev *pdev)
{
	if (!IS_ENABLED(CONFIG_XEN_PVHVM))
		return -ENODEV;
	return xen_platform_init(pdev);
}
EOF
mkdir -p arch/arm/xen arch/arm64/xen
printf 'obj-$(CONFIG_XEN) += xen/\n' > arch/arm/Kbuild
printf 'obj-y += enlighten.o\n' > arch/arm/xen/Makefile
printf 'obj-$(CONFIG_XEN) += xen/\n' > arch/arm64/Kbuild
printf 'obj-y += hypercall.o\n' > arch/arm64/xen/Makefile
# A source for every object the Makefiles name: Kbuild compiles only what has one.
for src in arch/x86/xen/mmu.c arch/x86/xen/enlighten_pv.c arch/x86/xen/enlighten_hvm.c \
  arch/x86/xen/suspend_hvm.c arch/x86/xen/enlighten_pvh.c arch/arm/xen/enlighten.c \
  arch/arm64/xen/hypercall.S drivers/xen/grant-table.c drivers/xen/features.c \
  drivers/xen/xen-backend.c drivers/xen/xen-blkfront.c drivers/xen/xen-netfront.c; do
  printf '// SPDX-License-Identifier: GPL-2.0\n' > "$src"
done

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

# 2. Gate the x86 Xen objects by role, from arch/x86/Kbuild.
rm arch/x86/xen/Makefile
cat > arch/x86/Kbuild <<'EOF'
obj-$(CONFIG_XEN_BUILD_HYPERVISOR)	+= xen/enlighten.o xen/mmu.o
obj-$(CONFIG_XEN_PV)			+= xen/enlighten_pv.o
obj-$(CONFIG_XEN_PVHVM)			+= xen/enlighten_hvm.o xen/suspend_hvm.o
obj-$(CONFIG_XEN_PVH)			+= xen/enlighten_pvh.o
EOF
cat > arch/x86/xen/enlighten.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <xen/xen.h>

void __init xen_init(void)
{
	if (IS_ENABLED(CONFIG_XEN_BUILD_HYPERVISOR))
		xen_hypervisor_init();
#ifdef CONFIG_XEN_PVHVM
	xen_hvm_init();
#endif
}
EOF
if $clean; then
  printf '\nconfig XEN_BUILD_HYPERVISOR\n\tdef_bool y\n\tdepends on XEN\n' >> arch/x86/xen/Kconfig
fi
commit "x86/xen: build the Xen objects by role"

# 3. Fold XEN_PVHVM into XEN_FRONTEND.
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
    for user in ["arch/x86/xen/enlighten.c", "drivers/xen/platform-pci.c"]:
        c = open(user).read()
        open(user, "w").write(c.replace("CONFIG_XEN_PVHVM", "CONFIG_XEN_FRONTEND"))
open(path, "w").write(text)
kbuild = open("arch/x86/Kbuild").read()
open("arch/x86/Kbuild", "w").write(kbuild.replace("obj-$(CONFIG_XEN_PVHVM)\t\t", "obj-$(CONFIG_XEN_FRONTEND)\t"))
EOF
commit "x86/xen: fold XEN_PVHVM into XEN_FRONTEND"

# 4. Unrelated wording.
sed -i 's/Xen network device frontend driver/Xen network device frontend/' drivers/xen/Kconfig
commit "xen: reword the frontend help texts"

# 5. The repair of XEN_PVH (a help text change in the clean variant).
if ! $clean; then
  sed -i 's/depends on XEN \&\& XEN_PVHVM \&\& ACPI/depends on XEN \&\& XEN_FRONTEND \&\& ACPI/' arch/x86/xen/Kconfig
  commit "x86/xen: let XEN_PVH depend on XEN_FRONTEND"
else
  sed -i 's/Support for running as a Xen PVH guest./Support for running as a Xen PVH guest (PVH)./' arch/x86/xen/Kconfig
  commit "x86/xen: clarify the XEN_PVH help text"
fi

# 6. The repair of the objects gated in commit 2 (a comment in the clean variant).
if ! $clean; then
  printf '\nconfig XEN_BUILD_HYPERVISOR\n\tdef_bool y\n\tdepends on XEN\n' >> arch/x86/xen/Kconfig
  commit "x86/xen: add XEN_BUILD_HYPERVISOR"
else
  sed -i '1i # Xen objects, by role' arch/x86/Kbuild
  commit "x86/xen: describe the Xen objects in arch/x86/Kbuild"
fi
git tag base master~6
