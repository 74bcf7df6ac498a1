"""Fuzzing the engine in process: random valid programs salted with TensorFlow 1.x / Keras 2
code never crash check or fix; fixed code parses; fixing is idempotent; code without findings is
left byte for byte."""

from __future__ import annotations

import ast
from functools import cache

import hypothesmith
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import FIGURES, legacy_statement, parses, salted, salted_programs, scaled
from tfmend.api import Engine
from tfmend.catalog.meta import RULE_CRASHED
from tfmend.config import Settings
from tfmend.findings import Finding

pytestmark = pytest.mark.fuzz


@cache
def engine(target: str = "tensorflow") -> Engine:
    """The built-in catalog, no project, no installed surface (one engine per target)."""
    return Engine(Settings(target=target))  # type: ignore[arg-type]


def crashes(findings: list[Finding]) -> list[Finding]:
    """Findings that say the engine failed (the engine turns its exceptions into TFM903)."""
    return [f for f in findings if f.code == RULE_CRASHED.code]


def check_and_fix(text: str, target: str, unsafe: bool) -> None:
    """The properties every program has."""
    tool = engine(target)
    findings = tool.check_text(text)
    FIGURES["programs tried"] += 1
    assert not crashes(findings), findings
    fixed = tool.fix_text(text, unsafe=unsafe)
    FIGURES["fixes applied"] += len(fixed.applied)
    ast.parse(fixed.text)
    if not findings:
        assert fixed.text == text
        assert not fixed.applied
    again = tool.fix_text(fixed.text, unsafe=unsafe)
    assert again.text == fixed.text, again.applied
    assert not crashes(tool.check_text(fixed.text))


TARGETS = st.sampled_from(("tensorflow", "keras", "tf-keras"))


@scaled(120)
@given(text=salted_programs(), target=TARGETS, unsafe=st.booleans())
@example(text="import keras.backend as K\r\ny = K.mean(x)", target="tensorflow", unsafe=False)
def test_salted_programs(text: str, target: str, unsafe: bool) -> None:
    check_and_fix(text, target, unsafe)


@scaled(60)
@given(
    generated=hypothesmith.from_grammar(),
    statements=st.lists(legacy_statement(), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
    unsafe=st.booleans(),
)
def test_generated_programs_salted_with_legacy_code(
    generated: str, statements: list[str], seed: int, unsafe: bool
) -> None:
    text = salted(generated, statements, seed)
    if parses(text):
        check_and_fix(text, "tensorflow", unsafe)


@scaled(30)
@given(text=hypothesmith.from_grammar(), unsafe=st.booleans())
def test_programs_without_legacy_code(text: str, unsafe: bool) -> None:
    if parses(text):
        check_and_fix(text, "tensorflow", unsafe)
