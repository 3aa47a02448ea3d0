#!/usr/bin/env bash
# Run every test, the real-kernel conformance tests included.
#
# Needs Debian's linux-source-6.1 and linux-source-6.12 packages (the CI versions of
# scripts/kernel-versions.sh; the others are measured where scripts/fetch-kernel-source.sh
# fetched them) and what the kernel's
# scripts/kconfig needs to build (gcc, make, flex, bison, bc). Run as root, this installs
# them; otherwise it says what is missing. Then it builds the kernel's reference outputs
# (scripts/kernel-refs.sh; finished ones are kept) and runs `cargo test --release` with
# `--include-ignored` (the kernel-backed tests are #[ignore]d so that a plain `cargo test`
# without the trees lists them as ignored) and XENLINT_REQUIRE_KERNEL=1, so that a missing
# reference fails instead of skipping. The clients the format tests hand reports to (SARIF
# validators and readers) come from scripts/install-clients.sh, and XENLINT_REQUIRE_CLIENTS=1
# makes their absence a failure too.
set -euo pipefail
cd "$(dirname "$0")/.."

packages="linux-source-6.1 linux-source-6.12 flex bison bc make gcc xz-utils libelf-dev libssl-dev debian-archive-keyring"
missing=""
for p in $packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "missing packages:$missing (sudo apt-get install$missing)" >&2
    exit 2
  fi
fi

# shellcheck source=scripts/kernel-versions.sh
. scripts/kernel-versions.sh
ci_arches="x86 arm64 arm riscv powerpc s390 mips"
v=$ci_kernel_versions
scripts/kernel-refs.sh -v "$v" -a "$ci_arches"
scripts/kernel-refs.sh -v "$v" -a "x86 arm64" -t "$(seq -s' ' -f 'randconfig%g' 1 25)"
scripts/kernel-refs.sh -v "$v" -a x86 -t "x86_64_defconfig+xen.config"
scripts/kernel-refs.sh -v "$v" -a arm64 -t "defconfig+xen.config"
# The other measured versions (scripts/kernel-versions.sh): fetched from Debian's archive
# under a private apt state (scripts/fetch-kernel-source.sh; kept once fetched), then their
# x86 and arm64 references. They are required like 6.1 and 6.12 when they could be
# fetched; when the archive cannot be reached, their tests are ignored and say why.
kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
fetched=""
for extra in $kernel_versions; do
  case " $ci_kernel_versions " in *" $extra "*) continue ;; esac
  if [ ! -f "/usr/src/linux-source-$extra.tar.xz" ] && [ ! -f "$kernels/debs/linux-source-$extra.tar.xz" ]; then
    scripts/fetch-kernel-source.sh "$extra" ||
      echo "warning: linux-source-$extra could not be fetched; its tests are ignored" >&2
  fi
  if [ -f "/usr/src/linux-source-$extra.tar.xz" ] || [ -f "$kernels/debs/linux-source-$extra.tar.xz" ]; then
    scripts/kernel-refs.sh -v "$extra" -a "x86 arm64"
    scripts/kernel-refs.sh -v "$extra" -a "x86 arm64" -t "$(seq -s' ' -f 'randconfig%g' 1 25)"
    fetched="$fetched $extra"
  fi
done
# Required: the CI versions and each other version that could be fetched (a list of
# versions for XENLINT_REQUIRE_KERNEL, tests/common/mod.rs).
require="$ci_kernel_versions$fetched"
# Kbuild's compile commands (make prepare needs libelf-dev and libssl-dev).
kbuild_cases="6.12:x86:x86_64_defconfig 6.1:x86:x86_64_defconfig 6.12:x86:allmodconfig \
  6.1:x86:allmodconfig 6.12:x86:allnoconfig"
# 7.2's when it was fetched (tests/kernel_kbuild.rs's FETCHED_CASES; required then).
case " $fetched " in
  *" 7.2 "*) kbuild_cases="$kbuild_cases 7.2:x86:x86_64_defconfig 7.2:x86:allmodconfig" ;;
esac
# shellcheck disable=SC2086
scripts/kbuild-refs.sh $kbuild_cases

scripts/install-clients.sh

XENLINT_REQUIRE_KERNEL=$require XENLINT_REQUIRE_CLIENTS=1 cargo test --release -- --include-ignored
