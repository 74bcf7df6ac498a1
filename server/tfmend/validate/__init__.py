"""Validation: running fixes and rule examples against real TensorFlow."""
