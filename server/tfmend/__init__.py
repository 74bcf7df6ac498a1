"""tfmend: find, explain, fix and validate TensorFlow 1.x and Keras 2 code broken by TF 2 / Keras 3."""

__version__ = "0.1.0"
