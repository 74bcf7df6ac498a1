"""What an argument's source says about its dtype: boolean, a number, a plain reference, unknown."""

from __future__ import annotations

import ast
from typing import Literal

ArgumentKind = Literal["bool", "number", "sequence", "reference", "unknown"]
EXACT_KINDS = {
    "number": frozenset({"number"}),
    "sequence": frozenset({"sequence"}),
    "tensor": frozenset({"number", "bool"}),
    "false": frozenset(),
    "true": frozenset(),
}
"""What `exact-when` may require of an argument, and the kinds that satisfy it (`false`, the
literal `False`, and `true` are checked on the source itself)."""

BOOL_FUNCTIONS = frozenset(
    {"equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
     "logical_or", "logical_not", "logical_xor", "is_nan", "is_inf", "is_finite", "isnan",
     "isinf", "isfinite", "in_top_k", "is_non_decreasing", "is_strictly_increasing"}
)  # fmt: skip
"""Functions (of tf, keras.backend, keras.ops, numpy) whose result is boolean."""
NUMBER_FUNCTIONS = frozenset(
    {"abs", "square", "sqrt", "exp", "log", "log1p", "pow", "power", "sum", "mean", "max", "min",
     "prod", "std", "var", "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
     "reduce_std", "reduce_variance", "sigmoid", "tanh", "relu", "elu", "softmax", "softplus",
     "softsign", "dot", "matmul", "batch_dot", "sin", "cos", "round", "sign", "clip",
     "clip_by_value", "maximum", "minimum", "categorical_crossentropy", "binary_crossentropy",
     "sparse_categorical_crossentropy", "l2_normalize", "cumsum", "cumprod", "logsumexp",
     "reduce_logsumexp", "square_difference", "squared_difference", "random_normal",
     "random_uniform", "normal", "uniform", "ones", "zeros", "eye", "arange", "range", "epsilon",
     "count_params", "argmax", "argmin", "shape", "size", "int_shape"}
)  # fmt: skip
"""Functions whose result is a number, never boolean."""
_NUMBER_DTYPES = frozenset(
    {"float16", "float32", "float64", "bfloat16", "half", "double", "int8", "int16", "int32",
     "int64", "uint8", "uint16", "uint32", "uint64", "complex64", "complex128"}
)  # fmt: skip
_NUMBER_OPERATORS = (ast.Add, ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)
_LOGICAL_OPERATORS = (ast.BitAnd, ast.BitOr, ast.BitXor)


def argument_kind(text: str) -> ArgumentKind:
    """The kind of the expression an argument's source text holds."""
    try:
        tree = ast.parse(f"({text})", mode="eval")
    except SyntaxError:
        return "unknown"
    return expression_kind(tree.body)


def expression_kind(node: ast.expr) -> ArgumentKind:
    """`bool` or `number` when the expression's dtype is known from its form, `sequence` for a
    list or tuple display, `reference` for a name, attribute or subscript that can be read twice,
    else `unknown`."""
    if isinstance(node, ast.List | ast.Tuple):
        return "sequence"
    if isinstance(node, ast.Compare | ast.BoolOp) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
    ):
        return "bool"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "bool"
        return "number" if isinstance(node.value, int | float | complex) else "unknown"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub | ast.UAdd):
            return "number"
        return "bool" if expression_kind(node.operand) == "bool" else "unknown"
    if isinstance(node, ast.BinOp):
        sides = (expression_kind(node.left), expression_kind(node.right))
        if isinstance(node.op, _NUMBER_OPERATORS) or (
            isinstance(node.op, ast.Mult) and "number" in sides
        ):
            return "number"
        if isinstance(node.op, (*_LOGICAL_OPERATORS, ast.Mult)) and "bool" in sides:
            return "bool"
        return "unknown"
    if isinstance(node, ast.Call):
        return _call_kind(node)
    if _is_reference(node):
        return "reference"
    return "unknown"


def _call_kind(node: ast.Call) -> ArgumentKind:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "cast" and len(node.args) + len(node.keywords) == 2:
        dtype = node.args[1] if len(node.args) == 2 else node.keywords[-1].value
        if isinstance(dtype, ast.Call):
            dtype = dtype.func  # `K.floatx()`
        spelled = dtype.value if isinstance(dtype, ast.Constant) else getattr(dtype, "attr", None)
        if spelled == "bool":
            return "bool"
        return "number" if spelled in _NUMBER_DTYPES or spelled == "floatx" else "unknown"
    if name in BOOL_FUNCTIONS:
        return "bool"
    if name in NUMBER_FUNCTIONS:
        return "number"
    return "unknown"


def _is_reference(node: ast.expr) -> bool:
    """A name, attribute chain or subscript of one with plain indices: reading it twice is cheap
    and has no side effects."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _is_reference(node.value)
    if isinstance(node, ast.Subscript):
        return _is_reference(node.value) and _plain_index(node.slice)
    return False


def _plain_index(node: ast.expr) -> bool:
    if isinstance(node, ast.Tuple):
        return all(_plain_index(item) for item in node.elts)
    if isinstance(node, ast.Slice):
        return all(
            part is None or _plain_index(part) for part in (node.lower, node.upper, node.step)
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _plain_index(node.operand)
    return isinstance(node, ast.Constant | ast.Name) or _is_reference(node)
