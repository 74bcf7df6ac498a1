"""A custom loss and layer written for Keras 2.2 / TensorFlow 1.x (runs on neither TF 2.16+ nor Keras 3)."""

import numpy as np
import tensorflow as tf
from keras import backend as K
from keras.layers import Layer


@K.symbolic
def weighted_mse(y_true, y_pred):
    weights = K.constant(np.array([1.0, 2.0, 0.5]))
    return K.mean(K.square(y_pred - y_true) * weights, axis=-1)


class Scale(Layer):
    def build(self, input_shape):
        if K.image_dim_ordering() == "th":
            self.axis = 1
        else:
            self.axis = -1
        super().build(input_shape)

    def call(self, inputs):
        return inputs * K.sum(inputs, axis=self.axis, keepdims=True)


def gpus():
    return K.tensorflow_backend._get_available_gpus()


x = tf.placeholder(tf.float32, shape=(None, 3))
