"""Regressions the fuzz tests found, each as the smallest program that showed it."""

from __future__ import annotations

import ast
import textwrap

from tfmend.api import Engine
from tfmend.config import Settings

ENGINE = Engine(Settings())
MEAN = "tf.reduce_mean(tf.cast(x, keras.config.floatx()) if x.dtype == tf.bool else x)"


def fixed(text: str) -> str:
    """The fixed text, which must parse and be a fixed point."""
    result = ENGINE.fix_text(textwrap.dedent(text)).text
    ast.parse(result)
    assert ENGINE.fix_text(result).text == result
    return result


def test_a_try_of_pass_alone_is_kept_when_imports_are_removed() -> None:
    # The function's only statement was taken for an emptied import shim and removed.
    source = """\
        from keras import backend as K
        K.mean(x)
        def f():
            try:
                pass
            except ImportError:
                pass
        """
    assert fixed(source) == textwrap.dedent(
        f"""\
        import keras
        import tensorflow as tf
        {MEAN}
        def f():
            try:
                pass
            except ImportError:
                pass
        """
    )


def test_an_emptied_import_shim_that_was_a_block_alone_leaves_pass() -> None:
    source = """\
        if x:
            try:
                from keras import backend as K
            except ImportError:
                pass
        y = K.mean(x)
        """
    assert fixed(source) == textwrap.dedent(
        f"""\
        if x:
            pass
        import keras
        import tensorflow as tf
        y = {MEAN}
        """
    )
