"""The bundled legacy example: `tfmend fix` with no flags fixes all of it, and it then runs."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_python

Run = Callable[..., subprocess.CompletedProcess[str]]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
USE = """\
import tensorflow as tf
import legacy_keras as legacy

loss = legacy.weighted_mse(tf.constant([[1.0, 1.0, 1.0]]), tf.constant([[2.0, 3.0, 1.0]]))
layer = legacy.Scale()
layer.build((None, 3))
scaled = layer.call(tf.constant([[1.0, 2.0, 3.0]]))
with tf.compat.v1.Session() as session:
    print(session.run(loss), session.run(scaled), layer.axis, legacy.gpus())
"""


@pytest.mark.tensorflow
def test_fix_without_flags_leaves_nothing_and_the_example_runs(tmp_path: Path, tfmend: Run) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    fixed = tfmend("fix", "--no-progress", "examples/legacy_keras.py", cwd=tmp_path)
    assert (fixed.returncode, fixed.stderr) == (0, "Fixed 8 problems in 1 file; 0 remaining.\n")
    assert (
        tfmend("check", "examples/legacy_keras.py", cwd=tmp_path).stdout
        == "All checks passed (target tensorflow).\n"
    )
    (tmp_path / "examples" / "use.py").write_text(USE)
    ran = run_python(tmp_path / "examples" / "use.py")
    assert ran.returncode == 0, ran.stderr[-3000:]
    # Keras 2: mean((1, 2, 4) * (1, 2, 0.5)) = 3.0; the layer scales by the row sum, 6.
    assert ran.stdout == "[3.] [[ 6. 12. 18.]] -1 []\n"


def test_fix_without_flags_leaves_only_the_unsafe_layer_fixes_in_the_examples(
    tmp_path: Path, tfmend: Run
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    fixed = tfmend("fix", "--no-progress", "--no-surface", "examples", cwd=tmp_path)
    assert fixed.stderr == "Fixed 19 problems in 2 files; 2 remaining.\n"
    left = tfmend("check", "--no-surface", "--format", "json", "examples", cwd=tmp_path)
    remaining = json.loads(left.stdout)
    # The dense layers' fix is unsafe: Keras 3 names their variables its own way.
    assert [(item["code"], item["fix"]) for item in remaining] == [
        ("TFM6050", "unsafe"),
        ("TFM6050", "unsafe"),
    ]
