"""Keras 2 Model, Layer and optimizer APIs that Keras 3 changed (`fit_generator`, the legacy
interface decorators, `decay=`, `add_weight(name, shape)`): a program written against them fails
on Keras 3 and runs after `tfmend fix` with default settings."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import fix_program, write
from tfmend.api import Engine
from tfmend.catalog.rules import CatalogError, load_rules_file
from tfmend.config import Settings

Run = Callable[..., subprocess.CompletedProcess[str]]

TRAINING = """\
import numpy as np
from keras.layers import Dense, Input
from keras.models import Sequential


def batches():
    rng = np.random.default_rng(0)
    while True:
        x = rng.normal(size=(8, 3)).astype("float32")
        yield x, x.sum(axis=1, keepdims=True)


model = Sequential([Input((3,)), Dense(1, kernel_initializer="zeros")])
model.compile(optimizer="sgd", loss="mse")
history = model.fit_generator(batches(), steps_per_epoch=2, epochs=1, verbose=0,
                              workers=2, use_multiprocessing=False, max_queue_size=4)
loss = model.evaluate_generator(batches(), steps=2, workers=2)
predicted = model.predict_generator(batches(), steps=2)
model.fit(np.ones((4, 3)), np.ones((4, 1)), nb_epoch=1, verbose=0, workers=2)
model.train_on_batch(np.ones((4, 3)), np.ones((4, 1)), reset_metrics=True)
print(len(history.history["loss"]), round(float(loss), 3) >= 0, predicted.shape)
"""
TRAINING_FIXED_TAIL = """\
history = model.fit(batches(),
                    steps_per_epoch=2,
                    epochs=1,
                    verbose=0)
loss = model.evaluate(batches(), steps=2, verbose=0)
predicted = model.predict(batches(), steps=2, verbose=0)
model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=0)
model.train_on_batch(np.ones((4, 3)), np.ones((4, 1)))
print(len(history.history["loss"]), round(float(loss), 3) >= 0, predicted.shape)
"""


@pytest.mark.tensorflow
def test_a_program_training_on_a_generator_runs_after_fix(tmp_path: Path, tfmend: Run) -> None:
    text, printed = fix_program(
        tmp_path, tfmend, TRAINING,
        "AttributeError: 'Sequential' object has no attribute 'fit_generator'",
        "Fixed 6 problems in 1 file; 0 remaining.",
    )  # fmt: skip
    assert text == TRAINING.split("history = ", 1)[0] + TRAINING_FIXED_TAIL
    assert printed == "1 True (16, 1)"


@pytest.mark.tensorflow
def test_fit_with_keras_2_worker_arguments_runs_after_fix(tmp_path: Path, tfmend: Run) -> None:
    head = TRAINING.split("history = ", 1)[0]
    call = "model.fit(batches(), steps_per_epoch=2, verbose=0"
    program = f"{head}{call}, workers=2, use_multiprocessing=False)\nprint('trained')\n"
    text, printed = fix_program(
        tmp_path, tfmend, program, "TypeError: TensorFlowTrainer.fit() got an unexpected keyword",
        "Fixed 1 problem in 1 file; 0 remaining.",
    )  # fmt: skip
    assert text == f"{head}{call})\nprint('trained')\n"
    assert printed == "trained"


CLASSES = """\
import numpy as np
from keras.layers import Dense, Input
from keras.models import Sequential

x = np.array([[1.0, -1.0], [-2.0, 3.0]])
softmax = Sequential([Input((2,)), Dense(2, activation="softmax", kernel_initializer="identity")])
sigmoid = Sequential([Input((2,)), Dense(1, activation="sigmoid", kernel_initializer="ones")])
probabilities = softmax.predict_proba(x)
print(softmax.predict_classes(x).tolist(), sigmoid.predict_classes(x).tolist(),
      probabilities.shape)
"""


@pytest.mark.tensorflow
def test_predict_classes_and_proba_give_keras_2_results_after_fix(
    tmp_path: Path, tfmend: Run
) -> None:
    _text, printed = fix_program(
        tmp_path, tfmend, CLASSES,
        "AttributeError: 'Sequential' object has no attribute 'predict_proba'",
        "Fixed 3 problems in 1 file; 0 remaining.",
    )  # fmt: skip
    assert printed == "[0, 1] [[0], [1]] (2, 2)"


LAYER = """\
import numpy as np
from keras.layers import Input, Layer
from keras.legacy import interfaces
from keras.models import Sequential


class Scale(Layer):
    @interfaces.legacy_dense_support
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      initializer="ones")

    def call(self, inputs):
        return inputs @ self.kernel


model = Sequential([Input((2,)), Scale(3)])
print(model.predict(np.array([[1.0, 2.0]]), verbose=0).tolist())
"""


DECORATOR = ("from keras.legacy import interfaces\n", "    @interfaces.legacy_dense_support\n")


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("program", "error", "summary"),
    [
        pytest.param(
            LAYER, "ImportError: cannot import name 'interfaces' from 'keras.legacy'",
            "Fixed 2 problems in 1 file; 0 remaining.", id="legacy-decorator",
        ),
        pytest.param(
            LAYER.replace(DECORATOR[0], "").replace(DECORATOR[1], ""),
            "ValueError: `name` must be passed as a keyword argument",
            "Fixed 1 problem in 1 file; 0 remaining.", id="add-weight-name-first",
        ),
    ],
)  # fmt: skip
def test_a_custom_keras_2_layer_runs_after_fix(
    tmp_path: Path, tfmend: Run, program: str, error: str, summary: str
) -> None:
    text, printed = fix_program(tmp_path, tfmend, program, error, summary)
    fixed = LAYER.replace(DECORATOR[0], "").replace(DECORATOR[1], "")
    assert text == fixed.replace('add_weight("kernel", (', 'add_weight(name="kernel", shape=(')
    assert printed == "[[3.0, 3.0, 3.0]]"


DECAY = """\
import numpy as np
from keras.layers import Dense, Input
from keras.models import Sequential
from keras.optimizers import SGD

model = Sequential([Input((1,)), Dense(1, use_bias=False, kernel_initializer="zeros")])
model.compile(optimizer=SGD(learning_rate=0.1, decay=1.0), loss="mse")
model.fit(np.ones((4, 1)), np.ones((4, 1)), batch_size=4, epochs=2, verbose=0)
# Keras 2 took the first step at the rate 0.1, the second at 0.1 / (1 + 1.0 * 1).
kernel = float(model.layers[0].get_weights()[0][0, 0])
assert abs(kernel - 0.28) < 1e-6, f"the learning rate did not decay: {kernel}"
print(round(kernel, 6))
"""


@pytest.mark.tensorflow
def test_an_optimizer_with_decay_trains_as_in_keras_2_after_fix(
    tmp_path: Path, tfmend: Run
) -> None:
    text, printed = fix_program(
        tmp_path, tfmend, DECAY, "AssertionError: the learning rate did not decay: 0.36",
        "Fixed 1 problem in 1 file; 0 remaining.",
    )  # fmt: skip
    assert text == DECAY.replace(
        "from keras.optimizers import SGD\n", "from keras.optimizers import SGD\nimport keras\n"
    ).replace(
        "SGD(learning_rate=0.1, decay=1.0)",
        "SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1, "
        "decay_rate=1.0))",
    )
    assert printed == "0.28"


METHOD_RULES = """\
schema: 1
rules:
  - code: TFM9600
    name: team-train-generator
    apis: [keras.Model.train_generator]
    receiver: any
    status: removed
    since: {keras: "3.0"}
    severity: error
    message: "`{name}` is gone"
    explanation: e
    fix:
      kind: call
      signature: "self, generator, *, rounds=1"
      template: "{self}.fit({generator}, epochs={rounds})"
      aliases: {nb_rounds: rounds}
      safety: safe
  - code: TFM9601
    name: team-bad-method
    apis: [keras.backend.mean]
    receiver: every
    status: removed
    since: {keras: "3.0"}
    severity: error
    message: m
    explanation: e
    fix:
      kind: call
      signature: "x"
      template: "keras.ops.mean({x})"
      aliases: {x: y}
      safety: safe
  - code: TFM9602
    name: team-not-a-method
    apis: [keras.backend.mean]
    receiver: any
    when: {first-argument: number}
    status: removed
    since: {keras: "3.0"}
    severity: error
    message: m
    explanation: e
    fix: {kind: manual}
"""


def test_a_method_rule_binds_the_receiver_and_its_aliases(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {
        "rules.yaml": METHOD_RULES.split("  - code: TFM9601", 1)[0],
        "train.py": (
            "import keras\n"
            "self.net.train_generator(batches, nb_rounds=3)\n"
            "model.train_generator(batches, rounds=2, speed=9)\n"
        ),
    })  # fmt: skip
    result = tfmend("fix", "--no-surface", "--no-progress", "--rules", "rules.yaml",
                    "--select", "TFM96", "train.py", cwd=tmp_path)  # fmt: skip
    assert (tmp_path / "train.py").read_text() == (
        "import keras\n"
        "self.net.fit(batches, epochs=3)\n"
        "model.train_generator(batches, rounds=2, speed=9)\n"
    )
    assert result.stdout.splitlines()[0] == "train.py:3:1: TFM9600 `model.train_generator` is gone"


def test_receiver_needs_methods_and_aliases_name_parameters(tmp_path: Path) -> None:
    path = write(tmp_path, {"rules.yaml": METHOD_RULES}) / "rules.yaml"
    with pytest.raises(CatalogError) as caught:
        load_rules_file(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:31: rules[1].fix.aliases: x: 'y' must be a parameter and 'x' not one",
        f"{path}:21: rules[1].receiver: 'every' is not one of any",
        f"{path}:37: rules[2].when.first-argument: 'number' is not one of string",
        f"{path}:36: rules[2].receiver: keras.backend.mean: receiver: any needs methods, named as "
        "class.method",
    ]


@pytest.mark.parametrize(
    ("code", "fixed"),
    [
        pytest.param(
            "import keras\r\nif 1:\r\n\tm.fit_generator(\r\n\t\tg,\r\n\t\tepochs=2, workers=3)\r\n",
            "import keras\r\nif 1:\r\n\tm.fit(\r\n\t\tg,\r\n\t\tepochs=2)\r\n",
            id="hanging-tabs-crlf",
        ),
        pytest.param(
            "import keras\nh = m.fit_generator(g,  # batches\n                    epochs=2)\n",
            "import keras\nh = m.fit_generator(g,  # batches\n                    epochs=2)\n",
            id="comment-left-alone",
        ),
        pytest.param(
            "import keras\nh = m.fit_generator(g, epochs=2,\n                    workers=3)\n",
            "import keras\nh = m.fit(g,\n          epochs=2)\n",
            id="aligned",
        ),
    ],
)  # fmt: skip
def test_a_rewritten_call_keeps_the_layout_of_its_arguments(code: str, fixed: str) -> None:
    assert Engine(Settings()).fix_text(code).text == fixed
