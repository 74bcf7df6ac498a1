"""A tiny BERT from keras_bert (get_model, as the README builds one), untrained: one predict."""
import numpy as np
from keras_bert import get_model

model = get_model(token_num=30, pos_num=8, seq_len=8, embed_dim=16, transformer_num=1,
                  head_num=2, feed_forward_dim=32, dropout_rate=0.05, training=False)
tokens = np.random.randint(1, 30, size=(2, 8))
segments = np.zeros((2, 8))
print(model.predict([tokens, segments]).shape)
