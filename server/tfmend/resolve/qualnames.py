"""Name families: the aliases and re-exports under which one TensorFlow/Keras API is reachable."""

from __future__ import annotations

from tfmend.resolve.tf_keras_legacy import TF_KERAS_BACKEND, TF_KERAS_ONLY
from tfmend.versions import Versions

# Prefix rewrites to the canonical spelling, most specific first. `tensorflow.compat.v1.X` is not
# here: it is the maintained TF1 API, valid in TF2 (only its `keras` part is an alias).
_KERAS_ALIASES = (
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.python.keras",
    "tensorflow.keras",
    "keras._tf_keras.keras",
)
_TF_KERAS = ("tensorflow.keras", "tensorflow.compat.v2.keras", "keras._tf_keras.keras")
"""Spellings of TensorFlow's `tf.keras`: Keras 3 keeps a legacy Keras 2 backend there."""
_TENSORFLOW_ALIASES = (
    ("tensorflow.compat.v2", "tensorflow"),
    ("keras.backend.tf", "tensorflow"),
)
_BACKEND_SUBMODULES = ("keras.backend.tensorflow_backend", "keras.backend.common")


def canonical_names(name: str, versions: Versions) -> list[str]:
    """Spellings to look a textual qualified name up under, the written one first.

    `tf_keras.*` yields nothing: it is the maintained Keras 2 and always valid. With a legacy
    `versions`, `tensorflow.keras.*` is tf_keras too.
    """
    root = name.split(".", 1)[0]
    if root == "collections":  # the standard library: one spelling
        return [name]
    if root not in ("keras", "tensorflow"):
        return []
    out = [name]
    current = name
    for alias in _KERAS_ALIASES:
        if name == alias or name.startswith(alias + "."):
            if versions.legacy_keras and alias in _TF_KERAS:
                return []
            if alias in _TF_KERAS and _kept_in_tf_keras(name[len(alias) + 1 :]):
                return []
            current = "keras" + name[len(alias) :]
            out.append(current)
            break
    for alias, canonical in _TENSORFLOW_ALIASES:
        if current.startswith(alias + "."):
            current = canonical + current[len(alias) :]
            out.append(current)
    for sub in _BACKEND_SUBMODULES:
        if current.startswith(sub + "."):
            out.append("keras.backend" + current[len(sub) :])
    return list(dict.fromkeys(out))


def same_module(binding_target: str, versions: Versions) -> str:
    """The canonical module a binding refers to, for reusing it when rendering new names."""
    names = canonical_names(binding_target, versions)
    return names[-1] if names else binding_target


RECEIVER_CLASSES = {"optimizer": "keras.optimizers.Optimizer"}
"""Attributes whose value is known to be an instance of a class (`model.optimizer`)."""


def instance_attribute(api: str) -> tuple[str, str] | None:
    """(class, attribute) when an API names an attribute of a class's instances."""
    parts = api.split(".")
    if len(parts) >= 3 and parts[-2][:1].isupper() and not parts[-1][:1].isupper():
        return ".".join(parts[:-1]), parts[-1]
    return None


def _kept_in_tf_keras(rest: str) -> bool:
    """Whether `tf.keras.<rest>` still exists in Keras 3: its legacy backend functions, the
    module that has them (what a Keras 2 program passes as `backend=`), the Keras 2
    preprocessing names, ..."""
    parts = rest.split(".")
    if parts == ["backend"]:
        return True
    if len(parts) >= 2 and parts[0] == "backend":
        return parts[1] in TF_KERAS_BACKEND
    return any(".".join(parts[:n]) in TF_KERAS_ONLY for n in range(2, len(parts) + 1))
