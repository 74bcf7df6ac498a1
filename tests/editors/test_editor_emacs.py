"""Emacs (Debian's 28.2 with elpa-eglot 1.9) drives the real tfmend server through Eglot and
editors/tfmend.el: Flymake diagnostics, M-x tfmend-validate-fix (workspace/executeCommand
tfmend.validateFix), M-x tfmend-fix-all (eglot-code-actions with source.fixAll.tfmend), save.
Then the fixed file is compared with `tfmend fix`'s output, re-checked and run. In a second file
(MIXED: a safe fix, an unsafe one, a finding without a fix): severities, one diagnostic per
finding, the code actions' titles, hover, validating where there is no fix and a region, and
what Fix all says it left."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from editor_support import (
    EDITORS,
    LEGACY_OUTPUT,
    MIXED,
    MIXED_FINDINGS,
    MIXED_LEFT,
    MIXED_LEFT_VALIDATED,
    MIXED_NO_FIX,
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


def test_emacs_eglot(project, tensorflow_python: str, artifacts: Path,
                     timed: Callable[[str], None]) -> None:  # fmt: skip
    emacs = require(which("emacs"), "Emacs")
    report_path = artifacts / "report.json"
    mixed = project.root / "mixed.py"
    mixed.write_text(MIXED, encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(artifacts / "emacs-home"),
        "TFMEND_EL_DIR": str(EDITORS),
        "TFMEND_CMD": json.dumps(server_command()),
        "TFMEND_FILE": str(project.legacy),
        "TFMEND_MIXED": str(mixed),
        "TFMEND_RESULT": str(report_path),
    }
    (artifacts / "emacs-home").mkdir()
    proc = subprocess.run(
        [str(emacs), "--batch", "-q", "-l", str(HERE / "eglot_test.el")],
        env=env, cwd=project.root, capture_output=True, text=True,
        timeout=VALIDATION_TIMEOUT_S + 120, check=False,
    )  # fmt: skip
    timed("editor")
    (artifacts / "emacs.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    assert proc.returncode == 0, (
        f"emacs exited {proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}\n{report}"
    )
    assert report.get("passed"), report
    assert len(report["diagnostics"]) == len(project.codes)
    assert all(
        code in text for code, text in zip(project.codes, report["diagnostics"], strict=True)
    )
    assert report["validation"].startswith("validation passed"), report["validation"]
    # asynchronous (Emacs does not freeze), and the verdict logged once: the server's
    assert report["returned-before-result"] is True, report
    assert report["verdicts"] == [
        f"[eglot] Server reports (type=3): tfmend: {report['validation']}"
    ], report["verdicts"]
    oracle = artifacts / "oracle"
    check_emacs_mixed(report, expected_fix(MIXED, oracle, name="mixed.py"),
                      expected_fix(MIXED, oracle, unsafe=True, name="mixed.py"))  # fmt: skip

    assert project.legacy.read_text(encoding="utf-8") == project.expected
    assert tfmend_check(project.legacy).returncode == 0
    run = run_fixed_program(project.legacy)
    timed("total")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == LEGACY_OUTPUT


SERVER_SAYS = "[eglot] Server reports (type=3): "
"""How Eglot logs the server's window/showMessage of type Info."""


def said(messages: list[str]) -> list[str]:
    """tfmend's messages among those Emacs logged (Eglot logs applying edits too)."""
    return [message for message in messages if "tfmend:" in message]


PASSED = (
    r"tfmend: validation passed for the fix in mixed\.py: \d+ checks? run: \d+ passed, 0 failed"
)
"""The verdict on one fix of MIXED."""
TYPES = {"eglot-error": "error", "eglot-warning": "warning", "eglot-note": "information"}


def check_emacs_mixed(report: dict[str, Any], expected: str, validated: str) -> None:
    """What Emacs showed of MIXED (see editor_support.MIXED)."""
    # one Flymake diagnostic per finding (no "bound here" rows), removed = error, changed = warning
    assert [(line, TYPES[kind]) for line, kind, _ in report["mixed-diagnostics"]] == [
        (line, severity) for _, line, _, severity in MIXED_FINDINGS
    ], report["mixed-diagnostics"]
    check_mixed_titles({int(line): titles for line, titles in report["titles"].items()})
    # hover: plain text for an Eglot without markdown-mode (no raw markdown in the echo area),
    # and it explains rather than repeats the diagnostic
    hover = report["hover"]
    assert hover["kind"] == "plaintext", hover
    assert "**" not in hover["value"], hover
    assert "TFM460" in hover["value"], hover
    assert "was removed in Keras 3; use" not in hover["value"], hover
    # "Validate this fix" from Eglot's menu runs in the background; its verdict comes once
    assert report["menu-returned-before-verdict"] is True, report["menu-validation"]
    [verdict] = said(report["menu-validation"])
    assert re.match(re.escape(SERVER_SAYS) + PASSED, verdict), verdict
    # no fix on the line: one answer, information
    [no_fix] = said(report["no-fix"])
    assert no_fix.startswith(SERVER_SAYS + MIXED_NO_FIX), no_fix
    # Fix all applies the safe fix and says, once, what it left and why
    assert said(report["fix-all"]) == [SERVER_SAYS + MIXED_LEFT], report["fix-all"]
    assert report["fix-all-text"] == expected
    # the unsafe fix validated from a region: the progress names its lines; the verdict,
    # once, says what ran; then Fix all applies the validated fix and names only the manual one
    progress = [m for m in report["region-progress"] if m.startswith("tfmend:")]
    assert progress == ["tfmend: validating the fixes in lines 8-12… (in the background)"]
    [verdict] = said(report["region"])
    assert re.match(re.escape(SERVER_SAYS) + PASSED, verdict), verdict
    assert said(report["fix-all-validated"]) == [SERVER_SAYS + MIXED_LEFT_VALIDATED]
    assert report["fix-all-validated-text"] == validated
