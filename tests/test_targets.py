"""Migration targets: one rule, a replacement per target, chosen by `target` / `--target`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write
from tfmend.catalog.rules import CatalogError, load_rules_file

Run = Callable[..., subprocess.CompletedProcess[str]]
RULES = Path(__file__).with_name("data") / "target-rules.yaml"
ARGS = ("--rules", str(RULES), "--select", "TFM996", "--no-surface")
LEGACY = "import keras.backend as K\ny = K.row_mean(x, axis=1)\n"


def test_each_target_runs_its_own_examples(tmp_path: Path, tfmend: Run) -> None:
    result = tfmend("rules", "--test", str(RULES), cwd=tmp_path)
    # keras: 1 invalid example (the rule's own); tensorflow: 1 invalid + 1 valid; tf-keras: none.
    assert (result.returncode, result.stdout) == (0, "3 examples, 0 failing\n")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("tensorflow", "model.py:2:5: TFM9960 `K.row_mean` is gone; use `tf.reduce_mean` [*]\n"),
        ("keras", "model.py:2:5: TFM9960 `K.row_mean` is gone; use `keras.ops.mean` [*unsafe]\n"),
        ("tf-keras", ""),
    ],
)
def test_target_flag_picks_the_rule_variant(
    tmp_path: Path, tfmend: Run, target: str, expected: str
) -> None:
    write(tmp_path, {"model.py": LEGACY})
    result = tfmend("check", *ARGS, "--target", target, "model.py", cwd=tmp_path)
    assert result.stdout.startswith(expected)
    assert result.returncode == (1 if expected else 0)


def test_default_target_is_tensorflow_and_its_fix_is_exact(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY})
    assert tfmend("fix", *ARGS, "model.py", cwd=tmp_path).returncode == 0
    assert (tmp_path / "model.py").read_text() == (
        "import tensorflow as tf\ny = tf.reduce_mean(x, axis=1, keepdims=False)\n"
    )


def test_pyproject_target_and_the_old_versions_table(tmp_path: Path, tfmend: Run) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.tfmend]\ntarget = "keras"\n',
            "model.py": LEGACY,
            "old/pyproject.toml": '[tool.tfmend]\ntarget = { keras = "2.15" }\n',
            "old/model.py": LEGACY,
        },
    )
    keras = tfmend("check", *ARGS, "model.py", cwd=tmp_path)
    assert "use `keras.ops.mean` [*unsafe]" in keras.stdout
    # The table is the versions setting: Keras 2.15 is before the rule's `since`, nothing fires.
    old = tfmend("check", *ARGS, "model.py", cwd=tmp_path / "old")
    assert (old.returncode, old.stdout) == (0, "All checks passed (target tensorflow).\n")


def test_unknown_target_is_a_located_configuration_error(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.tfmend]\ntarget = "jax"\n', "model.py": LEGACY})
    result = tfmend("check", *ARGS, "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"tfmend: {tmp_path / 'pyproject.toml'}:2: tool.tfmend.target: expected one of "
        "tensorflow, keras, tf-keras, got 'jax'\n"
    )


def test_broken_overrides_are_located(tmp_path: Path) -> None:
    path = (
        write(
            tmp_path,
            {
                "rules.yaml": """\
            schema: 1
            rules:
              - code: TFM9961
                name: broken-targets
                apis: [keras.backend.sum]
                status: removed
                since: {keras: "3.0"}
                severity: error
                message: m
                explanation: e
                fix: {kind: replace, to: keras.ops.sum, safety: safe}
                targets:
                  jax: skip
                  tensorflow:
                    fix: {kind: replace, to: tensorflow.reduce_sum, safety: safe}
                    wording: x
                  keras: maybe
            """
            },
        )
        / "rules.yaml"
    )
    with pytest.raises(CatalogError) as caught:
        load_rules_file(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:13: rules[0].targets.jax: unknown target (known: tensorflow, keras, tf-keras)",
        f"{path}:16: rules[0].targets.tensorflow.wording: unknown field "
        "(known: examples, explanation, fix, message, probe)",
        f"{path}:17: rules[0].targets.keras: expected 'skip', a target or a mapping of rule "
        "fields, found a string",
    ]


KERAS_2 = """\
import keras
import tensorflow as tf
from keras import backend as K
from keras.layers import Dense, Layer


@K.symbolic
def loss(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1) + K.logsumexp(y_pred)


class Scale(Layer):
    def build(self, input_shape):
        self.axis = 1 if K.image_dim_ordering() == "th" else -1
        self.eps = K.common.epsilon()


model = keras.models.Sequential([Dense(2), tf.keras.layers.Dense(1)])
"""
KEPT_ON_KERAS_2 = """\
import tf_keras as keras
import tensorflow as tf
from tf_keras import backend as K
from tf_keras.layers import Dense, Layer


def loss(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1) + tf.reduce_logsumexp(y_pred)


class Scale(Layer):
    def build(self, input_shape):
        self.axis = 1 if K.image_data_format() == "channels_first" else -1
        self.eps = K.epsilon()


model = keras.models.Sequential([Dense(2), tf.keras.layers.Dense(1)])
"""


def test_tf_keras_target_points_keras_at_tf_keras_and_says_what_to_install(
    tmp_path: Path, tfmend: Run
) -> None:
    # Imports keep their names; what tf_keras has (K.mean) stays; multi-backend-only names
    # (symbolic, image_dim_ordering, common) and a name tf_keras lacks (logsumexp, read as under
    # the tensorflow target) are fixed in the same run; tf.keras is left to TF_USE_LEGACY_KERAS.
    write(tmp_path, {"model.py": KERAS_2})
    fixed = tfmend("fix", "--no-progress", "--target", "tf-keras", "model.py", cwd=tmp_path)
    assert (fixed.returncode, fixed.stderr) == (0, "Fixed 8 problems in 1 file; 0 remaining.\n")
    assert (tmp_path / "model.py").read_text() == KEPT_ON_KERAS_2
    check = tfmend("check", "--target", "tf-keras", "model.py", cwd=tmp_path)
    assert check.stdout == (
        "All checks passed (target tf-keras).\n"
        "Target tf-keras keeps Keras 2: install tf_keras (`pip install tf_keras`), and set "
        "TF_USE_LEGACY_KERAS=1 before TensorFlow is imported so that tf.keras is Keras 2 too.\n"
    )


def test_a_target_can_read_a_rule_as_another_target_does(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        RULES.read_text().replace("      tf-keras: skip", "      tf-keras: tensorflow")
    )
    (rule,) = load_rules_file(rules)
    assert rule.for_target("tf-keras") == rule.for_target("tensorflow")
    rules.write_text(RULES.read_text().replace("      tf-keras: skip", "      tf-keras: keras"))
    with pytest.raises(CatalogError) as caught:
        load_rules_file(rules)
    assert [str(e) for e in caught.value.errors] == [
        f"{rules}:46: rules[0].targets.tf-keras: 'keras' must be a target with fields of its own "
        "here"
    ]
