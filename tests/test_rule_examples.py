"""Every rule's examples are its tests: invalid code is flagged and fixes to exactly `fixed`."""

from __future__ import annotations

import pytest

from tfmend.api import Engine
from tfmend.catalog.rules import Example, MigrationTarget, Rule, builtin_catalog
from tfmend.config import Settings
from tfmend.validate.examples import check_invalid, check_valid, example_targets

VARIANTS = [
    (target, variant)
    for rule in builtin_catalog().rules()
    for target, variant in example_targets(rule)
]
INVALID = [
    pytest.param(target, rule, example, id=f"{rule.code}-{rule.name}-{target}-invalid-{index}")
    for target, rule in VARIANTS
    for index, example in enumerate(rule.invalid)
]
VALID = [
    pytest.param(target, rule, example, id=f"{rule.code}-{rule.name}-{target}-valid-{index}")
    for target, rule in VARIANTS
    for index, example in enumerate(rule.valid)
]
_ENGINES: dict[str, Engine] = {}


def _engine(target: MigrationTarget) -> Engine:
    if target not in _ENGINES:
        _ENGINES[target] = Engine(Settings(target=target))
    return _ENGINES[target]


@pytest.mark.parametrize(("target", "rule", "example"), INVALID)
def test_invalid_example_is_flagged_and_fixed(
    target: MigrationTarget, rule: Rule, example: Example
) -> None:
    problems = check_invalid(_engine(target), rule, example)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("target", "rule", "example"), VALID)
def test_valid_example_stays_quiet(target: MigrationTarget, rule: Rule, example: Example) -> None:
    problems = check_valid(_engine(target), rule, example)
    assert not problems, "\n".join(problems)
