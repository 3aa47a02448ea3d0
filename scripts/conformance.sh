#!/usr/bin/env bash
# Compare xenlint's .config and messages (conf's standard error) with the kernel's for
# every tree, arch and target that scripts/kernel-refs.sh produced; print `N/M identical`.
#
# usage: scripts/conformance.sh [-v "6.1 6.12"] [-a "x86 arm64"] [-t "defconfig allnoconfig"]
# Versions default to scripts/kernel-versions.sh's.
# Targets as in kernel-refs.sh: make targets, A+B (a defconfig then fragments), and
# randconfigN (olddefconfig of the kernel's randconfig output for seed N).
# Run scripts/kernel-refs.sh with the same options first. Differences are kept under
# $XENLINT_KERNELS/conformance/<v>/<arch>/<target>.diff. XENLINT_BIN names a binary to
# measure instead of building this checkout's.
set -euo pipefail
kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
# shellcheck source=scripts/kernel-versions.sh
. "$(dirname "$0")/kernel-versions.sh"
versions=$kernel_versions; arches=""; targets="defconfig allnoconfig allyesconfig allmodconfig"
while getopts "v:a:t:" opt; do
  case $opt in
    v) versions=$OPTARG ;; a) arches=$OPTARG ;; t) targets=$OPTARG ;;
    *) echo "usage: $0 [-v versions] [-a arches] [-t targets]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
if [ -n "${XENLINT_BIN:-}" ]; then
  bin=$XENLINT_BIN
else
  cargo build --release --quiet
  bin=$PWD/target/release/xenlint
fi
total=0; same=0
for v in $versions; do
  tree="$kernels/linux-source-$v"
  want=$arches
  [ -n "$want" ] || want=$(cd "$tree/arch" && for d in */; do [ -f "$d/Kconfig" ] && echo "${d%/}"; done)
  for a in $want; do
    for t in $targets; do
      ref="$kernels/refs/$v/$a/$t"
      [ -f "$ref/.done" ] || { echo "missing reference $ref (run scripts/kernel-refs.sh)" >&2; exit 2; }
      out="$kernels/conformance/$v/$a"; mkdir -p "$out"
      total=$((total + 1))
      case $t in
        randconfig*) args=(olddefconfig --input "$ref/randconfig.input") ;;
        *) read -r -a args <<< "$(echo "$t" | tr '+' ' ')" ;;
      esac
      # The kernel's stderr, less what the arch Makefiles' compiler probes print.
      grep -v '^gcc: ' "$ref/make.err" > "$out/$t.kernel-err" || true
      if "$bin" config "${args[@]}" --arch "$a" --srctree "$tree" -o "$out/$t.config" > /dev/null 2> "$out/$t.err" \
         && cmp -s "$out/$t.config" "$ref/.config"; then
        if cmp -s "$out/$t.err" "$out/$t.kernel-err"; then
          same=$((same + 1)); rm -f "$out/$t.diff"
        else
          diff "$out/$t.kernel-err" "$out/$t.err" > "$out/$t.diff" 2>&1 || true
          echo "MESSAGES DIFFER $v $a $t ($out/$t.diff)"
        fi
      else
        diff "$ref/.config" "$out/$t.config" > "$out/$t.diff" 2>&1 || true
        echo "DIFFERS $v $a $t: $(grep -c '^[<>]' "$out/$t.diff" || true) lines ($out/$t.diff)"
      fi
    done
  done
done
echo "$same/$total identical (.config and conf's messages)"
