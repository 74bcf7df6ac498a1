"""Legacy PyPI packages: after `tfmend fix`, every file parses, nothing fixable is left, and
each reference to an API the installed TensorFlow/Keras lacks is on a line with a finding."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.corpus import KERAS2, TF1, fetch
from tests.missing_refs import flagged_lines, missing_references, unflagged
from tfmend.resolve.surface import Surface, load_surface

pytestmark = [pytest.mark.corpus, pytest.mark.slow, pytest.mark.tensorflow]
Run = Callable[..., subprocess.CompletedProcess[str]]

FAMILIES = {"keras2": ("TFM4", "TFM5", "TFM6"), "tf1": ("TFM1", "TFM2", "TFM3", "TFM7")}
MISSING = {"keras2": ("keras.backend.",), "tf1": ()}
"""Missing APIs (TFM801) that must not be left after a fix: every Keras 2 backend name has a rule.
TF1 code may keep TFM801 findings: they say which API the installed TensorFlow lacks."""


@pytest.fixture(scope="module")
def surface_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this interpreter's surface is cached once for the module."""
    return tmp_path_factory.mktemp("surface")


@pytest.fixture(scope="module")
def surface_args(surface_dir: Path) -> tuple[str, ...]:
    """Check against this interpreter's TensorFlow 2.21 / Keras 3 (surface cached once)."""
    return ("--python", sys.executable, "--cache-dir", str(surface_dir))


@pytest.fixture(scope="module")
def surface(surface_dir: Path) -> Surface:
    """The same surface, in this process, to count references to missing APIs."""
    return load_surface(sys.executable, surface_dir)


def _parses(path: Path) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # old packages' invalid escape sequences
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
    tmp_path: Path,
    tfmend: Run,
    surface_args: tuple[str, ...],
    surface: Surface,
    requirement: str,
    kind: str,
    family: str,
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(fetch(requirement, kind), tree)
    files = sorted(tree.rglob("*.py"))
    parsed_before = {path for path in files if _parses(path)}
    before = {path: path.read_bytes() for path in files}
    missing_before = missing_references(tree, surface)

    fixed = tfmend("fix", "--unsafe-fixes", "--no-progress", *surface_args, ".", cwd=tree)
    assert fixed.returncode in (0, 1), fixed.stderr
    assert "Traceback" not in fixed.stderr

    for path in files:
        if path in parsed_before:
            assert _parses(path), f"{path.relative_to(tree)} no longer parses after fix"
        else:
            assert path.read_bytes() == before[path], f"{path} did not parse but was changed"

    check = tfmend("check", "--format", "json", "--no-progress", *surface_args, ".", cwd=tree)
    findings = json.loads(check.stdout)
    internal = [f for f in findings if f["code"] == "TFM903"]
    assert internal == []
    left = [
        f"{f['path']}:{f['start']['line']}: {f['code']} {f['message']}"
        for f in findings
        if f["code"].startswith(FAMILIES[family]) and f["fix"] != "none"
    ]
    assert left == [], "fixable findings left after fix:\n" + "\n".join(left[:20])
    missing = [
        f"{f['path']}:{f['start']['line']}: {f['message']}"
        for f in findings
        if f["code"] == "TFM801" and MISSING[family] and f["api"].startswith(MISSING[family])
    ]
    assert missing == [], "references to missing APIs left:\n" + "\n".join(missing[:20])
    missing_after = missing_references(tree, surface)
    assert len(missing_after) <= len(missing_before)
    silent = [
        f"{r.path.relative_to(tree)}:{r.line + 1}: {r.api}"
        for r in unflagged(missing_after, flagged_lines(findings, tree))
    ]
    assert silent == [], "missing APIs left on lines with no finding:\n" + "\n".join(silent[:20])
