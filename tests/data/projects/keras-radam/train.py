"""A small classifier trained with RAdam (the README's usage): one training step."""
import numpy as np
import keras
from keras_radam import RAdam

model = keras.models.Sequential()
model.add(keras.layers.Dense(input_shape=(5,), units=8, activation='relu'))
model.add(keras.layers.Dense(units=2, activation='softmax'))
model.compile(RAdam(total_steps=100, warmup_proportion=0.1, min_lr=1e-5),
              loss='sparse_categorical_crossentropy')
x = np.random.rand(16, 5)
y = np.random.randint(0, 2, size=(16,))
model.train_on_batch(x, y)
print(model.predict(x).shape)
