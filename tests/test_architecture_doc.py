"""docs/architecture.md draws the tree as it is: every engine module has its row."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "server" / "tfmend"


def test_every_module_is_in_the_architecture_table() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).with_suffix("").as_posix()
        if path.name in ("__init__.py", "__main__.py", "tfworker.py"):  # the worker is drawn
            continue
        folder = name.split("/")[0]
        if f"`{name}`" not in doc and f"`{folder}/*`" not in doc:
            missing.append(name)
    assert missing == []


def test_every_folder_is_drawn() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawing = doc[doc.index("```") : doc.index("```", doc.index("```") + 3)]
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert [f for f in folders if f"{f}/" not in drawing] == []
