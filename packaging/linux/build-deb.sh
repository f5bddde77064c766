#!/usr/bin/env bash
# Wrap the PyInstaller one-folder bundle in a .deb:
#   packaging/linux/build-deb.sh dist/bundle/softphone dist
# Layout: /opt/softphone/ (the bundle), /usr/bin/softphone -> /opt/softphone/softphone,
# /usr/share/applications/softphone.desktop (sip:, sips:, tel: handler), icons in hicolor.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundle="$(cd "$1" && pwd)"
out="$(mkdir -p "$2" && cd "$2" && pwd)"
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/softphone/__init__.py")"
arch="$(dpkg --print-architecture)"

stage="$root/build/deb/softphone_${version}_${arch}"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
         "$stage/usr/share/doc/softphone"
cp -a "$bundle" "$stage/opt/softphone"
ln -s /opt/softphone/softphone "$stage/usr/bin/softphone"
install -m 0644 "$here/softphone.desktop" "$stage/usr/share/applications/softphone.desktop"
for png in "$root"/resources/png/softphone-*.png; do
  size="$(basename "$png" .png)"; size="${size#softphone-}"
  install -D -m 0644 "$png" "$stage/usr/share/icons/hicolor/${size}x${size}/apps/softphone.png"
done
install -D -m 0644 "$root/resources/softphone.svg" \
  "$stage/usr/share/icons/hicolor/scalable/apps/softphone.svg"
cat > "$stage/usr/share/doc/softphone/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: softphone

Files: *
License: MIT
Comment: bundles CPython (PSF), Qt 6 and PySide6 (LGPL-3), PJSIP (GPL-2+) and their
 dependencies; see the licence files inside /opt/softphone/_internal.
COPY
install -m 0755 "$here/postinst" "$here/postrm" "$stage/DEBIAN/"
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
  "$here/control.in" > "$stage/DEBIAN/control"
# Modes dpkg expects, whatever the umask of the build machine.
find "$stage" -type d -exec chmod 0755 {} +
deb="$out/softphone_${version}_${arch}.deb"
# xz reads everywhere (zstd needs dpkg >= 1.21.18). Level 6 (release) takes 1-2 min on
# 2 cores for 8 MB less than level 1 (~15 s): CI's packaging test sets DEB_XZ_LEVEL=1.
dpkg-deb --root-owner-group -Zxz "-z${DEB_XZ_LEVEL:-6}" --build "$stage" "$deb" >/dev/null
echo "$deb"
