"""Vim 9 with ALE 3.3 (Debian's vim-nox and vim-ale) runs the real tfmend server through the linter
definition of docs/editors/vim.md: ALE's problems, :ALECodeAction → "Validate this fix" (the
server's validation message), :ALECodeAction → "Fix all tfmend issues", :write. Then the fixed
file is compared with `tfmend fix`'s output, re-checked and run. In a second file (MIXED: a safe
fix, an unsafe one, a finding without a fix): problem types, one problem per finding, the code
actions' titles, what Fix all's title says it leaves, and the unsafe fix validated then applied."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from editor_support import (
    EDITORS,
    FINDINGS,
    LEGACY_OUTPUT,
    MIXED,
    MIXED_FINDINGS,
    MIXED_FIX_ALL,
    VALIDATION_TIMEOUT_S,
    check_mixed_titles,
    expected_fix,
    require,
    run_fixed_program,
    server_command,
    tfmend_check,
    which,
)

pytestmark = [pytest.mark.editor, pytest.mark.tensorflow, pytest.mark.slow]

HERE = Path(__file__).parent
ALE = Path("/usr/share/vim-ale/plugin/ale.vim")
PAGE = EDITORS.parent / "docs" / "editors" / "vim.md"


def vimrc_from_docs(command: list[str]) -> str:
    """The page's `~/.vimrc` lines, as pasted, with the server command of the test."""
    page = PAGE.read_text(encoding="utf-8")
    lines = page.split("In `~/.vimrc`", 1)[1].split("```vim\n", 1)[1].split("```", 1)[0]

    def vim_string(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    shell = " ".join(map(shlex.quote, command))
    for old, new in (("'executable': 'tfmend',", f"'executable': {vim_string(command[0])},"),
                     ("'command': '%e serve',", f"'command': {vim_string(shell)},")):  # fmt: skip
        assert old in lines, old
        lines = lines.replace(old, new)
    return lines


def test_vim_ale(project, tensorflow_python: str, artifacts: Path,
                 timed: Callable[[str], None]) -> None:  # fmt: skip
    vim = require(which("vim"), "Vim")
    require(ALE, "ALE (vim-ale)")
    report_path = artifacts / "report.json"
    mixed = project.root / "mixed.py"
    mixed.write_text(MIXED, encoding="utf-8")
    vimrc = artifacts / "vimrc"
    vimrc.write_text(vimrc_from_docs(server_command()), encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(artifacts),
        "TFMEND_VIMRC": str(vimrc),
        "TFMEND_FILE": str(project.legacy),
        "TFMEND_MIXED": str(mixed),
        "TFMEND_RESULT": str(report_path),
    }
    proc = subprocess.run(
        [str(vim), "-N", "-u", "NONE", "-i", "NONE", "-es", "-S", str(HERE / "vim_ale_test.vim")],
        env=env, cwd=project.root, capture_output=True, text=True,
        timeout=VALIDATION_TIMEOUT_S + 120, check=False,
    )  # fmt: skip
    timed("editor")
    (artifacts / "vim.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    assert proc.returncode == 0, f"vim exited {proc.returncode}\n{proc.stdout}\n{report}"
    assert report.get("passed"), report
    assert [(d["code"], d["lnum"], d["col"]) for d in report["diagnostics"]] == [
        (code, line, column) for code, (line, column) in zip(project.codes, FINDINGS, strict=True)
    ]
    # one message, prefixed once: "Info: tfmend: validation passed for the fix in ..."
    assert report["validation"].startswith("Info: tfmend: validation passed for the fix"), report
    assert "\n" not in report["validation"], report["validation"]
    oracle = artifacts / "oracle"
    check_vim_mixed(report, expected_fix(MIXED, oracle, name="mixed.py"),
                    expected_fix(MIXED, oracle, unsafe=True, name="mixed.py"))  # fmt: skip

    assert project.legacy.read_text(encoding="utf-8") == project.expected
    assert tfmend_check(project.legacy).returncode == 0
    run = run_fixed_program(project.legacy)
    timed("total")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == LEGACY_OUTPUT


TYPES = {"E": "error", "W": "warning", "I": "information"}


def menu_titles(menu: str) -> list[str]:
    """The entries of ALE's numbered code action menu."""
    return [m.group(1) for m in re.finditer(r"^\d+\) (.*)$", menu, re.MULTILINE)]


def check_vim_mixed(report: dict[str, Any], expected: str, validated: str) -> None:
    """What Vim + ALE showed of MIXED (see editor_support.MIXED)."""
    # one problem per finding (no "bound here" rows), removed = error, changed = warning
    assert [(p["code"], p["lnum"], p["col"], TYPES[p["type"]]) for p in report["mixed"]] == list(
        MIXED_FINDINGS
    ), report["mixed"]
    check_mixed_titles({int(line): menu_titles(menu) for line, menu in report["titles"].items()})
    # ALE shows the title, which is how Fix all says what it leaves; the safe fix only applied
    assert MIXED_FIX_ALL in menu_titles(report["fix_all_menu"])
    assert report["fix_all_text"] == expected.rstrip("\n")
    [verdict] = report["validated"]
    assert re.match(r"Info: tfmend: validation passed for the fix in mixed\.py: \d+ checks? run",
                    verdict), verdict  # fmt: skip
    # validated, the unsafe fix is applied; the title names only the finding without a fix
    assert "Fix all tfmend issues (1 finding has no automatic fix)" in menu_titles(
        report["fix_all_validated_menu"]
    ), report["fix_all_validated_menu"]
    assert report["fix_all_validated_text"] == validated.rstrip("\n")
