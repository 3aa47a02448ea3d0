#!/usr/bin/env bash
# Compare the undefined symbols xenlint finds referenced from Kconfig and Kbuild files with
# what the kernel's scripts/checkkconfigsymbols.py finds, on a whole tree.
#
# checkkconfigsymbols.py lists files with `git ls-files`, so the tree gets a git index kept
# outside it ($XENLINT_KERNELS/git-<v>, GIT_DIR/GIT_WORK_TREE; the tree is not touched).
# Both sides are reduced to (symbol, file) pairs for Kconfig*, Makefile* and Kbuild* files.
#
# usage: scripts/checkkconfigsymbols-compare.sh [VERSION]     default 6.12
set -euo pipefail
cd "$(dirname "$0")/.."
kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
v=${1:-6.12}
tree="$kernels/linux-source-$v"
export GIT_DIR="$kernels/git-$v" GIT_WORK_TREE="$tree"
if [ ! -f "$GIT_DIR/index" ]; then
  git init -q
  # Debian's .gitignore ignores the whole top level: add everything explicitly.
  (cd "$tree" && git add -f -A .)
fi
out="$kernels/checkkconfigsymbols-$v"
mkdir -p "$out"
if [ ! -s "$out/script.txt" ]; then
  # Ignore (do not read references from) every file that is not Kconfig/Kbuild.
  (cd "$tree" && python3 scripts/checkkconfigsymbols.py \
     --ignore '(?!(.*/)?(Makefile|Kbuild|Kconfig)[^/]*$)' --no-color) > "$out/script.raw"
  awk '/^Referencing files: /{sub(/^Referencing files: /,""); n=split($0,f,", "); for(i=1;i<=n;i++) print sym "\t" f[i]; next}
       /^[A-Za-z0-9_]+$/{sym=$0}' "$out/script.raw" | sort -u > "$out/script.txt"
fi
cargo build --release -q
target/release/xenlint refs --srctree "$tree" --kind kconfig --kind kbuild --format json > "$out/xenlint.json" || true
python3 - "$out/xenlint.json" > "$out/xenlint.txt" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for r in doc["undefined"]:
    print(f'{r["symbol"]}\t{r["file"]}')
PY
sort -u -o "$out/xenlint.txt" "$out/xenlint.txt"
both=$(comm -12 "$out/script.txt" "$out/xenlint.txt" | wc -l)
echo "checkkconfigsymbols.py: $(wc -l < "$out/script.txt") (symbol, file) pairs, $(cut -f1 "$out/script.txt" | sort -u | wc -l) symbols"
echo "xenlint:                $(wc -l < "$out/xenlint.txt") pairs, $(cut -f1 "$out/xenlint.txt" | sort -u | wc -l) symbols"
echo "in both: $both"
echo "only checkkconfigsymbols.py:"; comm -23 "$out/script.txt" "$out/xenlint.txt" | sed 's/^/  /'
echo "only xenlint:"; comm -13 "$out/script.txt" "$out/xenlint.txt" | sed 's/^/  /'
