#!/usr/bin/env bash
# Install the real clients the format tests hand xenlint's output to (tests/formats.rs):
# Microsoft's SARIF multitool from npm, which also ships the official SARIF 2.1.0 schema,
# into $XENLINT_CLIENTS (default /var/tmp/xenlint-clients), and Python's jsonschema and
# sarif-tools from PyPI. Finished installs are kept.
set -euo pipefail
dir=${XENLINT_CLIENTS:-/var/tmp/xenlint-clients}
mkdir -p "$dir"
if [ ! -x "$dir/node_modules/.bin/sarif-multitool" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0
fi
if ! python3 -c 'import jsonschema' 2>/dev/null || ! command -v sarif >/dev/null; then
  # A distribution's own Python refuses pip's installs (PEP 668) unless told otherwise.
  python3 -m pip install --quiet jsonschema==4.26.0 sarif-tools==3.0.5 ||
    python3 -m pip install --quiet --break-system-packages jsonschema==4.26.0 sarif-tools==3.0.5
fi
