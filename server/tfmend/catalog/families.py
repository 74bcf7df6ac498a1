"""Code families: the first digit of a code groups its rules (the table in docs/rules-file.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Family:
    """One family of codes, such as `TFM4xx`."""

    prefix: str
    """`TFM4xx`: the codes `TFM4..` and, past three digits, `TFM4...`."""
    title: str


FAMILIES: tuple[Family, ...] = (
    Family("TFM1xx", "TensorFlow 1.x symbols"),
    Family("TFM2xx", "TensorFlow 1.x arguments"),
    Family("TFM3xx", "Removed modules (tf.contrib and friends)"),
    Family("TFM4xx", "Keras 2 backend: tensor functions"),
    Family("TFM5xx", "Keras 2 backend: neural-network functions"),
    Family("TFM6xx", "Keras 2 backend: graphs, sessions, configuration; model and optimizer APIs"),
    Family("TFM7xx", "TensorFlow 1.x behaviour changes"),
    Family("TFM8xx", "Missing from the installed TensorFlow / Keras"),
    Family("TFM9xx", "Files tfmend cannot check"),
)

_BY_DIGIT = {family.prefix[3]: family for family in FAMILIES}


def family_of(code: str) -> Family:
    """The family of a code (`TFM1001` is in `TFM1xx`: families continue with four digits)."""
    digit = code[3:4]
    return _BY_DIGIT.get(digit) or Family(f"TFM{digit}xx", "Other codes")
