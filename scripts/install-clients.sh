#!/usr/bin/env bash
# Install the real clients the tests hand xenlint's output to, all under $XENLINT_CLIENTS
# (default /var/tmp/xenlint-clients): Microsoft's SARIF multitool from npm (it also ships
# the official SARIF 2.1.0 schema), and in a Python virtual environment of their own
# (venv/) jsonschema, sarif-tools and b4 from PyPI. Nothing goes into the system's
# Python: the kernel's Kconfig probes Python modules (DRM_MSM_VALIDATE_XML asks for lxml,
# which sarif-tools pulls in), and the references and xenlint must see the same machine.
# Finished installs are kept.
set -euo pipefail
dir=${XENLINT_CLIENTS:-/var/tmp/xenlint-clients}
mkdir -p "$dir"
if [ ! -x "$dir/node_modules/.bin/sarif-multitool" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0
fi
if [ ! -x "$dir/venv/bin/b4" ] || [ ! -x "$dir/venv/bin/sarif" ]; then
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet jsonschema==4.26.0 sarif-tools==3.0.5 b4==0.16.0
fi
