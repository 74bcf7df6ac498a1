"""Fix rounds without a parse or an analysis of the fixed text give what the full rounds give.

The fixer decides which imports its fixes leave unused from the analysed module, and skips the
analysis of the fixed text when no fix can have made a new finding. Both are checked here
against the full rounds (the fixed text parsed and analysed again) on real legacy code.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

import tfmend.fixer
from tests.corpus import fetch
from tfmend.api import Engine
from tfmend.config import Settings
from tfmend.findings import Finding
from tfmend.fixer import Fixer, FixResult

PACKAGES = (("deepctr==0.7.5", "wheel"), ("keras-rl==0.4.2", "sdist"), ("keras==2.2.4", "sdist"))


def _outcome(engine: Engine, result: FixResult, path: Path) -> tuple[str, int, list[Finding]]:
    """The fixed text, the fixes applied and what is left (as `fix_file` reports it)."""
    left = (
        [f for f in result.findings if engine.settings.reports(f.code, path)]
        if result.findings is not None
        else engine.check_text(result.text, path)
    )
    return result.text, len(result.applied), left


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(unsafe_fixes=True), Settings(unsafe_fixes=True, target="keras")],
    ids=["safe", "unsafe", "keras-target"],
)
def test_shortcuts_give_what_full_rounds_give_on_real_code(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    engine = Engine(settings)
    files = [p for req, kind in PACKAGES for p in sorted(fetch(req, kind).rglob("*.py"))]
    warnings.simplefilter("ignore", SyntaxWarning)
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in files}
    taken = {"imports removed": 0, "imports by a new parse": 0, "settled": 0}
    unused, settled = Fixer._unused_import_edits, tfmend.fixer.settled

    def recording_unused(self: Fixer, *args: Any) -> Any:
        found = unused(self, *args)
        if found is None:
            taken["imports by a new parse"] += 1
        elif found[0]:
            taken["imports removed"] += 1
        return found

    def recording_settled(*args: Any) -> Any:
        findings = settled(*args)
        taken["settled"] += findings is not None
        return findings

    monkeypatch.setattr(Fixer, "_unused_import_edits", recording_unused)
    monkeypatch.setattr(tfmend.fixer, "settled", recording_settled)
    fast = {p: _outcome(engine, engine.fix_text(t, p), p) for p, t in texts.items()}
    monkeypatch.setattr(Fixer, "_unused_import_edits", lambda *_args: None)
    monkeypatch.setattr(tfmend.fixer, "settled", lambda *_args: None)
    full = {p: _outcome(engine, engine.fix_text(t, p), p) for p, t in texts.items()}
    assert [p for p in files if fast[p] != full[p]] == []
    assert taken["imports removed"] >= 10
    assert taken["imports by a new parse"] <= len(files) // 20
    assert taken["settled"] >= 20
