#!/usr/bin/env bash
# Build Kbuild's own list of compiled objects, the reference for `xenlint objects`.
#
# For each case VERSION ARCH TARGET [CROSS_COMPILE]:
#   make ARCH=<arch> O=<out> <target>        the configuration
#   make ARCH=<arch> O=<out> V=1 prepare     generated headers, host tools, and on some
#                                            arches objects built early (arm64's vDSO)
#   make -n -k ARCH=<arch> O=<out> vmlinux modules
# and keep every object compiled for the kernel by a `-c -o path.o` command in either as
# objects.txt (sorted). Kernel compiles carry -nostdinc; host programs (fixdep, modpost,
# objtool, relocs) do not, and are left out: they are built for the machine doing the
# build, whatever the configuration.
# Trees come from scripts/kernel-refs.sh's extraction ($XENLINT_KERNELS, default
# /var/tmp/xenlint-kernels); results go to $XENLINT_KERNELS/kbuild/<v>/<arch>/<target>/.
# Finished cases are kept.
#
# usage: scripts/kbuild-refs.sh [CASE]...     CASE is v:arch:target[:cross-prefix]
# Default cases: scripts/kbuild-cases (x86 natively; arm64, arm, riscv, powerpc, s390
# with Debian's cross compilers).
# Needs libelf-dev and libssl-dev, and gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf,
# gcc-riscv64-linux-gnu, gcc-powerpc64le-linux-gnu, gcc-s390x-linux-gnu for the others.
set -euo pipefail

kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(grep -v '^#' "$(dirname "$0")/kbuild-cases")
jobs=$(nproc)

for c in "${cases[@]}"; do
  IFS=: read -r v a t cross <<< "$c"
  tree="$kernels/linux-source-$v"
  out="$kernels/kbuild/$v/$a/$t"
  [ -f "$out/.done" ] && { echo "kept $c" >&2; continue; }
  if [ ! -f "$tree/Makefile" ]; then
    scripts/kernel-refs.sh -v "$v" -a none >/dev/null
  fi
  [ -f "$tree/Makefile" ] || { echo "$tree missing (scripts/kernel-refs.sh extracts it)" >&2; exit 2; }
  if [ -n "$cross" ] && ! command -v "${cross}gcc" >/dev/null; then
    echo "${cross}gcc missing (apt-get install gcc-${cross%-})" >&2; exit 2
  fi
  rm -rf "$out"; mkdir -p "$out"
  mk=(make -s -C "$tree" ARCH="$a" O="$out")
  [ -n "$cross" ] && mk+=(CROSS_COMPILE="$cross")
  echo "building $c" >&2
  "${mk[@]}" "$t" > "$out/config.out" 2>&1 || { echo "FAIL $c: $t (see $out/config.out)" >&2; exit 1; }
  # Without -s: make -s would not echo the commands V=1 asks for.
  "${mk[@]:0:1}" "${mk[@]:2}" -j"$jobs" V=1 prepare > "$out/prepare.out" 2>&1 || { echo "FAIL $c: prepare (see $out/prepare.out)" >&2; exit 1; }
  # -k: keep going past what a dry run cannot do (steps that read files it did not make).
  "${mk[@]}" -n -k vmlinux modules > "$out/make-n.out" 2> "$out/make-n.err" || true
  cat "$out/prepare.out" "$out/make-n.out" | grep -- ' -nostdinc' |
    grep -oE -- ' -c -o [^ ]+\.o( |$)' | awk '{print $3}' | sort -u > "$out/objects.txt"
  rm -f "$out/make-n.out"  # hundreds of MB for allmodconfig; objects.txt is what is kept
  n=$(wc -l < "$out/objects.txt")
  [ "$n" -gt 100 ] || { echo "FAIL $c: only $n objects (see $out/make-n.err)" >&2; exit 1; }
  touch "$out/.done"
  echo "ok   $c: $n objects" >&2
done
