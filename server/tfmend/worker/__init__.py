"""The TensorFlow worker: a stdlib-only script run by the project's interpreter, and its client."""
