"""Sequence labelling with SeqSelfAttention (the README's example): one training step, one predict."""
import numpy as np
import keras
from keras_self_attention import SeqSelfAttention

model = keras.models.Sequential()
model.add(keras.layers.Embedding(input_dim=50, output_dim=16, mask_zero=True))
model.add(keras.layers.Bidirectional(keras.layers.LSTM(units=8, return_sequences=True)))
model.add(SeqSelfAttention(attention_activation='sigmoid'))
model.add(keras.layers.Dense(units=3))
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')
x = np.random.randint(1, 50, size=(4, 7))
y = np.random.randint(0, 3, size=(4, 7))
model.train_on_batch(x, y)
print(model.predict(x).shape)
