#!/usr/bin/env bash
# Compare `xenlint objects` with Kbuild's own compile commands (scripts/kbuild-refs.sh) and
# report every difference. Exit 1 when a case differs.
#
# usage: scripts/kbuild-conformance.sh [CASE]...   CASE is v:arch:target[:cross-prefix]
set -euo pipefail
cd "$(dirname "$0")/.."
kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(grep -v '^#' scripts/kbuild-cases)
scripts/kbuild-refs.sh "${cases[@]}"
cargo build --release -q
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
  IFS=: read -r v a t cross <<< "$c"
  ref="$kernels/kbuild/$v/$a/$t"
  target/release/xenlint objects --config "$ref/.config" --arch "$a" --srctree "$kernels/linux-source-$v" \
    ${cross:+--make-var CROSS_COMPILE=$cross} > "$tmp/ours.txt" 2> "$tmp/ours.err"
  awk '{print $2}' "$tmp/ours.txt" | sort > "$tmp/ours.list"
  missing=$(comm -23 "$ref/objects.txt" "$tmp/ours.list")
  extra=$(comm -13 "$ref/objects.txt" "$tmp/ours.list")
  if [ -z "$missing$extra" ]; then
    echo "same $c: $(wc -l < "$ref/objects.txt") objects"
  else
    status=1
    echo "DIFF $c: kbuild $(wc -l < "$ref/objects.txt"), xenlint $(wc -l < "$tmp/ours.list")"
    [ -z "$missing" ] || echo "$missing" | sed 's/^/  only kbuild:  /'
    [ -z "$extra" ] || echo "$extra" | sed 's/^/  only xenlint: /'
  fi
  tail -n +2 "$tmp/ours.err" | sed 's/^/  not understood:/' | head -20
done
exit $status
