"""A tiny BERT from keras_bert (get_model, as the README builds one), untrained: one predict.

Without `training`, get_model returns the inputs and the last encoder's output, for a model of
one's own (the README's feature extraction)."""
import numpy as np
import keras
from keras_bert import get_model

inputs, outputs = get_model(token_num=30, pos_num=8, seq_len=8, embed_dim=16, transformer_num=1,
                            head_num=2, feed_forward_dim=32, dropout_rate=0.05, training=False)
model = keras.models.Model(inputs=inputs, outputs=outputs)
tokens = np.random.randint(1, 30, size=(2, 8))
segments = np.zeros((2, 8))
print(model.predict([tokens, segments]).shape)
