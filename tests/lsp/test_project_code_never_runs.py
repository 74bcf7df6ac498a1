"""`check`, `fix`, the server's diagnostics and the installed-surface worker read the project's
code and never import or run it, even when it shadows TensorFlow, Keras or Python's start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.harness import surface_server

SHADOWS = ("tensorflow", "keras", "sitecustomize", "usercustomize", "conftest", "helpers")
"""Project modules named like what tfmend, its worker, Python or pytest might import."""

MODEL = """\
import tensorflow as tf
import keras
import keras.wrappers.scikit_learn as KW
import sitecustomize
import usercustomize
import conftest
import helpers
from keras import backend as K

y = K.mean(x)
session = tf.Session()
"""


def project(root: Path, markers: Path) -> Path:
    """A project whose every module leaves a marker file when it is imported."""
    root.mkdir()
    markers.mkdir()
    for name in SHADOWS:
        (root / f"{name}.py").write_text(
            f"import pathlib\npathlib.Path({str(markers / name)!r}).write_text('imported')\n",
            encoding="utf-8",
        )
    (root / "model.py").write_text(MODEL, encoding="utf-8")
    return root


def tfmend(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, run in the project as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tfmend", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.tensorflow
async def test_no_project_module_is_imported(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    root = project(tmp_path / "project", markers)
    surface = ("--python", sys.executable, "--cache-dir", str(tmp_path / "cli-cache"))
    # The first check builds the surface index: the worker imports the real TensorFlow.
    checked = tfmend(root, "check", "--no-progress", *surface, "model.py")
    assert checked.returncode == 1, checked.stderr
    # keras.wrappers.scikit_learn: from the surface alone
    assert "model.py:3:8: TFM801 " in checked.stdout
    assert "model.py:10:5: TFM401 " in checked.stdout
    fixed = tfmend(root, "fix", "--no-progress", *surface, "model.py")
    assert fixed.returncode == 1, fixed.stderr
    assert "K.mean" not in (root / "model.py").read_text()
    (root / "model.py").write_text(MODEL, encoding="utf-8")

    cache = tmp_path / "server-cache"  # a fresh index: the server starts the worker too
    async with surface_server(root, cache, "model.py", MODEL) as (client, _, uri):
        codes = {str(d.code) for d in client.publishes(uri)[-1].diagnostics}
        assert {"TFM401", "TFM801"} <= codes
    assert sorted(p.name for p in markers.iterdir()) == []
    # Imported, each module does leave its marker (-S: no sitecustomize imported before).
    subprocess.run(
        [sys.executable, "-S", "-c", f"import {', '.join(SHADOWS)}"], cwd=root, check=True
    )
    assert sorted(p.name for p in markers.iterdir()) == sorted(SHADOWS)
