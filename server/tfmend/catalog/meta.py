"""tfmend's own codes (TFM9xx): problems with the input rather than with an API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetaCode:
    """A code tfmend reports about the file itself."""

    code: str
    name: str
    summary: str
    explanation: str


SYNTAX_ERROR = MetaCode(
    "TFM901",
    "syntax-error",
    "The file does not parse",
    "tfmend analyses Python source. A file that does not parse is reported once, at the first "
    "syntax error, and is otherwise skipped: `tfmend fix` never rewrites it. In the editor, "
    "findings on the unchanged parts of the file stay in place while you type and are updated "
    "when the file parses again.\n\nFix the syntax error; the file is then checked as usual.",
)
UNDECODABLE = MetaCode(
    "TFM902",
    "undecodable-file",
    "The file is not text in its declared encoding",
    "The file could not be decoded: it is binary, or its bytes are not valid in the encoding it "
    "declares (UTF-8 unless a PEP 263 `# -*- coding: ... -*-` line says otherwise). tfmend reports "
    "it and skips it; it never rewrites it.\n\nSave the file as UTF-8, or declare its encoding.",
)
RULE_CRASHED = MetaCode(
    "TFM903",
    "internal-error",
    "tfmend failed on this file",
    "An internal error stopped tfmend while analysing or fixing this file. The other files are "
    "still checked. The message carries the error; please report it with the file.",
)

MISSING_API = MetaCode(
    "TFM801",
    "api-missing-from-installed",
    "The API does not exist in the installed TensorFlow / Keras",
    "tfmend reads, once per environment, every public name of the TensorFlow, Keras and tf_keras "
    "installed in your project's interpreter (`--python`, or the `interpreter` setting; by "
    "default the active environment). A reference to a `tensorflow.*`, `keras.*` or "
    "`tf_keras.*` attribute or module that is not there fails at run time with `AttributeError` "
    "or `ImportError`, whether or not a rule names it. The message says which version lacks it "
    "and suggests the closest existing names.\n\nUse one of the suggested names, or the API's "
    "replacement in the installed version's documentation. If the code is meant for another "
    "version, point tfmend at that environment's interpreter.",
)

META_CODES = (MISSING_API, SYNTAX_ERROR, UNDECODABLE, RULE_CRASHED)
