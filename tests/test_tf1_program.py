"""A TF 1.x graph program, fixed by `tfmend fix`, prints on TensorFlow 2.21 what TF 1.x printed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_python

pytestmark = pytest.mark.tensorflow

PROGRAM = textwrap.dedent(
    '''\
    """A TF 1.x graph program: placeholders, variables, an initializer, a session and a feed."""

    import numpy as np
    import tensorflow as tfx

    features = tfx.placeholder(tfx.float32, shape=[None, 3], name="features")
    weights = tfx.Variable([[1.0], [2.0], [3.0]], name="weights")
    bias = tfx.get_variable("bias", shape=[1], initializer=tfx.zeros_initializer())
    scores = tfx.matmul(features, weights) + bias
    total = tfx.reduce_sum(scores, reduction_indices=0, keep_dims=False)
    step = tfx.assign_add(bias, [0.5])
    init = tfx.global_variables_initializer()

    with tfx.Session() as sess:
        sess.run(init)
        batch = np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 2.0]], dtype=np.float32)
        print(sess.run(total, feed_dict={features: batch}))
        sess.run(step)
        print(sess.run(total, feed_dict={features: batch}))
        print(sess.run(tfx.log(tfx.to_float(tfx.constant(1)))))
    '''
)
# What TF 1.x printed: the scores are [1+2+3, 0+2+6] + bias, summed over the batch;
# the bias is 0 (zeros initializer), then 0.5 after the assign_add; log(1.0) is 0.
TF1_OUTPUT = "[14.]\n[15.]\n0.0\n"

FIXED = textwrap.dedent(
    '''\
    """A TF 1.x graph program: placeholders, variables, an initializer, a session and a feed."""

    import numpy as np
    import tensorflow as tfx
    tfx.compat.v1.disable_eager_execution()

    features = tfx.compat.v1.placeholder(tfx.float32, shape=[None, 3], name="features")
    weights = tfx.Variable([[1.0], [2.0], [3.0]], name="weights")
    bias = tfx.compat.v1.get_variable("bias", shape=[1], initializer=tfx.zeros_initializer())
    scores = tfx.matmul(features, weights) + bias
    total = tfx.reduce_sum(scores, axis=0, keepdims=False)
    step = tfx.compat.v1.assign_add(bias, [0.5])
    init = tfx.compat.v1.global_variables_initializer()

    with tfx.compat.v1.Session() as sess:
        sess.run(init)
        batch = np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 2.0]], dtype=np.float32)
        print(sess.run(total, feed_dict={features: batch}))
        sess.run(step)
        print(sess.run(total, feed_dict={features: batch}))
        print(sess.run(tfx.math.log(tfx.cast(tfx.constant(1), dtype=tfx.float32))))
    '''
).replace("tfx.zeros_initializer()", "tfx.compat.v1.zeros_initializer()")


def _tfmend(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfmend", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tf1") / "train.py"
    path.write_text(PROGRAM, encoding="utf-8")
    return path


def test_the_tf1_program_fails_on_tensorflow_2(program: Path) -> None:
    ran = run_python(program)
    assert ran.returncode != 0
    assert "AttributeError: module 'tensorflow' has no attribute 'placeholder'" in ran.stderr


def test_tfmend_fix_makes_it_print_the_tf1_result(program: Path, tmp_path: Path) -> None:
    copy = tmp_path / "train.py"
    copy.write_text(program.read_text(encoding="utf-8"), encoding="utf-8")

    fixed = _tfmend("fix", "--no-progress", str(copy))

    assert copy.read_text(encoding="utf-8") == FIXED
    # `tf.zeros_initializer` is a TF 2 name too, and moving it to tf.compat.v1 is right only for
    # TF 1.x code: in a file of graph-mode code (placeholders, a session) that fix is safe.
    assert (fixed.returncode, fixed.stdout) == (0, "")
    assert "Fixed 9 problems in 1 file; 0 remaining." in fixed.stderr
    ran = run_python(copy)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout == TF1_OUTPUT


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tf1_training" / "train.py"
# What `tfmend fix --unsafe-fixes` writes for the layers, the initializer and the loss of the
# README's example: Keras 3 layers applied to the inputs, TF1's initializer and TF1's loss.
EXAMPLE_LAYERS = (
    "hidden = tf.keras.layers.Dense(128,\n"
    "                               activation=tf.nn.relu,\n"
    "                               kernel_initializer="
    "tf.compat.v1.glorot_uniform_initializer())(x)\n"
    "logits = tf.keras.layers.Dense(10)(hidden)\n"
    "loss = tf.reduce_mean(tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels=y, "
    "logits=logits))\n"
)


def test_the_bundled_training_example_runs_after_the_fix(tmp_path: Path) -> None:
    """examples/tf1_training/train.py trains, writes its summaries and saves its checkpoint."""
    copy = tmp_path / "train.py"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert "has no attribute 'placeholder'" in run_python(copy, cwd=tmp_path).stderr

    fixed = _tfmend("fix", "--no-progress", "--unsafe-fixes", str(copy))

    assert (fixed.returncode, fixed.stdout) == (0, "")
    assert "Fixed 13 problems in 1 file; 0 remaining." in fixed.stderr
    assert EXAMPLE_LAYERS in copy.read_text(encoding="utf-8")
    ran = run_python(copy, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert (tmp_path / "model.ckpt.index").is_file()
    assert any((tmp_path / "logs").glob("events.out.tfevents.*"))


def test_without_unsafe_fixes_only_the_dense_layers_are_left(tmp_path: Path) -> None:
    """The layers' fix is unsafe (Keras 3 names the variables itself): `tfmend fix` leaves them."""
    copy = tmp_path / "train.py"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")

    fixed = _tfmend("fix", "--no-progress", str(copy))

    assert fixed.returncode == 1
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in fixed.stdout.splitlines()[:-1]] == [
        "TFM6050",
        "TFM6050",
    ]
    assert "Fixed 11 problems in 1 file; 2 remaining." in fixed.stderr
    text = copy.read_text(encoding="utf-8")
    assert "kernel_initializer=tf.contrib.layers.xavier_initializer()" not in text
    assert "tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels=y" in text
