"""tfmend: find, explain, fix and validate TF 1.x / Keras 2 code that breaks on TF 2 / Keras 3."""

__version__ = "0.1.0"
