"""Synthetic legacy Keras 2 / TF1 source of a given length, for timing analysis.

About one TensorFlow/Keras call site every ten lines, like the 2,000-line legacy file with 187
call sites the project's measurements started from; the rest is ordinary Python.
"""

from __future__ import annotations

HEADER = '''"""Generated legacy module for benchmarks."""
import numpy as np
import tensorflow as tf
import keras
from keras import backend as K
from keras.layers import Layer

'''

BLOCK = '''

class Block{n}(Layer):
    """A custom layer on the Keras 2 backend."""

    def __init__(self, units=4, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = scale
        self.history = []

    def build(self, input_shape):
        if K.image_dim_ordering() == "th":
            self.axis = 1
        else:
            self.axis = -1
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
        super().build(input_shape)

    def call(self, inputs, mask=None):
        x = K.dot(inputs, self.kernel) * self.scale
        norm = K.sqrt(K.sum(K.square(x), axis=self.axis, keepdims=True))
        return x / (norm + K.epsilon())

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[-1] = self.units
        return tuple(shape)

    def get_config(self):
        config = {{"units": self.units, "scale": self.scale}}
        base = super().get_config()
        return dict(list(base.items()) + list(config.items()))


def loss_{n}(y_true, y_pred):
    diff = K.abs(y_pred - y_true)
    return K.mean(diff, axis=-1)


def summarize_{n}(records, threshold=0.5, verbose=False):
    """Plain Python: most of a real module is not TensorFlow."""
    kept = [r for r in records if r.get("score", 0.0) >= threshold]
    by_label = {{}}
    for record in kept:
        label = record.get("label", "unknown")
        by_label.setdefault(label, []).append(record["score"])
    report = []
    for label, scores in sorted(by_label.items()):
        mean = sum(scores) / max(len(scores), 1)
        spread = max(scores) - min(scores) if scores else 0.0
        report.append((label, len(scores), round(mean, 3), round(spread, 3)))
        if verbose:
            print(f"{{label}}: {{len(scores)}} records, mean {{mean:.3f}}")
    return report


def graph_{n}(values):
    ph = tf.placeholder(tf.float32, shape=(None, 3))
    out = tf.reduce_sum(ph * 2.0, axis=1)
    with tf.Session() as sess:
        return sess.run(out, feed_dict={{ph: values}})
'''


def legacy_source(lines: int) -> str:
    """About `lines` lines of legacy code (whole blocks, at least one)."""
    parts = [HEADER]
    count = HEADER.count("\n")
    n = 0
    while count < lines or n == 0:
        block = BLOCK.format(n=n)
        parts.append(block)
        count += block.count("\n")
        n += 1
    return "".join(parts)
