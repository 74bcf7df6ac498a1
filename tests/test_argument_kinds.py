"""Argument coercions of call fixes: what an argument's source shows, and the rewrite it gets."""

from __future__ import annotations

import ast

import pytest

from tfmend.catalog.dtypes import argument_kind, expression_kind
from tfmend.catalog.template import Template, TemplateError


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("y_true > 0.5", "bool"),
        ("K.equal(a, K.round(b))", "bool"),
        ("tf.math.logical_and(a, b)", "bool"),
        ("(a > 0) & (b < 1)", "bool"),
        ("(a > 0) * (b < 1)", "bool"),
        ("not ready", "bool"),
        ("K.cast(mask, 'bool')", "bool"),
        ("K.square(y_pred - y_true)", "number"),
        ("K.square(a) * weights", "number"),
        ("1 - K.epsilon()", "number"),
        ("K.cast(mask, K.floatx())", "number"),
        ("K.cast(mask, 'float32')", "number"),
        ("-x", "number"),
        ("0.5", "number"),
        ("[1, 2]", "sequence"),
        ("(0, 2)", "sequence"),
        ("inputs", "reference"),
        ("self.kernel", "reference"),
        ("x[:, 0]", "reference"),
        ("x[i, -1:]", "reference"),
        ("huber(y_true, y_pred)", "unknown"),
        ("K.cast(mask, y_true.dtype)", "unknown"),
        ("a * b", "unknown"),
        ("x[f(i)]", "unknown"),
        ("not valid (", "unknown"),
    ],
)
def test_the_source_of_an_argument_tells_its_kind(source: str, kind: str) -> None:
    assert argument_kind(source) == kind


MEAN = Template.parse(
    "x, axis=None, keepdims=False",
    "tensorflow.reduce_mean({x}, axis={axis?}, keepdims={keepdims?})",
    {"x": "bool-cast"},
)
TILE = Template.parse("x, n", "tensorflow.tile({x}, {n})", {"n": "int-to-list"})


def render(template: Template, **bound: str) -> str:
    return template.render(bound, lambda name: name.replace("tensorflow.", "tf."))


@pytest.mark.parametrize(
    ("argument", "rendered", "unsafe"),
    [
        ("K.equal(a, b)", "tf.reduce_mean(tf.cast(K.equal(a, b), keras.config.floatx()))", False),
        ("K.square(a - b)", "tf.reduce_mean(K.square(a - b))", False),
        (
            "x",
            "tf.reduce_mean(tf.cast(x, keras.config.floatx()) if x.dtype == tf.bool else x)",
            False,
        ),
        ("loss_of(a)", "tf.reduce_mean(loss_of(a))", True),
    ],
)
def test_bool_cast_casts_what_keras_2_cast(argument: str, rendered: str, unsafe: bool) -> None:
    assert render(MEAN, x=argument) == rendered
    reason = MEAN.unsafe_reason({"x": ast.parse(argument, mode="eval").body})
    assert (reason is not None) == unsafe


def test_int_to_list_wraps_an_int_and_is_unsafe_for_a_name() -> None:
    assert render(TILE, x="x", n="2") == "tf.tile(x, [2])"
    assert render(TILE, x="x", n="[1, 2]") == "tf.tile(x, [1, 2])"
    assert TILE.unsafe_reason({"n": ast.parse("reps", mode="eval").body}) == (
        "tfmend cannot tell whether the n argument is an int, which Keras 2 wrapped in a list"
    )
    assert TILE.unsafe_reason({"n": ast.parse("3", mode="eval").body}) is None


def test_a_guarded_argument_inside_an_operation_keeps_its_parentheses() -> None:
    template = Template.parse("x", "tensorflow.reduce_sum({x} * 2)", {"x": "bool-cast"})
    assert render(template, x="m") == (
        "tf.reduce_sum((tf.cast(m, keras.config.floatx()) if m.dtype == tf.bool else m) * 2)"
    )
    assert expression_kind(ast.parse("m", mode="eval").body) == "reference"


DROPOUT = Template.parse(
    "inputs, rate=0.5, training=False",
    "keras.layers.Dropout({rate})({inputs}, training={training})",
    literal=["training"],
)


@pytest.mark.parametrize(
    ("training", "left"),
    [
        (None, None),
        ("True", None),
        ("False", None),
        ("is_training", "the rewrite takes only a literal training argument"),
        ("tf.constant(True)", "the rewrite takes only a literal training argument"),
    ],
)
def test_a_literal_parameter_leaves_calls_passing_anything_else(
    training: str | None, left: str | None
) -> None:
    """Keras 3's `Dropout` reads `training=` as a Python bool: a tensor there is left as it is."""
    keywords = {} if training is None else {"training": ast.parse(training, mode="eval").body}
    bound = DROPOUT.bind([ast.parse("x", mode="eval").body], keywords)
    reason = DROPOUT.left_reason(bound)
    assert (reason or "").removesuffix("; rewrite it by hand") == (left or "")


def test_a_literal_parameter_must_be_a_parameter() -> None:
    with pytest.raises(TemplateError, match="'train' is not a parameter of the signature"):
        Template.parse(
            "inputs, training=False", "f({inputs}, training={training})", literal=["train"]
        )
