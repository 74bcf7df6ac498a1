"""Fixtures of the real-editor tests; the constants and helpers are in editor_support.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from editor_support import ARTIFACTS, FINDINGS, LEGACY, expected_fix, findings


@dataclass
class Project:
    root: Path
    legacy: Path
    expected: str
    """The legacy file as `tfmend fix` fixes it."""
    codes: list[str]
    """The code of each finding, in file order."""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A scratch project holding the legacy file, and the text `tfmend fix` makes of it."""
    root = tmp_path / "project"
    root.mkdir()
    legacy = root / "legacy_stats.py"
    legacy.write_text(LEGACY, encoding="utf-8")
    expected = expected_fix(LEGACY, tmp_path / "oracle")
    assert "K." not in expected, "tfmend fix no longer fixes the legacy file:\n" + expected
    found = findings(legacy)
    assert [(line, column) for _, line, column in found] == list(FINDINGS), found
    return Project(root, legacy, expected, [code for code, _, _ in found])


@pytest.fixture(scope="session")
def tensorflow_python() -> str:
    """This interpreter, checked to have tfmend and TensorFlow (validation needs both)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u; print(bool(u.find_spec('tfmend')), "
         "bool(u.find_spec('tensorflow')), bool(u.find_spec('keras')))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    if probe.stdout.split() != ["True", "True", "True"]:
        pytest.fail(f"{sys.executable} needs tfmend, tensorflow and keras (got {probe.stdout!r})")
    return sys.executable


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """test-artifacts/<test name>/, emptied first."""
    directory = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


@pytest.fixture
def timed(request: pytest.FixtureRequest) -> Iterator[Callable[[str], None]]:
    """Records how long the editor run took in test-artifacts/editor-timings.json."""
    marks: dict[str, float] = {}
    start = time.monotonic()

    def mark(name: str) -> None:
        marks[name] = round(time.monotonic() - start, 2)

    yield mark
    marks.setdefault("total", round(time.monotonic() - start, 2))
    ARTIFACTS.mkdir(exist_ok=True)
    timings = ARTIFACTS / "editor-timings.json"
    data = json.loads(timings.read_text()) if timings.exists() else {}
    data[request.node.name] = marks
    timings.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    request.node.user_properties.extend(marks.items())
