"""The TensorFlow and Keras versions code must run on, and version parsing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Versions:
    """The versions code must run on, and whether `tf.keras` is Keras 2 (TF_USE_LEGACY_KERAS=1)."""

    tensorflow: str = "2.21"
    keras: str = "3.0"
    legacy_keras: bool = False

    def version(self, package: str) -> tuple[int, ...]:
        """The target version of `tensorflow` or `keras` as a tuple of ints."""
        return parse_version(self.tensorflow if package == "tensorflow" else self.keras)


def parse_version(text: str) -> tuple[int, ...]:
    """`"2.21.0rc1"` → (2, 21, 0): leading numeric components only."""
    parts: list[int] = []
    for piece in text.split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)
