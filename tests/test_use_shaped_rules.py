"""Rules about one kind of use of an API that still exists: `keras.backend` passed on as a value
(`when: {passed: true}`, TFM6000), `keras.optimizers.Optimizer` subclassed the Keras 2 way
(`when: {subclassed: [...]}`, TFM6002) and a built-in layer subclassed with a
`compute_output_shape` Keras 3 does not read (a `method` fix, TFM6003), and `_keras_shape` read
through a model's `output` (`when: {through: [...]}`, TFM6004, over TFM6001's rename). Imports of
those names are not findings, and they do not change what a name bound by an `if`/`else` switch
reads as."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write
from tfmend.api import Engine
from tfmend.catalog.rules import CatalogError, load_rules_file
from tfmend.config import Settings


def _findings(code: str) -> list[tuple[int, str, str, str]]:
    return [(f.span.start.line, f.code, f.name, f.fix) for f in Engine(Settings()).check_text(code)]


def test_the_backend_module_is_a_finding_where_it_is_passed_on_not_where_it_is_used() -> None:
    code = (
        "import keras\n"
        "model = build(weights=None, backend=keras.backend, layers=keras.layers)\n"
        "kwargs = {'backend': keras.backend, 'layers': keras.layers}\n"
        "register(keras.backend)\n"
        "fmt = keras.backend.image_data_format()\n"
        "K = keras.backend\n"
        "size = len(keras.backend.__name__)\n"
    )
    assert [f for f in _findings(code) if f[1] == "TFM6000"] == [
        (1, "TFM6000", "keras.backend", "unsafe"),
        (2, "TFM6000", "keras.backend", "unsafe"),
        (3, "TFM6000", "keras.backend", "unsafe"),
    ]
    fixed = Engine(Settings(unsafe_fixes=True)).fix_text(code).text
    assert fixed.splitlines()[1:5] == [
        "import tensorflow as tf",
        "model = build(weights=None, backend=tf.keras.backend, layers=keras.layers)",
        "kwargs = {'backend': tf.keras.backend, 'layers': keras.layers}",
        "register(tf.keras.backend)",
    ]
    assert _findings(fixed) == []


def test_an_import_of_the_backend_from_the_private_copy_is_still_reported() -> None:
    # The longest rule for `tensorflow.python.keras.backend` is TFM6000's `keras.backend`, which
    # is about passing the module on: the import falls through to the private copy's TFM362.
    assert _findings("from tensorflow.python.keras import backend as K\nK.epsilon()\n") == [
        (0, "TFM362", "tensorflow.python.keras.backend", "unsafe"),
    ]


def test_a_switched_backend_reexport_stays_manual() -> None:
    code = (
        "import os\n"
        "if os.environ.get('TF_KERAS', '0') != '0':\n"
        "    from tensorflow.python import keras\n"
        "else:\n"
        "    import keras\n"
        "backend = keras.backend\n"
    )
    assert [f for f in _findings(code) if f[0] == 5] == [(5, "TFM362", "keras", "none")]


def test_a_keras_2_optimizer_is_reported_on_its_base_and_its_super_init() -> None:
    code = (
        "import keras\n"
        "\n"
        "class Sign(keras.optimizers.Optimizer):\n"
        "    def __init__(self, lr=0.01, **kwargs):\n"
        "        super(Sign, self).__init__(**kwargs)\n"
        "        self.step = lr\n"
        "\n"
        "    def get_updates(self, loss, params):\n"
        "        return []\n"
        "\n"
        "class Ported(keras.optimizers.Optimizer):\n"
        "    def __init__(self, learning_rate=0.01, **kwargs):\n"
        "        super().__init__(learning_rate=learning_rate, **kwargs)\n"
        "\n"
        "    def update_step(self, gradient, variable, learning_rate):\n"
        "        self.assign_sub(variable, learning_rate * gradient)\n"
        "\n"
        "optimizer = keras.optimizers.Optimizer(learning_rate=0.1)\n"
    )
    assert _findings(code) == [
        (2, "TFM6002", "keras.optimizers.Optimizer", "none"),
        (4, "TFM6002", "super(Sign, self).__init__", "none"),
    ]


def test_a_method_fix_adds_the_method_once_indented_as_the_class_body() -> None:
    code = (
        "import keras\n"
        "\n"
        "if True:\n"
        "\tclass Pair(keras.layers.Embedding):\n"
        "\t\tdef compute_output_shape(self, input_shape):\n"
        "\t\t\treturn [input_shape, (self.input_dim, self.output_dim)]\n"
        "\t# the end of the class\n"
        "\tpair = Pair(30, 16)\n"
    )
    fixed = Engine(Settings(unsafe_fixes=True)).fix_text(code).text
    assert fixed == (
        "import keras\n"
        "\n"
        "if True:\n"
        "\tclass Pair(keras.layers.Embedding):\n"
        "\t\tdef compute_output_shape(self, input_shape):\n"
        "\t\t\treturn [input_shape, (self.input_dim, self.output_dim)]\n"
        "\n"
        "\t\tdef compute_output_spec(self, *args, **kwargs):\n"
        "\t\t    return keras.layers.Layer.compute_output_spec(self, *args, **kwargs)\n"
        "\t# the end of the class\n"
        "\tpair = Pair(30, 16)\n"
    )
    assert _findings(fixed) == []


def test_keras_shape_through_output_or_input_is_reported_and_left_as_it_is() -> None:
    code = (
        "import keras\n"
        "def check(model, agent, layer, tensor):\n"
        "    a = model.output._keras_shape\n"
        "    b = agent.model.input._keras_shape[1:]\n"
        "    c = tensor._keras_shape\n"
        "    d = layer.outputs._keras_shape\n"
        "    e = hasattr(model.output, '__len__') and Model(model.input, agent.model.output)\n"
        "    f = layer.output.shape, agent.output\n"
        "def compile(model):\n"
        "    return model.output\n"
    )
    assert _findings(code) == [
        (2, "TFM6004", "model.output._keras_shape", "none"),
        (3, "TFM6004", "agent.model.input._keras_shape", "none"),
        (4, "TFM6001", "tensor._keras_shape", "safe"),
        (5, "TFM6001", "layer.outputs._keras_shape", "safe"),
        (6, "TFM6004", "model.output", "none"),
        (6, "TFM6004", "model.input", "none"),
        (6, "TFM6004", "agent.model.output", "none"),
    ]
    fixed = Engine(Settings(unsafe_fixes=True)).fix_text(code).text
    assert fixed.splitlines()[2:6] == [
        "    a = model.output._keras_shape",
        "    b = agent.model.input._keras_shape[1:]",
        "    c = tensor.shape",
        "    d = layer.outputs.shape",
    ]
    assert [f[1] for f in _findings(fixed)] == ["TFM6004"] * 5


METHOD_RULES = """\
schema: 1
rules:
  - code: TFM9610
    name: team-passed
    apis: [keras.backend]
    when: {passed: false}
    status: changed
    since: {keras: "3.0"}
    severity: error
    message: m
    explanation: e
    fix: {kind: manual}
  - code: TFM9611
    name: team-subclassed
    apis: [keras.layers.Layer]
    when: {subclassed: get_output_shape_for}
    status: changed
    since: {keras: "3.0"}
    severity: error
    message: m
    explanation: e
    fix: {kind: manual}
  - code: TFM9612
    name: team-method
    apis: [keras.layers.Layer]
    when: {super-calls: [__init__]}
    status: changed
    since: {keras: "3.0"}
    severity: error
    message: m
    explanation: e
    fix:
      kind: method
      to: keras.layers.Layer
      method: "x = 1"
      safety: safe
  - code: TFM9613
    name: team-through
    apis: [keras.KerasTensor._keras_shape]
    when: {through: [output]}
    status: changed
    since: {keras: "3.0"}
    severity: error
    message: m
    explanation: e
    fix: {kind: manual}
  - code: TFM9614
    name: team-eager
    apis: [tensorflow.gradients]
    when: {eager-code: true, positional: 2}
    status: changed
    since: {tensorflow: "2.0"}
    severity: info
    message: m
    explanation: e
    fix: {kind: manual}
"""


def test_when_conditions_are_validated(tmp_path: Path) -> None:
    path = write(tmp_path, {"rules.yaml": METHOD_RULES}) / "rules.yaml"
    with pytest.raises(CatalogError) as caught:
        load_rules_file(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:6: rules[0].when.passed: expected true",
        f"{path}:16: rules[1].when.subclassed: expected a non-empty list, found a string",
        f"{path}:35: rules[2].fix.method: expected one function definition",
        f"{path}:26: rules[2].when.super-calls: only with 'subclassed'",
        f"{path}:40: rules[3].when.through: only with 'receiver: any'",
        f"{path}:50: rules[4].when.eager-code: only on its own",
    ]
