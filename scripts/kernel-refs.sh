#!/usr/bin/env bash
# Build the kernel's own reference outputs that xenlint's conformance tests compare with.
#
# For each Debian linux-source tree (extracted from /usr/src/linux-source-<v>.tar.xz, or
# from $XENLINT_KERNELS/debs/linux-source-<v>.tar.xz where scripts/fetch-kernel-source.sh
# puts the versions apt does not carry here, into $XENLINT_KERNELS, default
# /var/tmp/xenlint-kernels), each arch and each target, run
#   make -C <tree> ARCH=<arch> O=$XENLINT_KERNELS/refs/<v>/<arch>/<target> <target>
# and keep its .config, include/config/auto.conf.cmd and output. Finished runs are kept.
#
# usage: scripts/kernel-refs.sh [-v "6.1 6.12"] [-a "x86 arm64"] [-t "defconfig allnoconfig"] [-j N]
# Defaults: the versions of scripts/kernel-versions.sh, every arch of each tree, defconfig allnoconfig allyesconfig
# allmodconfig, 2 jobs.
#
# Besides make's targets, a target may be
#   A+B          make A B (a defconfig and fragments: x86_64_defconfig+xen.config)
#   randconfigN  KCONFIG_SEED=N make randconfig, kept as randconfig.input, then
#                make olddefconfig on it: the reference for olddefconfig of that input
set -euo pipefail

kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
# shellcheck source=scripts/kernel-versions.sh
. "$(dirname "$0")/kernel-versions.sh"
versions=$kernel_versions
arches=""
targets="defconfig allnoconfig allyesconfig allmodconfig"
jobs=2
while getopts "v:a:t:j:" opt; do
  case $opt in
    v) versions=$OPTARG ;;
    a) arches=$OPTARG ;;
    t) targets=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: $0 [-v versions] [-a arches] [-t targets] [-j jobs]" >&2; exit 2 ;;
  esac
done

mkdir -p "$kernels"
for v in $versions; do
  tree="$kernels/linux-source-$v"
  if [ ! -f "$tree/Makefile" ]; then
    tarball="/usr/src/linux-source-$v.tar.xz"
    [ -f "$tarball" ] || tarball="$kernels/debs/linux-source-$v.tar.xz"
    if [ ! -f "$tarball" ]; then
      echo "linux-source-$v.tar.xz is neither in /usr/src nor in $kernels/debs:" \
        "apt-get install linux-source-$v, or scripts/fetch-kernel-source.sh $v" >&2
      exit 2
    fi
    echo "extracting $tarball" >&2
    tar xf "$tarball" -C "$kernels"
  fi
done

list=$(mktemp)
trap 'rm -f "$list"' EXIT
for v in $versions; do
  tree="$kernels/linux-source-$v"
  want=$arches
  if [ -z "$want" ]; then
    want=$(cd "$tree/arch" && for d in */; do [ -f "$d/Kconfig" ] && echo "${d%/}"; done)
  fi
  for a in $want; do
    [ -f "$tree/arch/$a/Kconfig" ] || continue
    for t in $targets; do
      out="$kernels/refs/$v/$a/$t"
      [ -f "$out/.done" ] || echo "$v $a $t" >> "$list"
    done
  done
done

run_one() {
  local v=$1 a=$2 t=$3
  local tree="$kernels/linux-source-$v" out="$kernels/refs/$v/$a/$t"
  rm -rf "$out"; mkdir -p "$out"
  local ok=true
  case $t in
    randconfig*)
      local seed=${t#randconfig}
      KCONFIG_SEED=$seed make -s -C "$tree" ARCH="$a" O="$out" randconfig > "$out/randconfig.out" 2> "$out/randconfig.err" || ok=false
      cp "$out/.config" "$out/randconfig.input" 2>/dev/null || ok=false
      $ok && { make -s -C "$tree" ARCH="$a" O="$out" olddefconfig > "$out/make.out" 2> "$out/make.err" || ok=false; }
      ;;
    *)
      # shellcheck disable=SC2046
      make -s -C "$tree" ARCH="$a" O="$out" $(echo "$t" | tr '+' ' ') > "$out/make.out" 2> "$out/make.err" || ok=false
      ;;
  esac
  if $ok; then
    touch "$out/.done"
    echo "ok   $v $a $t" >&2
  else
    echo "FAIL $v $a $t (see $out/make.err)" >&2
  fi
}
export -f run_one
export kernels
n=$(wc -l < "$list")
echo "$n reference runs to make" >&2
[ "$n" -eq 0 ] || xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ < "$list"
