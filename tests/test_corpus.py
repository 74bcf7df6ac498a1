"""Legacy PyPI packages: after `tfmend fix`, every file parses, nothing fixable is left."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.corpus import KERAS2, TF1, fetch

pytestmark = [pytest.mark.corpus, pytest.mark.slow]
Run = Callable[..., subprocess.CompletedProcess[str]]

FAMILIES = {"keras2": ("TFM4", "TFM5", "TFM6"), "tf1": ("TFM1", "TFM2", "TFM3", "TFM7")}


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


@pytest.mark.parametrize(
    ("requirement", "kind", "family"),
    [pytest.param(r, k, "keras2", id=r) for r, k in KERAS2]
    + [pytest.param(r, k, "tf1", id=r) for r, k in TF1],
)
def test_fix_leaves_parsable_code_and_only_manual_findings(
    tmp_path: Path, tfmend: Run, requirement: str, kind: str, family: str
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(fetch(requirement, kind), tree)
    files = sorted(tree.rglob("*.py"))
    parsed_before = {path for path in files if _parses(path)}
    before = {path: path.read_bytes() for path in files}

    fixed = tfmend("fix", "--unsafe-fixes", "--no-progress", ".", cwd=tree)
    assert fixed.returncode in (0, 1), fixed.stderr
    assert "Traceback" not in fixed.stderr

    for path in files:
        if path in parsed_before:
            assert _parses(path), f"{path.relative_to(tree)} no longer parses after fix"
        else:
            assert path.read_bytes() == before[path], f"{path} did not parse but was changed"

    check = tfmend("check", "--format", "json", "--no-progress", ".", cwd=tree)
    findings = json.loads(check.stdout)
    internal = [f for f in findings if f["code"] == "TFM903"]
    assert internal == []
    left = [
        f"{f['path']}:{f['start']['line']}: {f['code']} {f['message']}"
        for f in findings
        if f["code"].startswith(FAMILIES[family]) and f["fix"] != "none"
    ]
    assert left == [], "fixable findings left after fix:\n" + "\n".join(left[:20])
