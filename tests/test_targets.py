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
    assert (old.returncode, old.stdout) == (0, "All checks passed.\n")


def test_unknown_target_is_a_located_configuration_error(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.tfmend]\ntarget = "jax"\n', "model.py": LEGACY})
    result = tfmend("check", *ARGS, "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"tfmend: {tmp_path / 'pyproject.toml'}: tool.tfmend.target: expected one of "
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
        f"{path}:17: rules[0].targets.keras: expected 'skip' or a mapping of rule fields, "
        "found a str",
    ]
