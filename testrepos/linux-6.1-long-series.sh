#!/usr/bin/env bash
# Build a bare repository of Debian's complete linux-source-6.1 tree (tag `base`) with a
# scripted series of 165 commits on top (branch master): what the scale figures of
# scripts/bench-long-series.sh are measured on. Like a real series, most commits touch no
# Kconfig: 117 edit C files only, 15 reword a help text, 10 add a driver (Kconfig entry,
# Makefile line, C file), 8 change a Makefile's flags, 8 enable a new driver in a defconfig,
# 2 add a `depends on`, 3 add a `select` line, and one renames a driver's symbol without
# its Makefile line (the driver drops out of the build) that a later commit repairs.
#
# The tree is read in place (git --work-tree=<tree> add) and never changed; the series is
# written with git fast-import from the base's blobs, so nothing is checked out. Authors,
# committers and dates are fixed: the commit ids are the same on every machine.
#
# usage: testrepos/linux-6.1-long-series.sh DIR
#   The tree is $XENLINT_KERNELS/linux-source-6.1 (default /var/tmp/xenlint-kernels),
#   extracted from /usr/src/linux-source-6.1.tar.xz when missing, as
#   scripts/kernel-refs.sh does.
set -euo pipefail
dir=${1:?usage: $0 DIR}
kernels=${XENLINT_KERNELS:-/var/tmp/xenlint-kernels}
tree="$kernels/linux-source-6.1"
if [ ! -f "$tree/Makefile" ]; then
  tarball=/usr/src/linux-source-6.1.tar.xz
  [ -f "$tarball" ] || { echo "$tarball missing: apt-get install linux-source-6.1" >&2; exit 2; }
  echo "extracting $tarball" >&2
  mkdir -p "$kernels"
  tar xf "$tarball" -C "$kernels"
fi
[ -e "$dir" ] && { echo "$dir exists: give a new directory" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
git init -q --bare -b master "$dir"
git --git-dir="$dir" config core.autocrlf false
git --git-dir="$dir" config core.excludesFile /dev/null
git --git-dir="$dir" config gc.auto 0
export GIT_AUTHOR_NAME="Linus Torvalds" GIT_AUTHOR_EMAIL="torvalds@example.org"
export GIT_COMMITTER_NAME="Linus Torvalds" GIT_COMMITTER_EMAIL="torvalds@example.org"
export GIT_AUTHOR_DATE="@1767268800 +0000" GIT_COMMITTER_DATE="@1767268800 +0000"
git --git-dir="$dir" --work-tree="$tree" add -A -f .
git --git-dir="$dir" --work-tree="$tree" commit -q --no-verify -m "Linux 6.1"
git --git-dir="$dir" tag base
rm -f "$dir/index"

# The series: a fast-import stream. Files are read from the tree (the base's content) and
# kept here once a commit changed them.
python3 - "$tree" <<'EOF' | git --git-dir="$dir" fast-import --quiet --done
import os, random, subprocess, sys

tree = sys.argv[1]
files = {}  # path -> current text of the files the series changed


def read(path):
    if path not in files:
        with open(os.path.join(tree, path), encoding="utf-8", errors="surrogateescape") as f:
            files[path] = f.read()
    return files[path]


def listed(top, suffix):
    out = []
    for root, dirs, names in os.walk(os.path.join(tree, top)):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(suffix) or name == suffix:
                out.append(os.path.relpath(os.path.join(root, name), tree))
    return out


rng = random.Random(61)
c_files = [p for top in ("drivers", "fs", "net", "kernel", "mm", "lib") for p in listed(top, ".c")]
c_files = rng.sample(c_files, 200)
kconfigs = []
for p in listed("drivers", "Kconfig"):
    lines = read(p).split("\n")
    if any(l.strip() == "help" for l in lines):
        kconfigs.append(p)
    files.pop(p, None)
kconfigs = rng.sample(kconfigs, 30)
defconfigs = ["arch/x86/configs/x86_64_defconfig", "arch/arm64/configs/defconfig",
              "arch/powerpc/configs/ppc64_defconfig", "arch/riscv/configs/defconfig"]
out = sys.stdout.buffer
mark = 0
when = 1767268800


def commit(subject, body, changes):
    global mark, when
    mark += 1
    when += 600
    out.write(b"commit refs/heads/master\n")
    out.write(b"mark :%d\n" % mark)
    for who in (b"author", b"committer"):
        out.write(b"%s Linus Torvalds <torvalds@example.org> %d +0000\n" % (who, when))
    message = (subject + "\n\n" + body + "\n").encode()
    out.write(b"data %d\n%s" % (len(message), message))
    if mark == 1:
        out.write(b"from refs/tags/base\n")
    for path in changes:
        data = files[path].encode("utf-8", "surrogateescape")
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))


def append(path, text):
    read(path)
    files[path] += text


def edit(path, old, new):
    read(path)
    assert old in files[path], (path, old)
    files[path] = files[path].replace(old, new, 1)


def driver(n):
    name = f"XL_LONG_{n}"
    edit("drivers/misc/Kconfig", 'source "drivers/misc/c2port/Kconfig"',
        f'config {name}\n\ttristate "Long series example driver {n}"\n\tdepends on PCI\n'
        f'\thelp\n\t  Example driver {n} of the long series.\n\n'
        'source "drivers/misc/c2port/Kconfig"')
    append("drivers/misc/Makefile", f"obj-$(CONFIG_{name})\t+= xl_long_{n}.o\n")
    files[f"drivers/misc/xl_long_{n}.c"] = (
        "// SPDX-License-Identifier: GPL-2.0\n#include <linux/module.h>\n"
        f'MODULE_DESCRIPTION("long series example driver {n}");\nMODULE_LICENSE("GPL");\n')
    return ["drivers/misc/Kconfig", "drivers/misc/Makefile", f"drivers/misc/xl_long_{n}.c"]


plan = {}


def place(at, what):
    assert at not in plan, (at, what, plan[at])
    plan[at] = what


for n in range(10):
    place(10 + 15 * n, ("driver", n))
for n in range(8):
    place(16 + 15 * n, ("defconfig", n))
for n in range(8):
    place(13 + 20 * n, ("makefile", n))
for n, at in enumerate((62, 122)):
    place(at, ("depends", n))
for n, at in enumerate((71, 102, 141)):
    place(at, ("select", n))  # driver n + 3 exists from 55 + 15 * n
place(104, ("rename", 2))
place(110, ("repair", 2))
help_at = [i for i in range(3, 166, 7) if i not in plan][:15]
assert len(help_at) == 15
for n, at in enumerate(help_at):
    place(at, ("help", n))
assert sum(1 for k in plan.values() if k[0] != "c") == 48
c_next = 0
for i in range(1, 166):
    kind, n = plan.get(i, ("c", None))
    if kind == "c":
        path = c_files[c_next]
        c_next += 1
        append(path, f"\n/* Long series note {c_next}. */\n")
        commit(f"{path.split('/')[0]}: note {c_next}", f"Touches {path} only.", [path])
    elif kind == "driver":
        commit(f"misc: add long series driver {n}", "A new tristate driver, built as xl_long_%d.o." % n, driver(n))
    elif kind == "defconfig":
        path = defconfigs[n % len(defconfigs)]
        append(path, f"CONFIG_XL_LONG_{n}=m\n")
        commit(f"{path.split('/')[1]}: defconfig: enable long series driver {n}", "Built as a module.", [path])
    elif kind == "makefile":
        path = "drivers/misc/Makefile"
        append(path, f"ccflags-y\t+= -DXL_LONG_FLAG_{n}\n")
        commit(f"misc: flag {n}", "A compiler flag for the directory.", [path])
    elif kind == "depends":
        path = "drivers/misc/Kconfig"
        edit(path, f'tristate "Long series example driver {n}"\n\tdepends on PCI\n',
             f'tristate "Long series example driver {n}"\n\tdepends on PCI\n\tdepends on HAS_IOMEM\n')
        commit(f"misc: long series driver {n} needs HAS_IOMEM", "It maps registers.", [path])
    elif kind == "select":
        path = "drivers/misc/Kconfig"
        edit(path, f'tristate "Long series example driver {n + 3}"\n',
             f'tristate "Long series example driver {n + 3}"\n\tselect CRC32\n')
        commit(f"misc: long series driver {n + 3} uses crc32", "It checks its firmware.", [path])
    elif kind == "rename":
        path = "drivers/misc/Kconfig"
        edit(path, f"config XL_LONG_{n}\n", f"config XL_LONG_DRIVER_{n}\n")
        commit(f"misc: rename XL_LONG_{n}", "The Makefile line is left behind.", [path])
    elif kind == "repair":
        path = "drivers/misc/Makefile"
        edit(path, f"obj-$(CONFIG_XL_LONG_{n})", f"obj-$(CONFIG_XL_LONG_DRIVER_{n})")
        commit(f"misc: build the renamed long series driver {n}", "Follows the rename.", [path])
    elif kind == "help":
        path = kconfigs[n]
        lines = read(path).split("\n")
        at = next(j for j, l in enumerate(lines) if l.strip() == "help")
        indent = lines[at + 1][: len(lines[at + 1]) - len(lines[at + 1].lstrip())] or "\t  "
        lines.insert(at + 1, f"{indent}Reviewed in the long series ({n}).")
        files[path] = "\n".join(lines)
        commit(f"{path.split('/')[1]}: Kconfig: reword a help text", f"In {path}.", [path])
out.write(b"done\n")
EOF
git --git-dir="$dir" rev-list --count base..master
