"""Code families: the table tfmend reports by is the one docs/rules-file.md documents, and every
code in the catalog belongs to one of its families."""

from __future__ import annotations

import re

from tests.conftest import REPO
from tfmend.catalog.families import FAMILIES, family_of
from tfmend.catalog.meta import META_CODES
from tfmend.catalog.rules import builtin_catalog


def test_families_are_the_documented_ones() -> None:
    text = (REPO / "docs" / "rules-file.md").read_text(encoding="utf-8")
    section = text[text.index("### Families of codes") :]
    documented = re.findall(r"^\| `(TFM\dxx)` \|", section, re.MULTILINE)
    assert documented == [family.prefix for family in FAMILIES]


def test_every_code_has_its_family() -> None:
    codes = [rule.code for rule in builtin_catalog().rules()] + [m.code for m in META_CODES]
    for code in codes:
        assert family_of(code).title != "Other codes", code
    assert family_of("TFM1001").prefix == "TFM1xx"
    assert family_of("TFM2000").prefix == "TFM2xx"
    assert family_of("TFM9901").prefix == "TFM9xx"
