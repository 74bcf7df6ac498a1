"""A Keras 2.2 program on the multi-backend API: a layer, a loss and a metric on keras.backend."""

import numpy as np
from keras import backend as K
from keras.layers import Dense, Input, Layer
from keras.models import Model


class Standardize(Layer):
    def build(self, input_shape):
        self.axis = 1 if K.image_dim_ordering() == "th" else -1
        self.scale = K.variable(np.array([1.0, 2.0, 0.5]))
        super().build(input_shape)

    def call(self, inputs):
        mean = K.mean(inputs, axis=self.axis, keepdims=True)
        std = K.sqrt(K.mean(K.square(inputs - mean), axis=self.axis, keepdims=True))
        return (inputs - mean) / (std + K.common.epsilon()) * self.scale


@K.symbolic
def weighted_mse(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true) * K.abs(y_true - 2.0), axis=-1)


def accuracy(y_true, y_pred):
    return K.mean(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)))


inputs = Input(shape=(3,))
outputs = Dense(2, kernel_initializer="ones", bias_initializer="zeros")(Standardize()(inputs))
model = Model(inputs, outputs)
model.compile(optimizer="sgd", loss=weighted_mse, metrics=[accuracy])
data = np.array([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0], [0.5, 0.5, 2.0]], dtype="float32")
target = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype="float32")
loss, acc = model.evaluate(data, target, verbose=0)
print("loss %.4f accuracy %.4f" % (loss, acc))
print("predictions", [["%.4f" % value for value in row] for row in model.predict(data, verbose=0)])

v = K.variable(np.arange(6.0).reshape(2, 3))
print("sum", K.eval(K.sum(v, axis=1)).tolist(), "ndim", K.ndim(v))
print("clip", K.eval(K.clip(v, 1.0, 4.0)).tolist())
print("gram max", float(K.eval(K.max(K.dot(v, K.transpose(v))))))
print("joined", K.eval(K.concatenate([v, v])).shape)
print("epsilon", K.epsilon(), "floatx", K.floatx())
