"""Rules are listed by code number: the docs index and `tfmend rules` put TFM101 before TFM1000."""

from __future__ import annotations

from tfmend.catalog.rules import builtin_catalog, code_order


def test_codes_sort_by_number() -> None:
    codes = ["TFM1000", "TFM101", "TFM99", "TFM100", "TFM1001"]
    assert sorted(codes, key=code_order) == ["TFM99", "TFM100", "TFM101", "TFM1000", "TFM1001"]


def test_the_builtin_catalog_lists_rules_by_number() -> None:
    numbers = [int(rule.code.removeprefix("TFM")) for rule in builtin_catalog().rules()]
    assert numbers == sorted(numbers)
    assert len(numbers) > 400
