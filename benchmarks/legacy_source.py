"""Synthetic legacy Keras 2 / TF1 source of a given length, for timing analysis."""

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

    def build(self, input_shape):
        if K.image_dim_ordering() == "th":
            self.axis = 1
        else:
            self.axis = -1
        self.kernel = self.add_weight(shape=(input_shape[-1], 4), initializer="ones")
        super().build(input_shape)

    def call(self, inputs, mask=None):
        x = K.dot(inputs, self.kernel)
        x = K.relu(x) + K.sigmoid(x) * K.tanh(x)
        norm = K.sqrt(K.sum(K.square(x), axis=self.axis, keepdims=True))
        return x / (norm + K.epsilon())


def loss_{n}(y_true, y_pred):
    diff = K.abs(y_pred - y_true)
    weights = K.constant(np.ones((3,)), dtype="float32")
    total = K.mean(K.square(diff) * weights, axis=-1)
    return K.clip(total, 0.0, 10.0)


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
