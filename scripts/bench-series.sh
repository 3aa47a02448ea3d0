#!/usr/bin/env bash
# Benchmark `xenlint series` on the real-kernel Xen series (testrepos/linux-xen-series.sh)
# against the naive way: checkout plus `make <baseline>` for every commit, arch and
# baseline. The naive cost is measured on a sample of those runs and scaled to the whole
# series; both are printed with their ratio. The run is also timed with --no-kbuild (what
# the Kbuild walk and the CONFIG_ reference checks add), for x86 alone with one baseline
# (with every probe run, and with the base's $(shell,...) answers and reference scan kept
# by an earlier run), and run again with the persistent cache (the output must be
# byte-identical). CPU time (user + system) is printed next to each wall time.
#
# usage: scripts/bench-series.sh [SAMPLES]     (default 12 naive runs)
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-12}
work=${XENLINT_BENCH_DIR:-/var/tmp/xenlint-bench}
mkdir -p "$work"
# Rebuild the repository when the script that makes it changed.
stamp=$(sha1sum testrepos/linux-xen-series.sh | cut -c1-40)
if [ "$(cat "$work/linux.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$work/linux"
  testrepos/linux-xen-series.sh "$work/linux" >/dev/null
  echo "$stamp" > "$work/linux.stamp"
fi
cargo build --release --quiet
bin=$PWD/target/release/xenlint

# median_of_3 ARGS...: "WALL CPU", the median wall time of three runs of `xenlint series
# ARGS` and the user+system CPU time of that run. Before each run, BEFORE_RUN is
# evaluated (to empty a cache of reports, say). Progress lines go to $work/stderr.txt.
median_of_3() {
  local runs=() cpu start end
  for _ in 1 2 3; do
    eval "${BEFORE_RUN:-}"
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$work/time.txt" \
      "$bin" series base..master --repo "$work/linux" --fail-on never "$@" > "$work/report.txt" 2> "$work/stderr.txt"
    end=$(date +%s.%N)
    read -r user sys < "$work/time.txt"
    cpu=$(echo "$user + $sys" | bc)
    runs+=("$(printf '%.3f' "$(echo "$end - $start" | bc)") $cpu")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}
read -r kconfig_only kconfig_cpu < <(median_of_3 --no-cache --no-kbuild)
read -r median median_cpu < <(median_of_3 --no-cache)
tail -1 "$work/report.txt"
cp "$work/report.txt" "$work/report-computed.txt"
echo "Kconfig only (--no-kbuild): median of 3: ${kconfig_only} s wall, ${kconfig_cpu} s CPU;" \
  "with Kbuild: ${median} s wall, ${median_cpu} s CPU"
commits=$(git -C "$work/linux" rev-list --count base..master)
arches=$(git -C "$work/linux" ls-tree --name-only master arch/ | while read -r a; do git -C "$work/linux" cat-file -e "master:$a/Kconfig" 2>/dev/null && echo "$a"; done | wc -l)
runs=$(( (commits + 1) * arches * 3 ))
echo "xenlint series: median of 3: ${median} s for $((commits + 1)) commits x $arches arches x 3 baselines ($runs configurations)"
read -r x86 x86_cpu < <(median_of_3 --no-cache --arch x86 --baseline defconfig)
echo "x86 alone, defconfig: median of 3: ${x86} s wall, ${x86_cpu} s CPU (every probe run)"

# The same command again with the persistent cache: the first run fills it.
cache=$work/cache
rm -rf "$cache"
"$bin" series base..master --repo "$work/linux" --fail-on never --cache-dir "$cache" > /dev/null 2>&1
read -r again again_cpu < <(median_of_3 --cache-dir "$cache")
if cmp -s "$work/report.txt" "$work/report-computed.txt"; then same="byte-identical"; else same="DIFFERENT"; fi
echo "the same command run again (cache in $cache): median of 3: ${again} s wall, ${again_cpu} s CPU; output $same"
# A series not seen before on a machine that has linted a series on the same base: only
# the base's kept $(shell,...) answers and reference scan are used (reports are removed
# before each run).
"$bin" series base..master --repo "$work/linux" --fail-on never --cache-dir "$cache" --arch x86 --baseline defconfig > /dev/null 2>&1
read -r warm warm_cpu < <(BEFORE_RUN='find "$cache" -name "[0-9a-f]*.json" -delete' median_of_3 --cache-dir "$cache" --arch x86 --baseline defconfig)
echo "x86 alone, defconfig, the base's probe answers and scan kept from an earlier run: median of 3: ${warm} s wall, ${warm_cpu} s CPU"

# The naive way, in a throwaway clone so the benchmark repository stays as it is.
naive=$work/naive
rm -rf "$naive"
git clone -q "$work/linux" "$naive"
mapfile -t revs < <(git -C "$naive" rev-parse base; git -C "$naive" rev-list --reverse base..master)
sample_arches=(x86 arm64 riscv mips powerpc s390)
targets=(defconfig allnoconfig allmodconfig)
total=0
for i in $(seq 0 $((samples - 1))); do
  rev=${revs[$(( (i * 7) % ${#revs[@]} ))]}
  arch=${sample_arches[$(( i % ${#sample_arches[@]} ))]}
  target=${targets[$(( i % 3 ))]}
  # Build conf once per arch beforehand, as a developer's build directory would have it.
  [ -x "$work/out-$arch/scripts/kconfig/conf" ] || make -s -C "$naive" ARCH="$arch" O="$work/out-$arch" allnoconfig >/dev/null 2>&1 || true
  start=$(date +%s.%N)
  git -C "$naive" checkout -q "$rev"
  make -s -C "$naive" ARCH="$arch" O="$work/out-$arch" "$target" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  total=$(echo "$total + $end - $start" | bc)
done
mean=$(echo "scale=3; $total / $samples" | bc)
estimate=$(echo "scale=1; $mean * $runs" | bc)
ratio=$(echo "scale=1; $estimate / $median" | bc)
echo "naive checkout + make: mean of $samples sampled runs: ${mean} s; whole series estimated at ${estimate} s"
echo "ratio: xenlint is ${ratio}x faster"
