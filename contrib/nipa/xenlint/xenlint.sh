#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# xenlint as a NIPA series test (copy this directory to nipa's tests/series/xenlint/).
# NIPA runs it in the tree with the whole series applied on $BRANCH_BASE, reads one line
# of description from the file descriptor $DESC_FD, keeps the files written to
# $RESULTS_DIR, and maps the exit status: 0 success, 250 warning, anything else fail.
# XENLINT names the binary (default: xenlint on PATH); XENLINT_ARGS adds options
# ("--arch x86,arm64 --no-kbuild").

xenlint=${XENLINT:-xenlint}

# shellcheck disable=SC2086 # XENLINT_ARGS is a list of options
"$xenlint" series "$BRANCH_BASE..HEAD" ${XENLINT_ARGS:-} \
	--output json="$RESULTS_DIR/xenlint.json" \
	--output sarif="$RESULTS_DIR/xenlint.sarif" \
	--output human="$RESULTS_DIR/xenlint.txt" 2> "$RESULTS_DIR/xenlint.err"
rc=$?

if [ $rc -eq 2 ] || [ ! -s "$RESULTS_DIR/xenlint.json" ]; then
	echo "xenlint could not check the series: $(head -n 1 "$RESULTS_DIR/xenlint.err")" >&"$DESC_FD"
	exit 1
fi

tail -n 1 "$RESULTS_DIR/xenlint.txt" >&"$DESC_FD"
[ $rc -ne 0 ] && exit 1

# No error: a warning when some patch has warnings (or does not bisect).
python3 -c 'import json, sys; sys.exit(250 if json.load(open(sys.argv[1]))["verdicts"]["warning"] else 0)' \
	"$RESULTS_DIR/xenlint.json"
