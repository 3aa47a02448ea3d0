#!/usr/bin/env bash
# Write the expected outputs of every case from the kernel's own conf, never from xenlint.
#
# usage: tests/cases/refresh.sh CONF [CASE...]
# CONF is scripts/kconfig/conf built from the Linux 6.12 tree, e.g.
#   make -C /var/tmp/xenlint-kernels/linux-source-6.12 O=/tmp/kc ARCH=x86 allnoconfig
#   tests/cases/refresh.sh /tmp/kc/scripts/kconfig/conf
#
# Each case runs as the kernel's own Kconfig tests run conf (scripts/kconfig/tests/
# conftest.py): in an empty directory, `srctree` set to the case directory, the case's
# input.config (if any) copied to .config, then `conf --<target> Kconfig`, where <target>
# is the one word in the case's `target` file. Kept: expected_status (conf's exit status),
# expected_stderr, and expected_config (the .config written, when conf wrote one).
set -euo pipefail
conf=$(realpath "${1:?usage: $0 CONF [CASE...]}")
shift
here=$(cd "$(dirname "$0")" && pwd)
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for d in "$here"/*/; do cases+=("$(basename "$d")"); done
fi
for case in "${cases[@]}"; do
  dir="$here/$case"
  target=$(cat "$dir/target")
  work=$(mktemp -d)
  [ -f "$dir/input.config" ] && cp "$dir/input.config" "$work/.config"
  status=0
  (cd "$work" && env -i PATH="$PATH" srctree="$dir" KCONFIG_DEFCONFIG_LIST= \
    "$conf" "--$target" Kconfig > stdout 2> "$dir/expected_stderr" < /dev/null) || status=$?
  echo "$status" > "$dir/expected_status"
  rm -f "$dir/expected_config"
  if [ "$status" -eq 0 ]; then
    cp "$work/.config" "$dir/expected_config"
  fi
  rm -rf "$work"
  echo "$case: $target, status $status" >&2
done
