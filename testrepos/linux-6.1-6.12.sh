#!/usr/bin/env bash
# Build a bare repository of two commits: Debian's complete linux-source-6.1 tree, then the
# complete linux-source-6.12 tree, tagged v6.1 and v6.12: what `xenlint diff v6.1 v6.12`
# is measured on (tests/kernel_diff.rs), against the kernel's own scripts/diffconfig run
# on the .config files make wrote for each tree.
#
# The trees are read in place (git --work-tree=<tree> add) and never changed; nothing is
# checked out (xenlint reads git objects), which saves writing 1.7 GB. Every file
# is taken, ignored or not: the tarballs hold no build output, and a .gitignore of the
# tree must not leave out a file make reads. Authors, committers and dates are fixed,
# so commit ids are the same on every machine.
#
# usage: testrepos/linux-6.1-6.12.sh DIR
#   The trees are $XENLINT_KERNELS/linux-source-<v> (default /var/tmp/xenlint-kernels),
#   extracted from /usr/src/linux-source-<v>.tar.xz when missing, as
#   scripts/kernel-refs.sh does.
set -euo pipefail
dir=${1:?usage: $0 DIR}
kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
for v in 6.1 6.12; do
  tree="$kernels/linux-source-$v"
  if [ ! -f "$tree/Makefile" ]; then
    tarball="/usr/src/linux-source-$v.tar.xz"
    [ -f "$tarball" ] || { echo "$tarball missing: apt-get install linux-source-$v" >&2; exit 2; }
    echo "extracting $tarball" >&2
    mkdir -p "$kernels"
    tar xf "$tarball" -C "$kernels"
  fi
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
git init -q --bare -b master "$dir"
# The trees' own settings stay out: no filters, no line-ending rewrites, no automatic gc
# halfway through; no user excludes file (add -f takes ignored files anyway).
git --git-dir="$dir" config core.autocrlf false
git --git-dir="$dir" config core.safecrlf false
git --git-dir="$dir" config core.excludesFile /dev/null
git --git-dir="$dir" config gc.auto 0
export GIT_AUTHOR_NAME="Linus Torvalds" GIT_AUTHOR_EMAIL="torvalds@example.org"
export GIT_COMMITTER_NAME="Linus Torvalds" GIT_COMMITTER_EMAIL="torvalds@example.org"
n=0
for v in 6.1 6.12; do
  n=$((n + 1))
  export GIT_AUTHOR_DATE="@$((1767268800 + n * 3600)) +0000" GIT_COMMITTER_DATE="@$((1767268800 + n * 3600)) +0000"
  # -A against the new tree also records what the earlier tree had and this one lacks.
  git --git-dir="$dir" --work-tree="$kernels/linux-source-$v" add -A -f .
  git --git-dir="$dir" --work-tree="$kernels/linux-source-$v" commit -q --no-verify -m "Linux $v"
  git --git-dir="$dir" tag "v$v"
done
