"""Fixes that are exact for TF 1.x code (`safe-in-graph-code`) are safe in a file of graph-mode
code and stay unsafe elsewhere; the rules file field is checked like any other."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write

Run = Callable[..., subprocess.CompletedProcess[str]]

WHERE = (
    "TFM1001 `tf.where` (tensorflow.where) behaves differently in TensorFlow 2; "
    "`tf.compat.v1` keeps the TensorFlow 1.x behaviour"
)


@pytest.mark.parametrize(
    ("source", "label"),
    [
        pytest.param(
            "import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.where(x > 0, x, -x)\n",
            "[*]",
            id="beside-a-tf1-graph-api",
        ),
        pytest.param(
            "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n"
            "x = tf.constant(1.0)\ny = tf.where(x > 0, x, -x)\n",
            "[*]",
            id="in-a-file-already-in-graph-mode",
        ),
        pytest.param(
            "import tensorflow as tf\nx = tf.constant(1.0)\ny = tf.where(x > 0, x, -x)\n",
            "[*unsafe]",
            id="in-tf2-code",
        ),
    ],
)
def test_a_tf1_name_that_tf2_kept_is_safe_to_fix_in_graph_code(
    tmp_path: Path, tfmend: Run, source: str, label: str
) -> None:
    write(tmp_path, {"model.py": source})
    result = tfmend("check", "--no-surface", "--select", "TFM1001", "model.py", cwd=tmp_path)
    line = source.count("\n")
    assert result.stdout.splitlines()[0] == f"model.py:{line}:5: {WHERE} {label}"


RULE = """\
schema: 1
rules:
  - code: TFM950
    name: my-rule
    apis: [tensorflow.my_name]
    status: changed
    since: {{tensorflow: "2.0"}}
    severity: warning
    message: m
    explanation: e
    fix: {{kind: replace, to: tensorflow.compat.v1.my_name, {fields}}}
"""


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            "safety: unsafe, reason: r, safe-in-graph-code: often",
            "rules[0].fix.safe-in-graph-code: expected true or false, found a string",
        ),
        (
            "safety: safe, safe-in-graph-code: true",
            "rules[0].fix.safe-in-graph-code: only an unsafe fix can be safe in graph code",
        ),
    ],
)
def test_a_wrong_safe_in_graph_code_is_located(
    tmp_path: Path, tfmend: Run, fields: str, error: str
) -> None:
    write(tmp_path, {"model.py": "x = 1\n", "rules.yaml": RULE.format(fields=fields)})
    result = tfmend("check", "--no-surface", "--rules", "rules.yaml", "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{tmp_path / 'rules.yaml'}:11: {error}" in result.stderr
