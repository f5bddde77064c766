#!/usr/bin/env bash
# Build the Linux desktop bundle (PyInstaller one-folder) and wrap it as a .deb.
#
#   packaging/build-linux.sh            # uses .venv (python3 -m venv .venv && pip install -e .)
#
# Outputs: dist/bundle/softphone/ (run dist/bundle/softphone/softphone) and
# dist/softphone_<version>_<arch>.deb. Prints each step's time and the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
# Build tools, pinned; installed into the build venv only, never runtime dependencies.
PYINSTALLER="pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9"

# shellcheck disable=SC2086
"$PY" -m pip install -q --disable-pip-version-check $PYINSTALLER

t0=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist/bundle --workpath build/pyinstaller packaging/softphone.spec
t1=$(date +%s)
deb=$(packaging/linux/build-deb.sh dist/bundle/softphone dist)
t2=$(date +%s)

echo "bundle: dist/bundle/softphone  $(du -sh dist/bundle/softphone | cut -f1)" \
  "(PyInstaller $((t1 - t0))s)"
echo "deb:    $deb  $(du -h "$deb" | cut -f1) (dpkg-deb $((t2 - t1))s)"
