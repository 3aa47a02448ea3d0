#!/usr/bin/env bash
# Build the fuzz targets (fuzz/, cargo-fuzz, nightly) and run each for a few seconds over
# its committed corpus and dictionary; fail on the first crash, leak or timeout.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a nightly toolchain; without
# one, the machine's toolchain builds the targets with RUSTC_BOOTSTRAP=1 (the unstable
# flags cargo-fuzz passes). The smoke run builds without a sanitizer (FUZZ_SANITIZER=address
# for the slower ASan build). New inputs go to a scratch directory: the committed corpus
# (fuzz/corpus/<target>) is only read. Longer runs: README, Fuzzing.
#
#   scripts/fuzz-smoke.sh [-t SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=10
if [ "${1:-}" = "-t" ]; then
  seconds=$2
  shift 2
fi
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  targets=(kconfig_parse kconfig_subtrees kconfig_macros confdata git_range make_eval kbuild_walk kbuild_reuse mbox)
fi

# Targets known to fail on inputs the fuzzer finds in seconds (none now); FUZZ_SMOKE_ALL=1
# runs them anyway.
declare -A skip=()

dict_of() {
  case "$1" in
    kconfig_parse | kconfig_subtrees | kconfig_macros) echo dict/kconfig.dict ;;
    make_eval | kbuild_walk | kbuild_reuse) echo dict/make.dict ;;
    confdata) echo dict/config.dict ;;
    git_range) echo dict/git.dict ;;
    mbox) echo dict/mail.dict ;;
  esac
}

sanitizer=${FUZZ_SANITIZER:-none}
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi
"${fuzz[@]}" build --sanitizer "$sanitizer"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  if [ -n "${skip[$target]:-}" ] && [ -z "${FUZZ_SMOKE_ALL:-}" ]; then
    echo "fuzz-smoke: skipping $target: ${skip[$target]}"
    continue
  fi
  mkdir -p "$scratch/$target"
  echo "fuzz-smoke: $target for ${seconds}s"
  if ! "${fuzz[@]}" run --sanitizer "$sanitizer" "$target" "$scratch/$target" "corpus/$target" -- \
    -dict="$(dict_of "$target")" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 >"$scratch/$target.log" 2>&1; then
    tail -n 60 "$scratch/$target.log"
    echo "fuzz-smoke: $target failed; the input is under fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$scratch/$target.log" | sed "s/^/fuzz-smoke: $target /"
done
