#!/usr/bin/env bash
# Make Debian's linux-source-<v>.tar.xz available for kernel versions the machine's own apt
# sources do not carry (5.10 lives in bullseye, the newest 7.x in sid).
#
# For each VERSION, `apt-get download linux-source-<v>` runs under a private apt state
# (its own sources.list, lists and cache, the Debian archive keyring as Signed-By; the
# machine's apt sources, state and cache are neither read nor written), the .deb is unpacked with `dpkg-deb -x`
# (nothing is installed) and its /usr/src/linux-source-<v>.tar.xz is kept as
#   $cache/linux-source-<v>.tar.xz      (where scripts/kernel-refs.sh looks after /usr/src)
#   $cache/linux-source-<v>.version     (the Debian package version it came from)
# A version whose tarball is already in /usr/src or in the cache is left alone (-f fetches
# again, e.g. for a newer Debian upload).
#
# usage: scripts/fetch-kernel-source.sh [-d CACHE] [-s "SUITE..."] [-f] VERSION...
#   -d  cache directory (default $XENLINT_KERNELS/debs, XENLINT_KERNELS=/var/tmp/xenlint-kernels)
#   -s  Debian suites to look in (default "bullseye bullseye-security sid"; a suite whose
#       name ends in -security comes from the security archive); apt picks the newest
#       version of the package among them
#   -f  fetch even when a tarball is already there
# Needs apt-get, apt-cache, dpkg-deb and /usr/share/keyrings/debian-archive-keyring.gpg
# (package debian-archive-keyring), and about 130-170 MB of download per version.
set -euo pipefail

kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
cache="$kernels/debs"
suites="bullseye bullseye-security sid"
force=false
mirror=${XENLINT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${XENLINT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
while getopts "d:s:f" opt; do
  case $opt in
    d) cache=$OPTARG ;;
    s) suites=$OPTARG ;;
    f) force=true ;;
    *) echo "usage: $0 [-d cache] [-s suites] [-f] VERSION..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-d cache] [-s suites] [-f] VERSION..." >&2; exit 2; }
for tool in apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "$tool missing (a Debian-based machine is needed)" >&2; exit 2; }
done
[ -f "$keyring" ] || { echo "$keyring missing: apt-get install debian-archive-keyring" >&2; exit 2; }

wanted=()
for v in "$@"; do
  if ! $force && { [ -f "/usr/src/linux-source-$v.tar.xz" ] || [ -f "$cache/linux-source-$v.tar.xz" ]; }; then
    echo "linux-source-$v: tarball already present" >&2
  else
    wanted+=("$v")
  fi
done
[ ${#wanted[@]} -gt 0 ] || exit 0

# The private apt: everything apt reads or writes lives under $cache/apt.
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
apt="$cache/apt"
mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" \
  "$apt/state/lists/partial" "$apt/cache/archives/partial"
: > "$apt/state/status"
{
  for s in $suites; do
    case $s in
      *-security) echo "deb [signed-by=$keyring] $security_mirror $s main" ;;
      *) echo "deb [signed-by=$keyring] $mirror $s main" ;;
    esac
  done
} > "$apt/etc/sources.list"
mkdir -p "$apt/etc/trusted.gpg.d"
# Where apt reads and writes, given on the command line, which overrides any configuration
# file. The machine's apt.conf.d is still read (proxies, Check-Valid-Until and the like
# describe how this machine reaches the archive), never its sources, state or cache.
apt_options=(
  -o "Dir::Etc::sourcelist=$apt/etc/sources.list"
  -o "Dir::Etc::sourceparts=$apt/etc/sources.list.d"
  -o "Dir::Etc::preferences=/dev/null"
  -o "Dir::Etc::preferencesparts=$apt/etc/preferences.d"
  -o "Dir::Etc::trusted=$apt/etc/trusted.gpg"
  -o "Dir::Etc::trustedparts=$apt/etc/trusted.gpg.d"
  -o "Dir::State=$apt/state"
  -o "Dir::State::status=$apt/state/status"
  -o "Dir::Cache=$apt/cache"
  -o "Dir::Cache::pkgcache=$apt/cache/pkgcache.bin"
  -o "Dir::Cache::srcpkgcache=$apt/cache/srcpkgcache.bin"
  -o "APT::Architectures=$(dpkg --print-architecture 2>/dev/null || echo amd64)"
  -o "Acquire::Languages=none"
  -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
)
# apt drops to the _apt user to download; without that user, it downloads as root.
if [ "$(id -u)" = 0 ] && ! id _apt >/dev/null 2>&1; then
  apt_options+=(-o APT::Sandbox::User=root)
fi

echo "reading the package lists of: $suites" >&2
apt-get "${apt_options[@]}" -q update >&2

for v in "${wanted[@]}"; do
  package="linux-source-$v"
  version=$(apt-cache "${apt_options[@]}" policy "$package" | sed -n 's/^  Candidate: //p')
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "$package is in none of: $suites. Versions there:" >&2
    apt-cache "${apt_options[@]}" search --names-only '^linux-source-[0-9]' | sed 's/^/  /' >&2
    exit 1
  fi
  work=$(mktemp -d "$cache/.fetch-$v.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # The directory apt downloads into must be writable by its sandbox user.
  [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$work"
  echo "downloading $package $version" >&2
  (cd "$work" && apt-get "${apt_options[@]}" -q download "$package=$version" >&2)
  deb=$(ls "$work"/*.deb)
  dpkg-deb -x "$deb" "$work/root"
  tarball="$work/root/usr/src/$package.tar.xz"
  [ -f "$tarball" ] || { echo "$deb holds no usr/src/$package.tar.xz" >&2; exit 1; }
  mv "$tarball" "$cache/$package.tar.xz"
  echo "$version" > "$cache/$package.version"
  rm -rf "$work"
  echo "$cache/$package.tar.xz ($version)" >&2
done
