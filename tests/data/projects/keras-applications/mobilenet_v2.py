"""MobileNetV2 from keras_applications with the Keras modules injected: built untrained, one predict."""
import numpy as np
import keras
from keras_applications import mobilenet_v2

model = mobilenet_v2.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=5,
                                 backend=keras.backend, layers=keras.layers,
                                 models=keras.models, utils=keras.utils)
print(model.predict(np.random.rand(2, 96, 96, 3)).shape)
