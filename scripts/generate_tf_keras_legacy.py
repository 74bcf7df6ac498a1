"""Generate server/tfmend/resolve/tf_keras_legacy.py: Keras 2 names kept only in tf.keras.

Keras 3 ships, under TensorFlow's `tf.keras` (`keras._tf_keras.keras`), a legacy backend that
still has most Keras 2 functions (`tf.keras.backend.mean` runs on TF 2.21; `keras.backend.mean`
does not), and a few other Keras 2 names that `keras` itself dropped (the Keras 2 preprocessing
classes and functions, `tf.keras.preprocessing.image.ImageDataGenerator`, `ThresholdedReLU`).
The lists are read, without importing anything, from the installed Keras's generated
`keras/_tf_keras/keras/**/__init__.py`, compared with `keras/**/__init__.py`.

Run `python scripts/generate_tf_keras_legacy.py` after upgrading Keras; `--check` exits 1 when
the module on disk differs from what the installed Keras gives.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "server" / "tfmend" / "resolve" / "tf_keras_legacy.py"


def exported(init: Path) -> set[str] | None:
    """Public names a generated `__init__.py` of Keras exports (None: no such module)."""
    if not init.exists():
        return None
    names = set()
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return {n for n in names if not n.startswith("_")}


def legacy_names() -> tuple[str, list[str], list[str]]:
    """(Keras major.minor, public names of keras._tf_keras.keras.backend, `module.name` of the
    other names that keras._tf_keras.keras has and keras lacks)."""
    spec = importlib.util.find_spec("keras")
    if spec is None or spec.origin is None:
        raise SystemExit("keras is not installed in this interpreter")
    package = Path(spec.origin).parent
    version_file = package / "src" / "version.py"
    version = "unknown"
    for node in ast.walk(ast.parse(version_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            # major.minor only: a patch release that keeps the names must not make CI stale
            version = ".".join(str(ast.literal_eval(node.value)).split(".")[:2])
    tf_keras = package / "_tf_keras" / "keras"
    backend = sorted(exported(tf_keras / "backend" / "__init__.py") or set())
    elsewhere = set()
    for init in tf_keras.rglob("__init__.py"):
        module = init.parent.relative_to(tf_keras)
        if module.parts[:1] == ("backend",) or not module.parts:
            continue
        own = exported(package / module / "__init__.py") or set()
        dotted = ".".join(module.parts)
        elsewhere.update(f"{dotted}.{name}" for name in (exported(init) or set()) - own)
    return version, backend, sorted(elsewhere)


def frozen(name: str, values: list[str]) -> str:
    """`name = frozenset({...})`, one value a line."""
    body = "".join(f'        "{value}",\n' for value in values)
    return f"{name} = frozenset(\n    {{\n{body}    }}\n)\n"


def render(version: str, backend: list[str], elsewhere: list[str]) -> str:
    """The module's text."""
    return (
        '"""Keras 2 names that Keras 3 still provides under tf.keras only (legacy).\n\n'
        f"Generated from Keras {version}.x by scripts/generate_tf_keras_legacy.py; do not edit.\n"
        '"""\n\n'
        + frozen("TF_KERAS_BACKEND", backend)
        + '"""Names of tf.keras.backend."""\n\n'
        + frozen("TF_KERAS_ONLY", elsewhere)
        + '"""`module.name` under tf.keras (not backend) that keras lacks."""\n'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the module is stale")
    args = parser.parse_args()
    text = render(*legacy_names())
    current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    if args.check:
        if current != text:
            sys.stderr.write(f"{OUT} is stale; run: python scripts/generate_tf_keras_legacy.py\n")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
