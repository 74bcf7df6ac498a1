"""config.OPTIONS, the one list of settings: both sources read through it, say the same of a
wrong value, and the docs list what it lists with its defaults."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tfmend.config import (
    OPTIONS,
    VALIDATION_OPTIONS,
    SettingError,
    Settings,
    ValidationSettings,
    settings_from_table,
)
from tfmend.lsp.settings import editor_settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def keys_of_table(page: str) -> dict[str, str]:
    """The first column of a docs page's tables (backquoted keys) with their default column."""
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| ([^|]+) \|", page, re.MULTILINE)
    return {key: default.strip() for key, default in rows}


def test_every_pyproject_key_is_documented() -> None:
    documented = keys_of_table((DOCS / "configuration.md").read_text(encoding="utf-8"))
    keys = {option.toml for option in OPTIONS if option.toml is not None}
    assert sorted(keys - documented.keys()) == []


def test_every_editor_setting_is_documented_with_the_models_default() -> None:
    documented = keys_of_table((DOCS / "language-server.md").read_text(encoding="utf-8"))
    keys = {option.editor for option in OPTIONS if option.editor not in (None, "validation")}
    keys |= {f"validation.{option.editor}" for option in VALIDATION_OPTIONS}
    assert sorted(keys - documented.keys()) == []
    defaults = ValidationSettings()
    assert documented["validation.timeout"] == f"{defaults.timeout:g}"
    assert documented["validation.memoryMb"] == str(defaults.memory_mb)


CASES = [
    ("select", "select", 3, "expected a list of strings", "expected a list of code prefixes"),
    ("ignore", "ignore", 3, "expected a list of strings", "expected a list of code prefixes"),
    ("extend-rules", "extendRules", 3, "expected a list of paths", "expected a list of paths"),
    ("unsafe-fixes", "unsafeFixes", 3, "expected true or false", "expected true or false"),
    ("target", "target", "tf2", "expected one of tensorflow, keras, tf-keras, got 'tf2'",
     "expected one of tensorflow, keras, tf-keras"),
]  # fmt: skip
"""Settings both sources have: a wrong value, pyproject.toml's message and the editor's (before
`, got …`)."""


def test_the_cases_are_every_setting_both_sources_have() -> None:
    fields = {option.field for option in OPTIONS if option.editor}
    both = {option.toml for option in OPTIONS if option.toml and option.field in fields}
    assert sorted(both) == sorted(case[0] for case in CASES)


@pytest.mark.parametrize(("toml_key", "editor_key", "wrong", "in_toml", "in_editor"), CASES)
def test_a_wrong_value_is_located_in_each_source(
    toml_key: str, editor_key: str, wrong: object, in_toml: str, in_editor: str
) -> None:
    with pytest.raises(SettingError) as raised:
        settings_from_table({toml_key: wrong}, Path.cwd(), "pyproject.toml")
    assert str(raised.value) == f"pyproject.toml: tool.tfmend.{toml_key}: {in_toml}"
    _, warnings = editor_settings({editor_key: wrong}, "settings")
    expected = f"settings: tfmend.{editor_key}: {in_editor}, got {wrong!r}; using the default"
    assert warnings == [expected]


def test_the_vs_code_extension_declares_the_servers_defaults() -> None:
    """VS Code shows the defaults its manifest declares (it sends only what the user set, so the
    server's apply): they must be the server's."""
    manifest = json.loads((ROOT / "vscode-client" / "package.json").read_text(encoding="utf-8"))
    declared = manifest["contributes"]["configuration"]["properties"]
    defaults = ValidationSettings()
    assert declared["tfmend.validation.timeout"]["default"] == defaults.timeout
    assert declared["tfmend.validation.memoryMb"]["default"] == defaults.memory_mb
    assert declared["tfmend.validation.enable"]["default"] is defaults.enable
    assert declared["tfmend.validation.importCheck"]["default"] is defaults.import_check
    assert declared["tfmend.validation.gpu"]["default"] is defaults.gpu
    settings = Settings()
    assert declared["tfmend.unsafeFixes"]["default"] is settings.unsafe_fixes
    assert declared["tfmend.target"]["default"] == settings.target
