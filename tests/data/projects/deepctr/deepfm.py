"""DeepFM on random sparse and dense features (the README's quick start): one epoch, one predict."""
import numpy as np
from deepctr.models import DeepFM
from deepctr.inputs import SparseFeat, DenseFeat, get_feature_names

sparse = [SparseFeat('C%d' % i, vocabulary_size=10, embedding_dim=4) for i in range(3)]
dense = [DenseFeat('I%d' % i, 1) for i in range(2)]
columns = sparse + dense
model = DeepFM(columns, columns, task='binary')
model.compile("adam", "binary_crossentropy")
rows = 16
data = {f.name: np.random.randint(0, 10, rows) for f in sparse}
data.update({f.name: np.random.rand(rows) for f in dense})
inputs = {name: data[name] for name in get_feature_names(columns)}
model.fit(inputs, np.random.randint(0, 2, rows), batch_size=8, epochs=1, verbose=0)
print(model.predict(inputs, batch_size=8).shape)
