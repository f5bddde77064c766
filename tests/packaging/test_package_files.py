"""The packaging files, checked without building anything (the build itself is
packaging/test-bundle.sh, run by CI after pytest)."""

from __future__ import annotations

import configparser
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
WORKFLOW = ROOT / ".github" / "workflows" / "desktop-bundles.yml"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(PACKAGING / "linux" / "softphone.desktop")
    return parser["Desktop Entry"]


def test_desktop_entry_handles_sip_sips_tel_links() -> None:
    entry = desktop_entry()
    assert entry["Exec"] == "softphone %u"  # %u: one URL, what `softphone URL` takes
    assert entry["Icon"] == "softphone"
    assert entry["Terminal"] == "false"
    schemes = [m.removeprefix("x-scheme-handler/") for m in entry["MimeType"].split(";") if m]
    assert schemes == ["sip", "sips", "tel"]


@pytest.mark.parametrize("script", ["postinst", "postrm"])
def test_maintainer_scripts_never_touch_user_data(script: str) -> None:
    path = PACKAGING / "linux" / script
    code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
    body = "\n".join(code)
    for forbidden in ("rm ", ".local", "HOME", "/home", "/root", "XDG_", "getent", "softphone/"):
        assert forbidden not in body, f"{script} mentions {forbidden!r}"
    assert path.stat().st_mode & 0o111, f"{script} must be executable"
    result = subprocess.run(["sh", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_deb_depends_on_the_libraries_qt_loads_at_run_time() -> None:
    control = (PACKAGING / "linux" / "control.in").read_text()
    depends = re.search(r"^Depends: (.*)$", control, re.M)
    assert depends
    for lib in ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1",
                "libxcb-icccm4", "libxcb-keysyms1", "libdbus-1-3"):
        assert lib in depends.group(1)


def test_icons_exist_in_every_size() -> None:
    res = ROOT / "resources"
    assert (res / "softphone.svg").read_text().lstrip().startswith("<?xml")
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = (res / "png" / f"softphone-{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (size, size)
    assert (res / "softphone.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (res / "softphone.icns").read_bytes()[:4] == b"icns"


def _pins(text: str) -> set[str]:
    return set(re.findall(r"pyinstaller(?:-hooks-contrib)?==[0-9.]+", text))


def test_workflow_builds_all_three_with_the_same_pins_and_smoke_test() -> None:
    text = WORKFLOW.read_text()
    assert _pins(text) == _pins((PACKAGING / "build-linux.sh").read_text())
    assert len(_pins(text)) == 2
    for job in ("linux:", "windows:", "macos:"):
        assert f"\n  {job}\n" in text
    assert "packaging/test-bundle.sh" in text  # Linux: the same script CI runs
    assert "python packaging/smoke.py" in text and "python packaging\\smoke.py" in text
    assert text.count("--peer pjsua") == 2
    assert "softphone.iss" in text and "hdiutil create" in text
    assert (PACKAGING / "windows" / "softphone.iss").is_file()


def test_workflow_is_valid_yaml_with_three_jobs() -> None:
    yaml = pytest.importorskip("yaml")  # PyYAML: not a test dependency (yet)
    text = WORKFLOW.read_text()
    workflow = yaml.safe_load(text)
    assert set(workflow["jobs"]) == {"linux", "windows", "macos"}
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step


def test_installer_registers_links_and_keeps_user_data() -> None:
    lines = (PACKAGING / "windows" / "softphone.iss").read_text().splitlines()
    iss = "\n".join(line for line in lines if not line.startswith(";"))
    for scheme in ("sip", "sips", "tel"):
        assert f'Subkey: "Software\\Classes\\{scheme}\\shell\\open\\command"' in iss
    assert "[UninstallDelete]" not in iss
    assert "LOCALAPPDATA" not in iss.split("[Setup]", 1)[1]


def test_spec_collects_pjsua2_and_makes_a_mac_app_with_url_schemes() -> None:
    spec = (PACKAGING / "softphone.spec").read_text()
    assert 'collect_all(package)' in spec and '"pjsua2"' in spec
    assert '"CFBundleURLSchemes": ["sip", "sips", "tel"]' in spec
    assert '("u", None, "OPTION")' in spec
