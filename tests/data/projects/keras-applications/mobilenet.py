"""MobileNet from keras_applications with the Keras modules injected: built untrained, one predict."""
import numpy as np
import keras
from keras_applications import mobilenet

model = mobilenet.MobileNet(input_shape=(128, 128, 3), alpha=0.25, weights=None, classes=5,
                            backend=keras.backend, layers=keras.layers,
                            models=keras.models, utils=keras.utils)
print(model.predict(np.random.rand(2, 128, 128, 3)).shape)
