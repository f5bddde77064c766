"""Render resources/softphone.svg to the PNG sizes, a Windows .ico and a macOS .icns.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

PNGs are rendered by Qt's own SVG renderer (QtSvg is in PySide6-Essentials). The .ico and
.icns need Pillow, a build-time tool only (``pip install pillow``); without it they are
skipped. The outputs are committed: builds use them as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RES = ROOT / "resources"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render_pngs() -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(RES / "softphone.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/softphone.svg is not a valid SVG")
    out = []
    (RES / "png").mkdir(exist_ok=True)
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = RES / "png" / f"softphone-{size}.png"
        if not image.save(str(path)):
            raise SystemExit(f"cannot write {path}")
        out.append(path)
    return out


def write_ico_icns() -> None:
    try:
        from PIL import Image
    except ImportError:
        print("Pillow not installed: .ico and .icns skipped", file=sys.stderr)
        return
    big = Image.open(RES / "png" / "softphone-512.png").convert("RGBA")
    big.save(RES / "softphone.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(RES / "softphone.icns")


def main() -> int:
    for path in render_pngs():
        print(path.relative_to(ROOT))
    write_ico_icns()
    return 0


if __name__ == "__main__":
    sys.exit(main())
