#!/usr/bin/env bash
# Benchmark `xenlint series` at scale: the 165-commit scripted series on Debian's complete
# 6.1 tree (testrepos/linux-6.1-long-series.sh), every arch, the default baselines, the
# Kbuild walk on. Prints wall time, CPU time (user + system) and peak RSS of:
#   1. the whole run, nothing kept from earlier runs (--no-cache), fix suggestions verified;
#   2. the same without verifying fix suggestions (--no-suggest);
#   3. x86 alone (--no-cache);
#   4. the whole run again with the persistent cache filled by a first run (the output must
#      be byte-identical to that first run).
#
# usage: scripts/bench-long-series.sh
#   XENLINT_BENCH_DIR   where the repository and the outputs go (default /var/tmp/xenlint-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${XENLINT_BENCH_DIR:-/var/tmp/xenlint-bench}
mkdir -p "$work"
repo=$work/linux-6.1-long
stamp=$(sha1sum testrepos/linux-6.1-long-series.sh | cut -c1-40)
if [ "$(cat "$repo.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$repo"
  testrepos/linux-6.1-long-series.sh "$repo" >/dev/null
  echo "$stamp" > "$repo.stamp"
fi
cargo build --release --quiet
bin=$PWD/target/release/xenlint

# timed NAME ARGS...: one run of `xenlint series ARGS`, its figures on one line.
timed() {
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S %M" -o "$work/long-time.txt" \
    "$bin" series base..master --repo "$repo" --fail-on never "$@" > "$work/long-$name.txt" 2> "$work/long-$name.err"
  end=$(date +%s.%N)
  read -r user sys rss < "$work/long-time.txt"
  printf '%-44s %8.1f s wall %8.1f s CPU %6d MB peak\n' "$name" \
    "$(echo "$end - $start" | bc)" "$(echo "$user + $sys" | bc)" $((rss / 1024))
}
echo "$(git -C "$repo" rev-list --count base..master) commits on $(git -C "$repo" ls-tree -r --name-only base | wc -l) files"
timed all-arches --no-cache
tail -1 "$work/long-all-arches.txt"
timed all-arches-no-suggest --no-cache --no-suggest
timed x86 --no-cache --arch x86
cache=$work/long-cache
rm -rf "$cache"
timed fill-cache --cache-dir "$cache"
timed from-cache --cache-dir "$cache"
cmp "$work/long-fill-cache.txt" "$work/long-from-cache.txt" && echo "from the cache: output byte-identical"
