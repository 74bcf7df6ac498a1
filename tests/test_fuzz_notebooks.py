"""Fuzzing notebooks: cells of every kind and shape (sources as text or lists, magics, broken
ones) never crash check or fix; a fixed notebook keeps its cells and is a fixed point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FIGURES, legacy_statement, scaled
from tests.test_fuzz_engine import crashes, engine

pytestmark = pytest.mark.fuzz

LINES = st.sampled_from(
    (
        "import tensorflow as tf",
        "from keras import backend as K",
        "%matplotlib inline",
        "!pip install tensorflow",
        "  %time K.mean(x)",
        "def f(x):",
        "    return K.sum(x)",
        "x = 1",
        "",
        "#tfmend-cell-boundary",
        "'''",
        "x = \\",
    )
)
SOURCE = st.lists(LINES | legacy_statement(), max_size=5).map("\n".join)


@st.composite
def cells(draw: st.DrawFn) -> Any:
    """A cell as notebooks have them, or in a shape no notebook should have."""
    kind = draw(st.sampled_from(("code", "code", "code", "markdown", "raw", None, 3)))
    source: Any = draw(SOURCE)
    shape = draw(st.sampled_from(("text", "lines", "lines", "missing", "number", "mixed")))
    if shape == "lines":
        source = source.splitlines(keepends=True)
    elif shape == "number":
        source = draw(st.integers() | st.none())
    elif shape == "mixed":
        source = [*source.splitlines(keepends=True), draw(st.integers() | st.none())]
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "outputs": []}
    if shape != "missing":
        cell["source"] = source
    return cell if draw(st.integers(0, 9)) else draw(st.sampled_from(([], "cell", None)))


@scaled(60)
@given(
    notebook_cells=st.lists(cells(), max_size=5),
    indent=st.sampled_from((1, 2, 4)),
    unsafe=st.booleans(),
)
def test_notebooks(
    notebook_cells: list[Any], indent: int, unsafe: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = {"cells": notebook_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path_factory.mktemp("nb") / "notebook.ipynb"
    path.write_text(json.dumps(data, indent=indent) + "\n", encoding="utf-8")
    tool = engine()
    FIGURES["notebooks tried"] += 1
    assert not crashes(tool.check_file(path).findings)
    result = tool.fix_file(path, unsafe=unsafe)
    assert not crashes(result.remaining), result.remaining
    if result.fixed_text is None:
        return
    fixed = json.loads(result.fixed_text)
    assert len(fixed["cells"]) == len(notebook_cells)
    for before, after in zip(notebook_cells, fixed["cells"], strict=True):
        if not isinstance(before, dict) or before.get("cell_type") != "code":
            assert after == before
        else:
            assert type(after.get("source")) is type(before.get("source"))
    Path(path).write_text(result.fixed_text, encoding="utf-8")
    again = tool.fix_file(path, unsafe=unsafe)
    assert again.fixed_text is None, again.applied
