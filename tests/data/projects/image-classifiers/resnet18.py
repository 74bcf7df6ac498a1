"""ResNet18 and SE-ResNet18 from classification_models (the README's usage), untrained: one predict."""
import numpy as np
from classification_models.keras import Classifiers

for name in ('resnet18', 'seresnet18'):
    Model, preprocess_input = Classifiers.get(name)
    model = Model((64, 64, 3), weights=None, classes=5)
    x = preprocess_input(np.random.rand(2, 64, 64, 3) * 255)
    print(name, model.predict(x).shape)
