"""NASNetMobile from keras_applications with the Keras modules injected: built untrained, one predict."""
import numpy as np
import keras
from keras_applications import nasnet

model = nasnet.NASNetMobile(input_shape=(64, 64, 3), weights=None, classes=5,
                            backend=keras.backend, layers=keras.layers,
                            models=keras.models, utils=keras.utils)
print(model.predict(np.random.rand(2, 64, 64, 3)).shape)
