"""Reading a `tfmend report` page back in headless Chromium, and the figures it must show,
computed independently from `tfmend check --format json`."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "vscode-client" / "node_modules"
READER = Path(__file__).with_name("report_page.cjs")
KINDS = {"safe": "safe", "unsafe": "unsafe", "none": "manual"}
KIND_COLUMNS = ("safe", "unsafe", "manual")


def _require(found: bool, what: str) -> None:
    """Fail under CI, skip elsewhere, naming the installer."""
    if found:
        return
    message = f"{what} is not installed: run .ci/install-editors.sh (make editors)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def read_page(report: Path, screenshot: Path | None = None) -> dict[str, Any]:
    """What Chromium shows of the report (see tests/report_page.cjs)."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    _require(Path(chromium).exists(), "Chromium")
    _require(shutil.which("node") is not None, "Node.js")
    _require((NODE_MODULES / "playwright-core").is_dir(), "playwright-core (vscode-client)")
    args = ["node", str(READER), str(report)] + ([str(screenshot)] if screenshot else [])
    proc = subprocess.run(
        args,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES), "CHROMIUM": chromium},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    page: dict[str, Any] = json.loads(proc.stdout)
    return page


def _counts(findings: list[dict[str, Any]]) -> list[str]:
    """Table cells of a group: safe, unsafe, manual, total."""
    kinds = Counter(KINDS[f["fix"]] for f in findings)
    return [str(kinds[k]) for k in KIND_COLUMNS] + [str(len(findings))]


def _grouped(findings: list[dict[str, Any]], key: Any) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        groups.setdefault(key(finding), []).append(finding)
    return groups


def assert_page_matches(
    page: dict[str, Any], findings: list[dict[str, Any]], *, files: int, root: Path
) -> None:
    """The page's figures, tables, bars and links equal what the JSON findings say (`root`:
    where `check` ran, which its paths are relative to)."""
    assert page["requests"] == [], "the report must not load anything"
    assert page["errors"] == []
    kinds = Counter(KINDS[f["fix"]] for f in findings)
    paths = {f["path"] for f in findings}
    metrics = page["metrics"]
    assert metrics["findings"] == len(findings)
    assert (metrics["safe"], metrics["unsafe"], metrics["manual"]) == (
        kinds["safe"],
        kinds["unsafe"],
        kinds["manual"],
    )
    assert metrics["files-with-findings"] == len(paths)
    assert metrics["files-checked"] == files
    assert metrics["manual-listed"] == kinds["manual"]
    assert metrics["unsafe-listed"] == kinds["unsafe"]
    assert {row["key"]: row["cells"][1] for row in page["kinds"]} == {
        k: str(kinds[k]) for k in KIND_COLUMNS
    }

    directories = _grouped(findings, lambda f: posixpath.dirname(f["path"]) or ".")
    assert {row["key"]: row["cells"][1:] for row in page["directories"]} == {
        d: [str(len({f["path"] for f in members})), *_counts(members)]
        for d, members in directories.items()
    }
    families = _grouped(findings, lambda f: f"TFM{f['code'][3]}xx")
    assert {row["key"]: row["cells"][1:] for row in page["families"]} == {
        family: _counts(members) for family, members in families.items()
    }
    codes = _grouped(findings, lambda f: f["code"])
    assert {row["key"]: row["cells"][1:] for row in page["codes"]} == {
        code: _counts(members) for code, members in codes.items()
    }
    by_file = _grouped(findings, lambda f: f["path"])
    assert {row["key"]: row["cells"][1] for row in page["files"]} == {
        path: str(len(members)) for path, members in by_file.items()
    }

    # The charts draw the same figures, with bars that have a size on screen.
    charts = {chart["label"]: chart for chart in page["charts"]}
    share = charts[next(label for label in charts if label.startswith("Findings by fix kind"))]
    assert {s["kind"]: s["count"] for s in share["segments"]} == {
        k: n for k, n in kinds.items() if n
    }
    for label, groups in (
        ("Findings by rule family", families),
        ("Findings by directory", directories),
    ):
        chart = charts[label]
        assert chart["height"] > 0
        bars = {bar["key"]: bar for bar in chart["bars"]}
        assert {key: bar["count"] for key, bar in bars.items()} == {
            key: len(members) for key, members in groups.items()
        }
        for key, bar in bars.items():
            drawn = Counter({s["kind"]: s["count"] for s in bar["segments"]})
            assert drawn == Counter(KINDS[f["fix"]] for f in groups[key])
            assert all(s["width"] > 0 for s in bar["segments"])

    # Each manual finding links to its rule page and to its source line.
    manual = [f for f in findings if f["fix"] == "none"]
    assert [(m["code"], m["rule"]) for m in page["manual"]] == [
        (f["code"], f["docs"]) for f in manual
    ]
    for shown, finding in zip(page["manual"], manual, strict=True):
        cell = f"cell {finding['cell']}:" if "cell" in finding else ""
        line, column = finding["start"]["line"], finding["start"]["column"]
        assert shown["where"] == f"{finding['path']}:{cell}{line}:{column}"
        source = urlsplit(shown["source"])
        assert source.fragment == f"L{line}"
        assert Path(unquote(source.path)).resolve() == (root / finding["path"]).resolve()
