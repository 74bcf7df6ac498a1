"""Every rule's examples are its tests: invalid code is flagged and fixes to exactly `fixed`."""

from __future__ import annotations

import pytest

from tfmend.catalog import Example, Rule, builtin_catalog
from tfmend.engine import Engine

RULES = builtin_catalog().rules()
INVALID = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-invalid-{index}")
    for rule in RULES
    for index, example in enumerate(rule.invalid)
]
VALID = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-valid-{index}")
    for rule in RULES
    for index, example in enumerate(rule.valid)
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _codes(engine: Engine, text: str) -> list[str]:
    return [f.code for f in engine.check_text(text)]


@pytest.mark.parametrize(("rule", "example"), INVALID)
def test_invalid_example_is_flagged_and_fixed(engine: Engine, rule: Rule, example: Example) -> None:
    assert rule.code in _codes(engine, example.code), f"{rule.origin}: example not flagged"
    result = engine.fix_text(example.code, unsafe=rule.fix_safety == "unsafe")
    if example.fixed is None:
        assert rule.code in _codes(engine, result.text), "a manual finding must stay"
        return
    assert result.text == example.fixed
    compile(result.text, f"<{rule.code} fixed>", "exec")
    assert rule.code not in _codes(engine, result.text)
    again = engine.fix_text(result.text, unsafe=True)
    assert again.text == result.text, "fixing twice changed the text again"


@pytest.mark.parametrize(("rule", "example"), VALID)
def test_valid_example_stays_quiet(engine: Engine, rule: Rule, example: Example) -> None:
    assert rule.code not in _codes(engine, example.code)
