"""Fuzzing support: hypothesis profiles chosen by the environment, the figures each run prints,
and strategies for valid Python programs salted with TensorFlow 1.x / Keras 2 code."""

from __future__ import annotations

import ast
import os
import re
from collections import Counter

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

PROFILES = {
    # CI: a few hundred examples in all, the same ones on every run (no example database).
    "ci": settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ),
    # A developer's run: as many examples, fresh ones each time, failures remembered.
    "dev": settings(
        max_examples=40,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ),
    # `make fuzz`: a long run.
    "fuzz": settings(
        max_examples=2_000,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ),
}
for _name, _profile in PROFILES.items():
    settings.register_profile(_name, _profile)
PROFILE = os.environ.get("TFMEND_FUZZ_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def scaled(examples: int) -> settings:
    """Settings for a test worth `examples` examples in CI (ten times that under `make fuzz`)."""
    factor = 10 if PROFILE == "fuzz" else 1
    return settings(max_examples=examples * factor)


FIGURES: Counter[str] = Counter()
"""What the fuzz tests did in this run (printed in pytest's terminal summary)."""

IMPORTS = (
    "import tensorflow as tf",
    "import tensorflow",
    "import tensorflow.compat.v1 as tf1",
    "from keras import backend as K",
    "import keras.backend as K",
    "from tensorflow.keras import backend as K",
    "import keras",
    "from keras.optimizers import Adam",
    "from keras.layers.merge import concatenate",
    "from keras.engine.topology import Layer",
    "from keras.utils.generic_utils import get_custom_objects",
    "from tensorflow.keras import backend",
    "from keras.layers import Dense, Input",
)
"""Imports of legacy names, put at the top of every salted program."""

ARGUMENTS = ("x", "y", "1", "2.5", "[1, 2]", "(x, y)", "x[0]", "f(x)", "'s'", "None", "-1")

LEGACY_EXPRESSIONS = (
    "K.mean({a})",
    "K.mean({a}, axis={b}, keepdims=True)",
    "K.sum({a}, {b})",
    "K.constant({a})",
    "K.floatx()",
    "K.epsilon()",
    "K.get_session()",
    "K.symbolic(f)",
    "K.mean(*args)",
    "K.sum(**kwargs)",
    "K.mean(K.sum({a}))",
    "K.mean(\n    {a},  # a comment\n    axis={b},\n)",
    "tf.Session()",
    "tf.placeholder(tf.float32, shape=[None, 3])",
    "tf.placeholder(tf.int32)",
    "tf.contrib.layers.flatten({a})",
    "tf.train.Saver()",
    "tf.global_variables_initializer()",
    "tf.keras.backend.get_graph()",
    "tf.compat.v1.layers.dense({a}, 3)",
    "tf.random_normal([2])",
    "tf.log({a})",
    "tf.to_float({a})",
    "tf.reduce_mean({a}, keep_dims=True)",
    "tensorflow.Session()",
    "tf1.placeholder(tf1.float32)",
    "Adam(lr={a})",
    "Adam(lr=0.1, decay=1e-6)",
    "concatenate([{a}, {b}])",
    "backend.mean({a})",
    "tf.keras.backend.mean({a})",
    "keras.backend.mean({a})",
    "K . mean ( {a} )",
    "(K.mean)({a})",
    "K.mean",
    "tf.Session",
)
"""Legacy expressions; {a} and {b} take arguments."""

LEGACY_STATEMENTS = (
    "with tf.Session() as sess:\n    sess.run({a})",
    "class L(Layer):\n    pass",
    "get_custom_objects()['f'] = f",
    "try:\n    from keras.layers.merge import add\n"
    "except ImportError:\n    from keras.layers import add",
    "K = {a}\nK.mean({b})",
    "def g(K):\n    return K.mean({a})",
    "del K",
    "from keras.layers.merge import concatenate as cat\ncat([{a}, {b}])",
    "import tensorflow as tf\ntf.placeholder(tf.float32)",
    "lambda: K.mean({a})",
    "[K.sum(v) for v in {a}]",
    "f'{{K.mean({a})}}'",
    "@tf.function\ndef h():\n    return tf.Session()",
    "global K",
    "x: K.floatx = {a}",
    "if True: tf.Session()",
    "K.mean({a}); tf.Session()",
    "assert K.mean({a})",
    "y = \\\n    K.mean({a})",
    "from keras.backend import *\nmean({a})",
    "from tensorflow import *\nSession()",
    "__all__ = ['K']",
    "if (m := K.mean({a})):\n    pass",
    "match {a}:\n    case [K.mean]:\n        pass\n    case _:\n        K.sum({b})",
    "class M:\n    K = K\n    def f(self):\n        return self.K.mean({a})",
    "def outer():\n    def inner():\n        return K.mean({a})\n    return inner",
    "@K.symbolic\ndef s(x):\n    return x",
    "import keras.backend as K, tensorflow as tf\nK.mean(tf.log({a}))",
    "from keras import backend as K  # noqa\nK.mean({a})  # tfmend: ignore[TFM401]",
    "x = K.mean({a}) if K else tf.Session()",
    "K.mean(x=({a}), axis=-1)",
    "K.mean({a}, {b}, True)",
    "tf.placeholder(dtype=tf.float32, shape=(None,), name='p')",
    "async def a():\n    async with tf.Session() as s:\n        await s.run({a})",
    "y = [K.mean(v) async for v in {a}]",
    "print(K.mean({a}), end='')",
    "f(*[K.mean({a})], **{{'k': tf.Session()}})",
)
"""Legacy statements (one or more lines, at one indentation)."""


@st.composite
def legacy_statement(draw: st.DrawFn) -> str:
    """One legacy statement, its arguments filled in."""
    a, b = draw(st.sampled_from(ARGUMENTS)), draw(st.sampled_from(ARGUMENTS))
    if draw(st.booleans()):
        template = draw(st.sampled_from(LEGACY_EXPRESSIONS))
        target = draw(st.sampled_from(("", "y = ", "y += ", "return_ = ", "print(")))
        text = target + template.format(a=a, b=b) + (")" if target == "print(" else "")
    else:
        text = draw(st.sampled_from(LEGACY_STATEMENTS)).format(a=a, b=b)
    return text


def indent(text: str, prefix: str) -> str:
    """Each line of a block indented by prefix."""
    return "".join(prefix + line for line in text.splitlines(keepends=True))


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    """A statement: a legacy one, or a compound statement holding some (nested up to 2 deep)."""
    compound = ["def", "class", "if", "try", "with", "for"]
    kinds = ["legacy", "plain"] + (compound if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "legacy":
        return draw(legacy_statement()) + "\n"
    if kind == "plain":
        return draw(st.sampled_from(("pass", "x = 1", "y = [v for v in x]", "pass  # note"))) + "\n"
    inner_indent = draw(st.sampled_from(("    ", "\t", "  ")))
    body = "".join(draw(st.lists(block(depth + 1), min_size=1, max_size=3)))
    body = indent(body, inner_indent)
    head = {
        "def": draw(st.sampled_from(("def f(x, *args, **kwargs):", "async def f(x):"))),
        "class": "class C:",
        "if": "if x:",
        "try": "try:",
        "with": "with open('f') as handle:",
        "for": "for x in range(3):",
    }[kind]
    text = f"{head}\n{body}"
    if kind == "try":
        text += f"except ImportError:\n{inner_indent}pass\n"
    return text


def parses(text: str) -> bool:
    """Whether text is a valid Python module."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@st.composite
def salted_programs(draw: st.DrawFn) -> str:
    """A valid program: legacy imports, then statements (legacy ones nested in compound ones),
    with random line endings."""
    imports = draw(st.lists(st.sampled_from(IMPORTS), min_size=1, max_size=5, unique=True))
    body = draw(st.lists(block(), min_size=1, max_size=6))
    text = "\n".join(imports) + "\n" + "".join(body)
    newline = draw(st.sampled_from(("\n", "\n", "\r\n", "\r")))
    if newline != "\n":
        text = text.replace("\n", newline)
    if not draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final newline
    assume(parses(text))
    return text


def salted(generated: str, statements: list[str], seed: int) -> str:
    """A program hypothesmith made with legacy imports and statements inserted at one of its
    top-level statement boundaries (after any `from __future__` import)."""
    salt = "\n".join(["import tensorflow as tf", "from keras import backend as K", *statements])
    return splice(salt + "\n", generated, seed)


def splice(code: str, generated: str, seed: int) -> str:
    """Insert code at a top-level statement boundary of a generated program (or after it),
    keeping `from __future__` imports first; the code alone when that does not parse."""
    if not parses(generated):
        return code
    if not generated.endswith("\n"):
        generated += "\n"
    # Lines as Python counts them (str.splitlines also splits at form feeds and others).
    lines = [line for line in re.split(r"(?<=\n)|(?<=\r)(?!\n)", generated) if line]
    tree = ast.parse(generated)
    boundaries = [len(lines)]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            boundaries = [len(lines)]  # everything before it stays before the salted code
            continue
        line = node.lineno - 1
        continued = line > 0 and lines[line - 1].rstrip("\r\n").endswith("\\")
        if node.col_offset == 0 and not continued:
            boundaries.append(line)
    at = boundaries[seed % len(boundaries)]
    spliced = "".join(lines[:at]) + code + "".join(lines[at:])
    return spliced if parses(spliced) else code
