"""The installed API surface in `tfmend check`: what no rule names, but the environment lacks."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import write

pytestmark = pytest.mark.tensorflow
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One surface cache for the module: the first check builds it (imports TensorFlow once)."""
    return tmp_path_factory.mktemp("surface-cache")


def test_missing_names_are_reported_with_suggestions(
    tmp_path: Path, tfmend: Run, cache_dir: Path
) -> None:
    write(tmp_path, {"model.py": """\
        import keras
        import tensorflow as tf
        from keras.layers import Densse
        y = keras.ops.meen(x)
        z = tf.keras.backend.mean(x)
        w = tf.nn.relu(x)
    """})  # fmt: skip
    args = ("--python", sys.executable, "--cache-dir", str(cache_dir), "--select", "TFM8")
    result = tfmend("check", *args, "model.py", cwd=tmp_path)
    keras_version = version("keras")
    assert result.stdout.splitlines() == [
        f"model.py:3:26: TFM801 `keras.layers.Densse` (keras.layers.Densse) does not exist in "
        f"Keras {keras_version} installed at {sys.executable}; did you mean `keras.layers.Dense`?",
        f"model.py:4:5: TFM801 `keras.ops.meen` (keras.ops.meen) does not exist in Keras "
        f"{keras_version} installed at {sys.executable}; did you mean `keras.ops.mean`, "
        "`keras.ops.median`?",
        "Found 2 problems (0 fixable with `tfmend fix`; target tensorflow).",
    ]
    assert result.returncode == 1


def test_a_rule_is_quiet_when_the_installed_version_still_has_the_name(
    tmp_path: Path, tfmend: Run, cache_dir: Path
) -> None:
    # tf.keras.backend.mean is kept by Keras 3's legacy tf.keras backend; keras.backend.mean is not.
    write(tmp_path, {"model.py": """\
        import keras
        import tensorflow as tf
        a = tf.keras.backend.mean(x)
        b = keras.backend.mean(x)
    """})  # fmt: skip
    args = ("--python", sys.executable, "--cache-dir", str(cache_dir), "--select", "TFM4,TFM8")
    result = tfmend("check", "--format", "json", *args, "model.py", cwd=tmp_path)
    assert result.returncode == 1
    assert '"line": 4' in result.stdout
    assert '"line": 3' not in result.stdout


def test_private_tensorflow_modules_are_not_reported_missing(
    tmp_path: Path, tfmend: Run, cache_dir: Path
) -> None:
    # The surface does not walk `tensorflow.python`: its modules are unknown, not missing.
    write(tmp_path, {"model.py": """\
        from tensorflow.python.util import nest
        from tensorflow.python.ops import array_ops
        flat = nest.flatten(state)
    """})  # fmt: skip
    args = ("--python", sys.executable, "--cache-dir", str(cache_dir))
    result = tfmend("check", *args, "model.py", cwd=tmp_path)
    assert result.stdout == "All checks passed (target tensorflow).\n"
    assert result.returncode == 0


def test_an_import_the_replacement_module_lacks_is_left_with_the_reason(
    tmp_path: Path, tfmend: Run, cache_dir: Path
) -> None:
    # TensorFlow's private Keras 2 copy has LSTMV1; tf.keras.layers (Keras 3) has no such layer.
    write(tmp_path, {"model.py": """\
        from tensorflow.python.keras.layers import LSTMV1, Dense
        from tensorflow.python.keras.layers import LSTM
        rnn = LSTMV1(8)
    """})  # fmt: skip
    args = ("--python", sys.executable, "--cache-dir", str(cache_dir), "--unsafe-fixes")
    assert tfmend("fix", *args, "model.py", cwd=tmp_path).returncode == 1
    assert (tmp_path / "model.py").read_text() == (
        "from tensorflow.python.keras.layers import LSTMV1, Dense\n"
        "from tensorflow.keras.layers import LSTM\n"
        "rnn = LSTMV1(8)\n"
    )
    check = tfmend("check", "--format", "json", *args[:4], "model.py", cwd=tmp_path)
    notes = {(f["name"], f["fix"], f["fix_note"]) for f in json.loads(check.stdout)}
    absent = "`tensorflow.keras.layers.LSTMV1` does not exist in the installed version"
    assert notes == {
        ("tensorflow.python.keras.layers.LSTMV1", "none", absent),
        ("tensorflow.python.keras.layers.Dense", "none", absent),
    }


def test_without_tensorflow_the_catalog_alone_is_used(tmp_path: Path, tfmend: Run) -> None:
    bare = tmp_path / "bare-env"
    venv.create(bare, with_pip=False)
    write(tmp_path, {"model.py": "import keras.backend as K\ny = K.mean(x)\n"})
    result = tfmend("check", "--python", str(bare / "bin" / "python"), "model.py", cwd=tmp_path)
    assert result.stderr == (
        f"tfmend: TensorFlow is not installed in {bare / 'bin' / 'python'}; checking with the "
        "rule catalog alone\n"
    )
    assert result.stdout.startswith("model.py:2:5: TFM401 ")


def test_a_missing_interpreter_is_a_clear_error(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": "import keras\n"})
    result = tfmend("check", "--python", str(tmp_path / "nope" / "python"), ".", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr == f"tfmend: Python interpreter not found: {tmp_path / 'nope' / 'python'}\n"
    )
