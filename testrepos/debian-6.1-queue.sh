#!/usr/bin/env bash
# Build a repository from Debian bookworm's `linux` source package: the orig tarball as the
# base commit (tag `base`), then one commit per patch of debian/patches/series, in order
# (branch master). A real, long series (about 165 patches on 6.1) for `xenlint series`.
#
# The source package comes through apt with a private state: its own sources.list
# (deb-src lines for bookworm and bookworm-security, signed-by Debian's archive keyring),
# lists, cache and lock under the cache directory; the system's apt configuration is only
# read, never changed. The chain keyring -> InRelease -> Sources -> files is checked on
# every run (gpgv, then sha256 against the signed index). Downloads are kept: a second run
# does not download again.
#
# Version: XENLINT_DEBIAN_VERSION (e.g. 6.1.176-1), else the newest one that downloads:
# the newest of both suites first (bookworm-security's newest is often not on the mirror
# yet), then bookworm's own.
#
# Patches: `git apply --index` first (it takes offsets); a patch that needs fuzz goes
# through `patch -p1` and is listed as such; a patch neither applies is skipped, listed
# with the reason, and the queue goes on. Author, date and subject come from the patch's
# From:/Date:/Subject: header (DEP-3 Author:/Description: too); a patch without one gets a
# fixed author and date. Committer and commit dates are fixed, so the commit ids are the
# same on every machine.
#
# Idempotent: an existing repository built from the same version is left as it is and its
# summary printed again; --clean removes it (only a repository this script built) and
# rebuilds. The tree is about 1.5 GB checked out, .git about 540 MB of loose objects (gc is
# off; nothing is packed).
#
# usage: testrepos/debian-6.1-queue.sh [--clean] DIR
#   XENLINT_DEBIAN_CACHE    apt state and downloads (default /var/tmp/xenlint-debian)
#   XENLINT_DEBIAN_VERSION  the source version to use (default: see above)
set -euo pipefail
clean=false
if [ "${1:-}" = "--clean" ]; then clean=true; shift; fi
dir=${1:?usage: $0 [--clean] DIR}
cache=${XENLINT_DEBIAN_CACHE:-/var/tmp/xenlint-debian}
want=${XENLINT_DEBIAN_VERSION:-}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for tool in apt-get apt-cache gpgv git patch python3 tar xz sha256sum; do
  command -v "$tool" >/dev/null || { echo "$0: needs $tool" >&2; exit 2; }
done
[ -f "$keyring" ] || { echo "$0: $keyring missing (apt-get install debian-archive-keyring)" >&2; exit 2; }

# --- the source package, through a private apt -------------------------------------------
apt=$cache/apt
mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$cache/src"
cat > "$apt/sources.list" <<EOF
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
EOF
apt_opts=(-o "Dir::State=$apt/state" -o "Dir::Cache=$apt/cache"
  -o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/sources.list.d")
# apt downloads as the unprivileged _apt user when it can write where the files go.
sandbox() { if id _apt >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then chown _apt "$@"; fi; }
sandbox "$apt/state/lists/partial" "$apt/cache/archives/partial"

# complete VERSION: the three files of VERSION are in the cache.
complete() {
  local v=$1 up=${1%-*}
  [ -f "$cache/src/$v/linux_$v.dsc" ] && [ -f "$cache/src/$v/linux_$v.debian.tar.xz" ] &&
    [ -f "$cache/src/$v/linux_${up#*:}.orig.tar.xz" ]
}
version=
if [ -n "$want" ]; then
  complete "$want" && version=$want
elif [ -f "$cache/src/current" ] && complete "$(cat "$cache/src/current")"; then
  version=$(cat "$cache/src/current")
fi
if [ -z "$version" ] || ! ls "$apt/state/lists/"*_InRelease >/dev/null 2>&1; then
  echo "apt-get update (private state under $apt)" >&2
  apt-get "${apt_opts[@]}" -q update >&2
fi
# Every index apt uses must verify against the archive keyring (apt already refuses one
# that does not; this says so explicitly, and also on runs that use the cache).
for release in "$apt/state/lists/"*_InRelease; do
  gpgv --keyring "$keyring" "$release" 2>/dev/null ||
    { echo "$0: $release does not verify against $keyring" >&2; exit 1; }
done
if [ -z "$version" ]; then
  if [ -n "$want" ]; then candidates=("linux=$want"); else candidates=(linux linux/bookworm); fi
  for candidate in "${candidates[@]}"; do
    rm -rf "$cache/src/partial"
    mkdir -p "$cache/src/partial"
    sandbox "$cache/src/partial"
    echo "apt-get source --download-only $candidate" >&2
    if (cd "$cache/src/partial" && apt-get "${apt_opts[@]}" -q source --download-only "$candidate" >&2); then
      dsc=$(cd "$cache/src/partial" && ls linux_*.dsc)
      version=${dsc#linux_}; version=${version%.dsc}
      rm -rf "${cache:?}/src/$version"
      mv "$cache/src/partial" "$cache/src/$version"
      break
    fi
    echo "$candidate did not download; trying the next candidate" >&2
  done
  rm -rf "$cache/src/partial"
  [ -n "$version" ] || { echo "$0: no version of linux downloaded" >&2; exit 1; }
  [ -n "$want" ] || echo "$version" > "$cache/src/current"
fi
upstream=${version%-*}
files=("linux_$version.dsc" "linux_$upstream.orig.tar.xz" "linux_$version.debian.tar.xz")
# The files' sha256 as the signed Sources index gives them.
index=$(apt-cache "${apt_opts[@]}" showsrc linux | awk -v v="$version" '
  /^$/ { if (keep) printf "%s", sums; sums = ""; keep = 0; in_sums = 0; next }
  $0 == "Version: " v { keep = 1 }
  /^[^ ]/ { in_sums = /^Checksums-Sha256:/; next }
  in_sums { sums = sums $0 "\n" }
  END { if (keep) printf "%s", sums }')
for file in "${files[@]}"; do
  sum=$(sha256sum "$cache/src/$version/$file" | cut -d' ' -f1)
  grep -q "^ $sum [0-9]* $file\$" <<<"$index" ||
    { echo "$0: $file: sha256 $sum is not the one of the signed Sources index" >&2; exit 1; }
done
echo "linux $version: ${files[*]} verified (keyring -> InRelease -> Sources -> sha256)" >&2

# --- the repository ------------------------------------------------------------------------
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
ours() { [ -d "$dir/.git" ] && [ -n "$(git -C "$dir" config --get xenlint.debianQueue 2>/dev/null)" ]; }
if [ -n "$(ls -A "$dir")" ]; then
  if ! ours; then
    echo "$0: $dir is not empty and not a repository this script built" >&2; exit 2
  fi
  if ! $clean && [ "$(git -C "$dir" config --get xenlint.debianQueue)" = "$version" ] &&
    [ -f "$dir/.git/debian-queue-summary" ]; then
    cat "$dir/.git/debian-queue-summary"
    exit 0
  fi
  # Another version, an unfinished build or --clean: rebuild.
  find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/debian-queue.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xJf "$cache/src/$version/linux_$version.debian.tar.xz" -C "$work"
series=$work/debian/patches/series
[ -f "$series" ] || { echo "$0: debian/patches/series missing from the debian tarball" >&2; exit 1; }
echo "unpacking linux_$upstream.orig.tar.xz into $dir" >&2
tar -xJf "$cache/src/$version/linux_$upstream.orig.tar.xz" -C "$dir" --strip-components=1
[ -f "$dir/Makefile" ] || { echo "$0: the orig tarball holds no kernel tree" >&2; exit 1; }

cd "$dir"
git init -q -b master .
git config core.autocrlf false
git config gc.auto 0
git config maintenance.auto false
git config xenlint.debianQueue "(building)"
g() { git -c core.autocrlf=false -c gc.auto=0 -c maintenance.auto=false "$@"; }
export GIT_COMMITTER_NAME="Debian Queue Builder" GIT_COMMITTER_EMAIL="queue@example.org"
fixed_author() {
  export GIT_AUTHOR_NAME="Debian Kernel Patch" GIT_AUTHOR_EMAIL="patches@example.org"
  export GIT_AUTHOR_DATE="@1767268800 +0000"
}
n=0
commit_dates() { export GIT_COMMITTER_DATE="@$((1767268800 + n * 60)) +0000"; }

echo "committing the base tree" >&2
fixed_author; commit_dates
g add -A -f
printf 'Linux %s\n\nThe tree of Debian'\''s linux_%s.orig.tar.xz (linux %s).\n' \
  "$upstream" "$upstream" "$version" > "$work/msg"
g commit -q -F "$work/msg"
git tag base

# header PATCH MSGFILE: print author name, email and date (one per line, empty when the
# patch has none) and write the commit message.
header() {
  python3 - "$@" <<'EOF'
import email.header, email.utils, re, sys
path, msgfile, name = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(path, "rb").read().decode("utf-8", "replace").split("\n")
def decode(value):
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:
        return value
i = 1 if lines and re.match(r"From \S+ ", lines[0]) else 0
fields = {}
key = None
while i < len(lines):
    line = lines[i]
    m = re.match(r"([A-Za-z][A-Za-z0-9-]*):\s?(.*)$", line)
    if line.strip() == "" or line.startswith(("--- ", "diff ", "Index: ")):
        break
    if line[:1] in (" ", "\t") and key:
        fields[key].append(line)
    elif m:
        # A field given twice keeps its first value.
        key = m.group(1).lower() if m.group(1).lower() not in fields else "~"
        fields.setdefault(key, []).append(m.group(2))
    else:
        break
    i += 1
# The free text between the header and the diff.
body = []
for line in lines[i:]:
    if line == "---" or line.startswith(("diff ", "Index: ", "--- ", "===")):
        break
    body.append(line)
def one(key):
    return " ".join(part.strip() for part in fields.get(key, [])).strip()
author = one("author") or one("from")
subject = one("subject")
if not subject and "description" in fields:
    # DEP-3: the first line is the synopsis, continuation lines the long description.
    desc = fields["description"]
    subject = desc[0].strip()
    body = [("" if l.strip() == "." else l[1:]) for l in desc[1:]] + [""] + body
subject = decode(subject)
while True:
    stripped = re.sub(r"^\s*\[[^\]]*\]\s*", "", subject)
    if stripped == subject:
        break
    subject = stripped
subject = subject or f"Debian patch {name}"
realname, address = email.utils.parseaddr(decode(author)) if author else ("", "")
date = ""
if "date" in fields:
    try:
        dt = email.utils.parsedate_to_datetime(one("date"))
        offset = dt.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        sign = "-" if minutes < 0 else "+"
        date = f"@{int(dt.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    except Exception:
        date = ""
while body and body[0].strip() == "":
    body.pop(0)
while body and body[-1].strip() == "":
    body.pop()
trailers = [f"Debian-Patch: {name}"]
for key in ("origin", "bug-debian", "bug", "forwarded", "applied-upstream"):
    if key in fields:
        trailers.append(f"{key.title()}: {one(key)}")
message = subject + "\n\n" + ("\n".join(body) + "\n\n" if body else "") + "\n".join(trailers) + "\n"
open(msgfile, "w").write(message)
print((realname or address.split("@")[0]).replace("\n", " "))
print(address.replace("\n", " "))
print(date)
EOF
}

applied=0 by_git=0 by_patch=0 empty=0
fuzzed=() skipped=()
while read -r entry rest; do
  case $entry in ''|'#'*) continue ;; esac
  strip=1
  case ${rest:-} in -p*) strip=${rest#-p}; strip=${strip%% *} ;; esac
  file=$work/debian/patches/$entry
  n=$((n + 1))
  if [ ! -f "$file" ]; then skipped+=("$entry: listed in series, not in the tarball"); continue; fi
  rm -f "$work/msg"
  header "$file" "$work/msg" "$entry" > "$work/author"
  { read -r name; read -r email; read -r date; } < "$work/author"
  if [ -n "$name" ] && [ -n "$email" ]; then
    export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email"
    export GIT_AUTHOR_DATE="${date:-@1767268800 +0000}"
  else
    fixed_author
  fi
  commit_dates
  if git apply --index -p"$strip" --whitespace=nowarn "$file" 2>"$work/err"; then
    by_git=$((by_git + 1))
  elif patch -p"$strip" --dry-run --batch --force -s -i "$file" >"$work/err" 2>&1; then
    patch -p"$strip" --batch --force --no-backup-if-mismatch -i "$file" >"$work/out" 2>&1
    g add -A -f
    by_patch=$((by_patch + 1))
    fuzzed+=("$entry: $(grep -o 'with fuzz [0-9]*\|offset -\?[0-9]* lines\?' "$work/out" | sort | uniq -c | sed 's/^ *//' | paste -sd, -)")
  else
    skipped+=("$entry: does not apply ($(grep -m1 -v '^$' "$work/err" | cut -c1-120))")
    continue
  fi
  if git diff --cached --quiet; then empty=$((empty + 1)); fi
  g commit -q --allow-empty --no-verify -F "$work/msg"
  applied=$((applied + 1))
done < "$series"

{
  echo "debian-6.1-queue: linux $version (base: linux_$upstream.orig.tar.xz, tag base = $(git rev-parse --short=12 base))"
  echo "  patches in series: $n; applied: $applied ($by_git with git apply, $by_patch with patch -p1); skipped: ${#skipped[@]}; empty: $empty"
  for line in "${fuzzed[@]}"; do echo "  patch -p1: $line"; done
  for line in "${skipped[@]}"; do echo "  skipped: $line"; done
  echo "  master = $(git rev-parse --short=12 master): xenlint series base..master --repo $dir"
} > .git/debian-queue-summary
git config xenlint.debianQueue "$version"
cat .git/debian-queue-summary
