#!/usr/bin/env bash
# The packaging test CI runs: build the Linux bundle and .deb, install the .deb into a
# scratch root with dpkg, smoke-test the installed program (calls to SIPp, history, the
# window offscreen, single instance), then remove and purge the package and check that a
# user's data folder is untouched. Needs: .venv with the app installed, dpkg, sipp.
#
#   bash packaging/test-bundle.sh        # about 2-3 minutes on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
start=$(date +%s)

echo "== packaging: build"
DEB_XZ_LEVEL=${DEB_XZ_LEVEL:-1} packaging/build-linux.sh
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' softphone/__init__.py)
deb="dist/softphone_${version}_$(dpkg --print-architecture).deb"

echo "== packaging: install $deb into a scratch root"
root=$(mktemp -d /tmp/softphone-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/var/lib/dpkg/{info,updates,triggers}
touch "$root/var/lib/dpkg/status"
# The Debian libraries Qt needs are the real system's (.ci/run installs them); the scratch
# root's empty dpkg database does not know them, hence --force-depends.
DPKG=(dpkg "--root=$root" --force-script-chrootless --force-depends --force-not-root)
"${DPKG[@]}" -i "$deb" >"$root/dpkg.log" 2>&1 || { cat "$root/dpkg.log"; exit 1; }

fail() { echo "packaging: FAIL: $*" >&2; exit 1; }
[ "$(readlink "$root/usr/bin/softphone")" = /opt/softphone/softphone ] \
  || fail "/usr/bin/softphone does not point to /opt/softphone/softphone"
desktop="$root/usr/share/applications/softphone.desktop"
grep -qx 'Exec=softphone %u' "$desktop" || fail "desktop entry: Exec"
grep -qx 'MimeType=x-scheme-handler/sip;x-scheme-handler/sips;x-scheme-handler/tel;' "$desktop" \
  || fail "desktop entry: MimeType"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi
for size in 16 32 48 64 128 256 512; do
  [ -s "$root/usr/share/icons/hicolor/${size}x${size}/apps/softphone.png" ] || fail "icon $size"
done
[ -s "$root/usr/share/icons/hicolor/scalable/apps/softphone.svg" ] || fail "scalable icon"
for script in postinst postrm; do
  # Maintainer scripts must never reach into home folders.
  ! grep -v '^ *#' "$root/var/lib/dpkg/info/softphone.$script" \
    | grep -nE 'rm |\.local|HOME|/home|/root|XDG_' || fail "$script touches user data"
done

echo "== packaging: smoke test of the installed program"
"$PY" packaging/smoke.py "$root/opt/softphone/softphone" --peer sipp

echo "== packaging: remove and purge keep users' data"
home="$root/home/alice/.local/share/softphone"
mkdir -p "$home/recordings"
echo "not a real database" > "$home/history.sqlite3"
echo "{}" > "$home/settings.json"
touch "$home/recordings/2026-01-01_outgoing_alice_x.wav"
before=$(cd "$home" && find . -type f -exec sha256sum {} + | sort)
"${DPKG[@]}" -r softphone >/dev/null
[ ! -e "$root/opt/softphone" ] || fail "/opt/softphone left after remove"
"${DPKG[@]}" -P softphone >/dev/null
! "${DPKG[@]}" -s softphone >/dev/null 2>&1 || fail "package still known after purge"
after=$(cd "$home" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "user data changed by remove/purge"

echo "packaging: PASS in $(( $(date +%s) - start ))s"
