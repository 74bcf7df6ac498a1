"""Emacs (Debian's 28.2 with elpa-eglot 1.9) drives the real tfmend server through Eglot and
editors/tfmend.el: Flymake diagnostics, M-x tfmend-validate-fix (workspace/executeCommand
tfmend.validateFix), M-x tfmend-fix-all (eglot-code-actions with source.fixAll.tfmend), save.
Then the fixed file is compared with `tfmend fix`'s output, re-checked and run."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from editor_support import (
    EDITORS,
    LEGACY_OUTPUT,
    SECOND,
    VALIDATION_TIMEOUT_S,
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
    second = project.root / "second.py"
    second.write_text(SECOND, encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(artifacts / "emacs-home"),
        "TFMEND_EL_DIR": str(EDITORS),
        "TFMEND_CMD": json.dumps(server_command()),
        "TFMEND_FILE": str(project.legacy),
        "TFMEND_SECOND": str(second),
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
    # Fix all asked for by name names the unsafe fix it left, which is not applied
    assert re.fullmatch(
        r"\[eglot\] Server reports \(type=3\): tfmend: Fix all \(skips 1 unsafe fix: validate "
        r"it, or set unsafeFixes\): TFM\d+ line 5",
        report["fix-all"],
    ), report["fix-all"]
    assert report["second-text"] == SECOND

    assert project.legacy.read_text(encoding="utf-8") == project.expected
    assert tfmend_check(project.legacy).returncode == 0
    run = run_fixed_program(project.legacy)
    timed("total")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == LEGACY_OUTPUT
