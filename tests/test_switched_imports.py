"""A name bound by an if/else switch of imports (`if TF_KERAS: from tensorflow.python import
keras` / `else: import keras`): a use is reported and fixed only when every binding reads as the
same API, since a rewrite right for one binding would break the other."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.conftest import write

Run = Callable[..., subprocess.CompletedProcess[str]]

SWITCH = """\
    import os

    if os.environ.get("TF_KERAS", "0") != "0":
        from tensorflow.python import keras
    else:
        import keras

    utils = keras.utils
    Layer = keras.engine.Layer
"""


def test_every_binding_keras_is_fixed_and_a_disagreeing_use_is_left(
    tmp_path: Path, tfmend: Run
) -> None:
    write(tmp_path, {"backend.py": SWITCH})
    check = tfmend("check", "backend.py", cwd=tmp_path)
    assert check.stdout.splitlines() == [
        "backend.py:4:35: TFM362 `tensorflow.python.keras` (tensorflow.python.keras) is "
        "TensorFlow's frozen private copy of Keras 2, no longer `tf.keras`; use `tf.keras` "
        "[*unsafe]",
        # Both bindings read `keras.engine.Layer`; `keras.utils` of the frozen copy is no API of
        # the other binding's, so it is left alone (`tf.keras.utils` would be a NameError there).
        "backend.py:9:9: TFM8106 `keras.engine.Layer` (keras.engine.Layer) is gone with the "
        "Keras 2 module `keras.engine`; Keras 3 has it as `keras.layers.Layer` [*]",
        "Found 2 problems (1 fixable with `tfmend fix`; target tensorflow).",
    ]
    fix = tfmend("fix", "--unsafe-fixes", "backend.py", cwd=tmp_path)
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert (tmp_path / "backend.py").read_text() == (
        "import os\n\n"
        'if os.environ.get("TF_KERAS", "0") != "0":\n'
        "    from tensorflow import keras\n"
        "else:\n"
        "    import keras\n\n"
        "utils = keras.utils\n"
        "Layer = keras.layers.Layer\n"
    )
