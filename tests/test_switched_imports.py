"""A name bound by an if/else switch of imports (`if TF_KERAS: from tensorflow.python import
keras` / `else: import keras`): a use is reported and fixed only when every binding reads as the
same API, since a rewrite right for one binding would break the other."""

from __future__ import annotations

import json
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


def test_every_binding_keras_is_fixed_with_the_switchs_import(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"backend.py": SWITCH})
    check = tfmend("check", "backend.py", cwd=tmp_path)
    assert check.stdout.splitlines() == [
        "backend.py:4:35: TFM362 `tensorflow.python.keras` (tensorflow.python.keras) is "
        "TensorFlow's frozen private copy of Keras 2, no longer `tf.keras`; use `tf.keras` "
        "[*unsafe]",
        # `keras.utils` of the frozen copy: the fix of the import makes it `tf.keras.utils`, the
        # other binding's Keras 3 module, with the use's text as it is.
        "backend.py:8:9: TFM362 `keras` (tensorflow.python.keras) is TensorFlow's frozen private "
        "copy of Keras 2, no longer `tf.keras`; use `tf.keras` [*unsafe]",
        # Both bindings read `keras.engine.Layer`: fixed.
        "backend.py:9:9: TFM8106 `keras.engine.Layer` (keras.engine.Layer) is gone with the "
        "Keras 2 module `keras.engine`; Keras 3 has it as `keras.layers.Layer` [*]",
        "Found 3 problems (1 fixable with `tfmend fix`; target tensorflow).",
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


def test_a_use_the_bindings_read_differently_is_reported_without_a_fix(
    tmp_path: Path, tfmend: Run
) -> None:
    # `tf.keras.backend.mean` still works (Keras 3's legacy tf.keras backend); `keras.backend.mean`
    # does not: which one runs depends on the environment.
    write(tmp_path, {"loss.py": """\
        import os

        if os.environ.get("TF_KERAS"):
            import tensorflow.keras.backend as K
        else:
            import keras.backend as K

        y = K.mean(x)
    """})  # fmt: skip
    check = tfmend("check", "--format", "json", "loss.py", cwd=tmp_path)
    [finding] = json.loads(check.stdout)
    assert (finding["code"], finding["start"]["line"], finding["fix"], finding["fix_note"]) == (
        "TFM401",
        8,
        "none",
        "the name is bound by imports that read it as different APIs (an if/else switch): a "
        "rewrite right for one would break the other",
    )


def test_a_reexported_tf_keras_or_keras_switch_reads_as_keras(tmp_path: Path, tfmend: Run) -> None:
    # `tf.keras.backend.mean` is a legacy copy Keras 3 keeps, `keras.backend.mean` is gone: the
    # re-export is read as `keras`, where the program fails when the switch takes `import keras`.
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/backend.py": (
            "import os\n"
            "if os.environ.get('TF_KERAS', '0') != '0':\n"
            "    from tensorflow import keras\n"
            "else:\n"
            "    import keras\n"
            "backend = keras.backend\n"
        ),
        "pkg/norm.py": (
            "from .backend import backend as K\n"
            "\n"
            "def center(x):\n"
            "    return x - K.mean(x, axis=-1, keepdims=True)\n"
        ),
    })  # fmt: skip
    check = tfmend("check", "--no-cache", "pkg", cwd=tmp_path)
    assert check.stdout.splitlines() == [
        "pkg/norm.py:4:16: TFM401 `K.mean` (keras.backend.mean) was removed in Keras 3; use "
        "`tf.reduce_mean` [*]",
        "Found 1 problem (1 fixable with `tfmend fix`; target tensorflow).",
    ]
