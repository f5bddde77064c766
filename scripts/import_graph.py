"""Print the import graph between softphone's top-level packages (and pjsua2, PySide6).

Usage: .venv/bin/python scripts/import_graph.py [path containing the softphone package]
Built with grimp (import-linter's own graph), so it agrees with `lint-imports`.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import grimp

WATCHED_EXTERNAL = ("pjsua2", "PySide6", "qasync")


def top(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "softphone" else parts[0]


def main() -> int:
    if len(sys.argv) > 1:
        sys.path.insert(0, sys.argv[1])
    graph = grimp.build_graph("softphone", include_external_packages=True)
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for module in graph.modules:
        if not module.startswith("softphone"):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = top(module), top(imported)
            if a != b and (b.startswith("softphone") or b in WATCHED_EXTERNAL):
                edges[(a, b)] += 1
    for (a, b), count in sorted(edges.items()):
        print(f"{a} -> {b}  ({count} import{'s' if count != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
