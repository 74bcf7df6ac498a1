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


MIXED = """\
\"\"\"Keras 2 helpers: a safe fix, an unsafe one, and a finding to fix by hand.\"\"\"

import tensorflow as tf
from keras import backend as K


def root(x):
    return K.sqrt(x)


def best(x):
    return tf.argmax(x, 1, "best")


def evaluate(total):
    return K.get_session().run(total)
"""
"""The file Fix all leaves work in, under the default settings: a safe fix (`K.sqrt`, whose title
must say it also clamps at 0), an unsafe one (`tf.argmax`'s late positional arguments; a
warning: the call still runs) and a finding with no automatic fix (`K.get_session`)."""
MIXED_FINDINGS = (
    ("TFM460", 8, 12, "error"),
    ("TFM243", 12, 12, "warning"),
    ("TFM604", 16, 12, "error"),
)
"""Code, 1-based line and column, and severity of each finding in MIXED."""
MIXED_TITLES = {
    8: "TFM460: Rewrite `K.sqrt(…)` as `tensorflow.sqrt(tensorflow.maximum(x, 0.0))`",
    12: "TFM243: Pass the arguments of `tf.argmax` after the first 2 arguments by keyword (unsafe)",
}
"""The quick fix offered on each line of MIXED that has one: the title names the whole edit."""
MIXED_FIX_ALL = (
    "Fix all tfmend issues (skips 1 unsafe fix: validate it, or set unsafeFixes; "
    "1 finding has no automatic fix)"
)
"""The title of MIXED's Fix all action."""
MIXED_LEFT = (
    "tfmend: Fix all (skips 1 unsafe fix: validate it, or set unsafeFixes; 1 finding has no "
    "automatic fix): TFM243 line 12 (unsafe), TFM604 line 16 (fix by hand)"
)
"""What the server says when Fix all is asked for by name (Neovim, Emacs) in MIXED."""
MIXED_LEFT_VALIDATED = (
    "tfmend: Fix all (1 finding has no automatic fix): TFM604 line 16 (fix by hand)"
)
"""What it says once the unsafe fix passed validation (Fix all then applies it)."""
MIXED_NO_FIX = "tfmend: cannot validate mixed.py: nothing to validate: no fixable finding in"
"""How the answer to validating line 16 of MIXED (no fix there) begins; it is information."""

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


def check_mixed_titles(titles: dict[int, list[str]]) -> None:
    """The code actions a client listed on each finding's line of MIXED (1-based): each quick
    fix's title names the whole edit and its safety, Fix all says what it leaves, and the line
    without a fix offers no fix and nothing to validate."""
    for line, title in MIXED_TITLES.items():
        assert title in titles[line], (line, titles[line])
        assert MIXED_FIX_ALL in titles[line], (line, titles[line])
    manual = titles[MIXED_FINDINGS[2][1]]
    assert not [t for t in manual if t.startswith(("TFM604:", "Validate this fix"))], manual
    assert "Ignore TFM604 on this line" in manual, manual


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
