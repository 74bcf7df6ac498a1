"""Keras 1 argument names that Keras 2 still converted (`keras.legacy.interfaces`) and Keras 2 model
internals Keras 3 dropped: a Keras 1 style program runs after `tfmend fix`, and the keyword fixes
convert literals, drop arguments and remove calls as their rules say."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import fix_program, write
from tfmend.api import Engine
from tfmend.catalog.rules import CatalogError, load_rules_file

Run = Callable[..., subprocess.CompletedProcess[str]]

MODEL = """\
import numpy as np
from keras.layers import Input
{imports}
from keras.models import Model

image = Input((8, 8, 1))
x = Convolution2D(nb_filter=4, kernel_size=(3, 3), border_mode="same", dim_ordering="tf",
                  init="ones", bias=False)(image)
x = MaxPooling2D(pool_size=(2, 2), border_mode="valid", dim_ordering="default")(x)
x = Convolution2D(4, 2, 2, init="ones", bias=False)(x)
x = Flatten()(x)
x = Dropout(p=0.5)(x)
scores = Dense(output_dim=2, init="ones", bias=False)(x)
words = Input((5,), dtype="int32")
y = Embedding(10, 3, init="ones", dropout=0.2)(words)
y = LSTM(output_dim=2, init="ones", inner_init="ones",
         inner_activation="sigmoid", forget_bias_init="one", consume_less="gpu")(y)
model = Model(input=[image, words], output=[scores, y])
model._make_predict_function()
outputs = model.predict([np.ones((1, 8, 8, 1)), np.ones((1, 5), "int32")], verbose=0)
print([[round(float(v), 3) for v in o.ravel()] for o in outputs])
"""
FIXED_BODY = """\
x = Convolution2D(filters=4, kernel_size=(3, 3), padding="same", data_format="channels_last",
                  kernel_initializer="ones", use_bias=False)(image)
x = MaxPooling2D(pool_size=(2, 2), padding="valid")(x)
x = Convolution2D(4, (2, 2), kernel_initializer="ones", use_bias=False)(x)
x = Flatten()(x)
x = Dropout(rate=0.5)(x)
scores = Dense(units=2, kernel_initializer="ones", use_bias=False)(x)
words = Input((5,), dtype="int32")
y = Embedding(10, 3, embeddings_initializer="ones")(words)
y = LSTM(units=2, kernel_initializer="ones", recurrent_initializer="ones",
         recurrent_activation="sigmoid", implementation=2)(y)
model = Model(inputs=[image, words], outputs=[scores, y])
outputs = model.predict([np.ones((1, 8, 8, 1)), np.ones((1, 5), "int32")], verbose=0)
"""
SUBMODULES = (
    "from keras.layers.convolutional import Convolution2D, MaxPooling2D\n"
    "from keras.layers.core import Dense, Dropout, Flatten\n"
    "from keras.layers.recurrent import LSTM\n"
    "from keras.layers.embeddings import Embedding"
)
KERAS_3_IMPORT = (
    "from keras.layers import Convolution2D, Dense, Dropout, Embedding, Flatten, LSTM, MaxPooling2D"
)


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("imports", "error", "summary"),
    [
        pytest.param(
            SUBMODULES, "ModuleNotFoundError: No module named 'keras.layers.convolutional'",
            "Fixed 17 problems in 1 file; 0 remaining.", id="keras-2-submodules",
        ),
        pytest.param(
            KERAS_3_IMPORT,
            "TypeError: Conv2D.__init__() missing 1 required positional argument: 'filters'",
            "Fixed 10 problems in 1 file; 0 remaining.", id="keras-3-imports",
        ),
    ],
)  # fmt: skip
def test_a_keras_1_style_model_runs_after_fix(
    tmp_path: Path, tfmend: Run, imports: str, error: str, summary: str
) -> None:
    program = MODEL.format(imports=imports)
    text, printed = fix_program(tmp_path, tfmend, program, error, summary)
    body = text.split("image = Input((8, 8, 1))\n", 1)[1].rsplit("print(", 1)[0]
    assert body == FIXED_BODY
    # Read as Keras 1 did, Convolution2D(4, 2, 2) has a 2x2 kernel (2304.0 with a stride of 2).
    assert printed == "[[5184.0, 5184.0], [0.993, 0.993]]"


@pytest.mark.parametrize(
    ("code", "fixed"),
    [
        pytest.param(
            "import keras\ne = keras.layers.Embedding(dropout=0.2, input_dim=3, output_dim=2)\n",
            "import keras\ne = keras.layers.Embedding(input_dim=3, output_dim=2)\n",
            id="first-argument-removed",
        ),
        pytest.param(
            "import keras\nr = keras.layers.LSTM(forget_bias_init='one')\n",
            "import keras\nr = keras.layers.LSTM()\n",
            id="only-argument-removed",
        ),
        pytest.param(
            "import keras\n"
            "p = keras.layers.MaxPooling2D(dim_ordering='default', border_mode='same',)\n",
            "import keras\np = keras.layers.MaxPooling2D(padding='same',)\n",
            id="trailing-comma",
        ),
        pytest.param(
            "import keras\n"
            "u = keras.layers.UpSampling2D(\n    (2, 2),\n    dim_ordering='default',\n)\n",
            "import keras\nu = keras.layers.UpSampling2D(\n    (2, 2),\n)\n",
            id="last-line-removed",
        ),
        pytest.param(
            "import keras\nr = keras.layers.LSTM(8,\n  forget_bias_init='one',\n  dropout_W=0.1)\n",
            "import keras\nr = keras.layers.LSTM(8,\n  dropout=0.1)\n",
            id="line-removed-layout-kept",
        ),
        pytest.param(
            "import keras\ne = keras.layers.Embedding(10, 3,  # sizes\n    dropout=0.2)\n",
            "import keras\ne = keras.layers.Embedding(10, 3,  # sizes\n    dropout=0.2)\n",
            id="comment-left-alone",
        ),
        pytest.param(
            "import keras\nr = keras.layers.GRU(8, consume_less='mem', implementation=1)\n",
            "import keras\nr = keras.layers.GRU(8, consume_less='mem', implementation=1)\n",
            id="both-names-left-alone",
        ),
        pytest.param(
            "import keras\nr = keras.layers.GRU(8, consume_less=u'cpu')\n",
            "import keras\nr = keras.layers.GRU(8, implementation=0)\n",
            id="literal-to-number",
        ),
        pytest.param(
            "import keras\nc = keras.layers.Conv2D(8, 3, dim_ordering=r'th')\n",
            "import keras\nc = keras.layers.Conv2D(8, 3, data_format=r'channels_first')\n",
            id="literal-keeps-its-prefix",
        ),
        pytest.param(
            "import keras\nif warm: model._make_predict_function()\n",
            "import keras\nif warm: pass\n",
            id="removed-call-alone-in-its-block",
        ),
        pytest.param(
            "import keras\nready = True; model._make_predict_function()\n",
            "import keras\nready = True; pass\n",
            id="removed-call-sharing-its-line",
        ),
        pytest.param(
            "from keras.layers import SeparableConv2D\n"
            "c = SeparableConv2D(8, (3, 3), border_mode='same', kernel_initializer='he_normal')\n",
            "from keras.layers import SeparableConv2D\n"
            "c = SeparableConv2D(8, (3, 3), padding='same')\n",
            id="keras-1-and-keras-2-arguments-of-one-call",
        ),
    ],
)  # fmt: skip
def test_keyword_and_remove_fixes(code: str, fixed: str) -> None:
    assert Engine().fix_text(code, unsafe=True).text == fixed


def test_uses_left_for_the_user_say_why() -> None:
    code = (
        "import keras\n"
        "c = keras.layers.Convolution2D(filters, rows, columns, border_mode='same')\n"
        "p = keras.layers.MaxPooling2D((2, 2), dim_ordering=ordering)\n"
        "e = keras.layers.Embedding(10, 3,  # sizes\n    dropout=0.2)\n"
    )
    conv, pooling, embedding = Engine().check_text(code)
    assert (conv.code, conv.fix, conv.fix_note) == (
        "TFM676", "none",
        "the call passes 3 positional arguments, which the old API read differently",
    )  # fmt: skip
    assert (pooling.code, pooling.fix, pooling.fix_note) == (
        "TFM680", "unsafe",
        "dim_ordering= is not a string literal: the old API converted its value",
    )  # fmt: skip
    assert (embedding.code, embedding.fix, embedding.fix_note) == (
        "TFM678", "none", "removing an argument would lose a comment",
    )  # fmt: skip


def _rule(code: str, name: str, fix: str, when: str = "") -> str:
    """A project rule on `keras.layers.Dense` with this fix (YAML, indented as in `rules:`)."""
    return (
        f"  - code: {code}\n    name: {name}\n    apis: [keras.layers.Dense]\n{when}"
        '    status: removed\n    since: {keras: "3.0"}\n    severity: error\n'
        f"    message: m\n    explanation: e\n    fix:{fix}"
    )


BAD_RULES = (
    "schema: 1\nrules:\n"
    + _rule(
        "TFM9610", "team-keyword",
        "\n      kind: keyword\n      values:\n        mode: {fast: [1]}\n        speed: fast\n"
        "      drop: [1x]\n      max-positional: -1\n      safety: safe\n",
    )
    + _rule(
        "TFM9611", "team-empty-keyword", " {kind: keyword, safety: safe}\n",
        "    when: {numbers: [1, first]}\n",
    )
)  # fmt: skip


def test_keyword_fix_fields_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, {"rules.yaml": BAD_RULES}) / "rules.yaml"
    with pytest.raises(CatalogError) as caught:
        load_rules_file(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:17: rules[0].fix.max-positional: expected a number of arguments (0 or more)",
        f"{path}:14: rules[0].fix.values.mode.fast: expected a string, a number or null",
        f"{path}:15: rules[0].fix.values.speed: expected a non-empty mapping, found a string",
        f"{path}:16: rules[0].fix.drop[0]: '1x' is not an identifier",
        f"{path}:28: rules[1].fix: a 'keyword' fix needs 'rename', 'positional', 'values' or "
        "'drop'",
        f"{path}:22: rules[1].when.numbers: expected a list of argument positions (0 or more)",
    ]
