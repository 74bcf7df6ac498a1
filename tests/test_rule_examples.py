"""Every rule's examples are its tests: invalid code is flagged and fixes to exactly `fixed`."""

from __future__ import annotations

import pytest

from tfmend.api import Engine
from tfmend.catalog.rules import Example, Rule, builtin_catalog
from tfmend.validate.examples import check_invalid, check_valid

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


@pytest.mark.parametrize(("rule", "example"), INVALID)
def test_invalid_example_is_flagged_and_fixed(engine: Engine, rule: Rule, example: Example) -> None:
    problems = check_invalid(engine, rule, example)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("rule", "example"), VALID)
def test_valid_example_stays_quiet(engine: Engine, rule: Rule, example: Example) -> None:
    problems = check_valid(engine, rule, example)
    assert not problems, "\n".join(problems)
