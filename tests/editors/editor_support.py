"""Shared pieces of the real-editor tests (the fixtures are in conftest.py): where
`.ci/install-editors.sh` put the editors, the legacy Keras 2 project they open, and the expected
result (what `tfmend fix` makes of it).

The editors run the real server (`python -m tfmend serve`) with the interpreter running pytest,
which must have tfmend and TensorFlow installed (validation runs TensorFlow). An editor that is
not installed fails the test under CI (CI=true) and skips it elsewhere, naming the installer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"
ARTIFACTS = REPO / "test-artifacts"
CACHE = Path(
    os.environ.get("TFMEND_EDITORS_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tfmend-editors"
)
VALIDATION_TIMEOUT_S = 180
"""Validation imports TensorFlow in a worker: allow for a slow, busy machine."""

LEGACY = '''\
"""Per-row and per-column maxima, written for Keras 2 (`keras.backend` is gone in Keras 3)."""

import numpy as np
from keras import backend as K


def row_max(x):
    return K.max(x, axis=1)


def column_max(x):
    return K.max(x, axis=0, keepdims=True)


if __name__ == "__main__":
    data = np.arange(6, dtype="float32").reshape(2, 3)
    print("rows", np.asarray(row_max(data)).tolist())
    print("columns", np.asarray(column_max(data)).tolist())
'''
"""The legacy file every editor opens: two findings with safe fixes under the default target
(`K.max` → `tf.reduce_max`) on lines 8 and 12, column 12."""
LEGACY_OUTPUT = "rows [2.0, 5.0]\ncolumns [[3.0, 4.0, 5.0]]\n"
"""What the fixed program prints."""
FINDINGS = ((8, 12), (12, 12))
"""1-based line and column of each finding in LEGACY."""
QUICK_FIX = r"Replace .K\.max. with .tensorflow\.reduce_max."
"""A regular expression matching the title of the findings' quick fix."""

SECOND = """\
from keras import backend as K


def width(x):
    return K.int_shape(x)[-1]
"""
"""A second file, fixed on save by `editor.codeActionsOnSave` in VS Code. Its fix is unsafe, so
it is applied only if the editor's `tfmend.unsafeFixes: true` reached the server."""


NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "id": "imports", "metadata": {},
         "outputs": [], "source": ["import numpy as np\n", "from keras import backend as K"]},
        {"cell_type": "markdown", "id": "note", "metadata": {},
         "source": ["The next cell uses the name imported in the first one."]},
        {"cell_type": "code", "execution_count": None, "id": "use", "metadata": {},
         "outputs": [], "source": ["K.max(np.ones((2, 3)), axis=1)"]},
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}  # fmt: skip
"""A notebook whose third cell uses a name imported in the first: one finding, in cell 3."""


def require(path: str | Path | None, what: str) -> Path:
    """The path of an installed editor part; else fail (CI) or skip (elsewhere), naming the
    installer."""
    if path is not None and Path(path).exists():
        return Path(path)
    message = f"{what} is not installed: run .ci/install-editors.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def which(name: str) -> Path | None:
    found = shutil.which(name)
    return Path(found) if found else None


def server_command() -> list[str]:
    """The tfmend server as an editor would start it from this environment."""
    return [sys.executable, "-m", "tfmend", "serve"]


def expected_fix(source: str, tmp: Path, *, unsafe: bool = False, name: str = "expected.py") -> str:
    """What `tfmend fix` (the CLI) makes of `source`: the editors must produce the same text."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / name
    path.write_text(source, encoding="utf-8")
    flags = ["--unsafe-fixes"] if unsafe else []
    subprocess.run([sys.executable, "-m", "tfmend", "fix", "--no-progress", *flags, str(path)],
                   capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return path.read_text(encoding="utf-8")


def findings(path: Path) -> list[tuple[str, int, int]]:
    """(code, line, column) of each finding `tfmend check` reports, 1-based."""
    proc = subprocess.run([sys.executable, "-m", "tfmend", "check", "--no-progress",
                           "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return [(f["code"], f["start"]["line"], f["start"]["column"]) for f in json.loads(proc.stdout)]


def run_fixed_program(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the fixed file with this interpreter (Keras 3 on TensorFlow)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=300, env=env, check=False, cwd=path.parent)  # fmt: skip


def tfmend_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tfmend", "check", "--no-progress", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
