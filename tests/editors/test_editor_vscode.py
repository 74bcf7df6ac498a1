"""VS Code: the extension's own unit tests (node:test), then the built .vsix installed in
code-server (VS Code 1.100) and driven in headless Debian Chromium by
vscode-client/e2e/vscode-e2e.mjs: Problems panel, a light-bulb quick fix, Validate Fix at Cursor
and the light bulb's "Validate this fix", Fix All, save, a second file fixed by
`editor.codeActionsOnSave`, a notebook validated and fixed across cells from the palette, the
first-run message for an interpreter without tfmend and Select Interpreter; and, in a second
session, Restricted Mode (diagnostics yes, validation no). Screenshots of each step go to
test-artifacts/; with TFMEND_UPDATE_SCREENSHOTS=1 they are also copied to docs/editors/img/ (how
the docs' screenshots are regenerated)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from editor_support import (
    CACHE,
    FINDINGS,
    LEGACY,
    LEGACY_OUTPUT,
    MIXED,
    NOTEBOOK,
    QUICK_FIX,
    REPO,
    SECOND,
    VALIDATION_TIMEOUT_S,
    expected_fix,
    require,
    run_fixed_program,
    which,
)

pytestmark = pytest.mark.editor

CLIENT = REPO / "vscode-client"
CODE_SERVER = CACHE / "code-server-4.100.3" / "node_modules" / ".bin" / "code-server"
DOCS_IMG = REPO / "docs" / "editors" / "img"
SCREENSHOTS = ("1-problems.png", "2-quick-fix.png", "3-validate.png", "3-validate-light-bulb.png",
               "4-fix-all.png", "5-fix-on-save.png", "6-notebook.png", "7-not-installed.png",
               "7-install.png", "10-select-interpreter.png", "9-fix-all-summary.png")  # fmt: skip
UNTRUSTED_SCREENSHOTS = ("8-untrusted-nothing.png", "8-untrusted.png", "8-untrusted-refused.png")


def npm(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    require(which("npm"), "npm (Node.js)")
    require(CLIENT / "node_modules" / ".bin" / "tsc", "vscode-client's npm dependencies")
    return subprocess.run(["npm", *args], cwd=CLIENT, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


SYSTEM_PYTHON = Path("/usr/bin/python3")


def externally_managed_python() -> str:
    """Debian's Python: no tfmend, and pip refuses to install into it (PEP 668)."""
    probe = subprocess.run(
        [str(require(SYSTEM_PYTHON, "Debian's python3")), "-c",
         "import importlib.util as u, os, sys, sysconfig; print(u.find_spec('tfmend') is None, "
         "os.path.isfile(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.split() == ["True", "True"], f"{SYSTEM_PYTHON}: {probe.stdout}"
    return str(SYSTEM_PYTHON)


@pytest.fixture(scope="module")
def vsix() -> Path:
    """The extension, built and packaged from the current sources (`npm run package`)."""
    proc = npm("run", "package")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return CLIENT / "tfmend.vsix"


def test_vscode_unit_tests() -> None:
    """Type check, then node:test unit tests of the extension's logic (settings, interpreter,
    launch, messages)."""
    proc = npm("test")
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert "# fail 0" in proc.stdout


def prepare(project, tensorflow_python: str, vsix: Path, artifacts: Path) -> dict[str, str]:
    """The workspace (legacy file, second file, notebook, settings) and the driver's environment."""
    code_server = require(CODE_SERVER, "code-server")
    require(Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")), "Chromium")
    tmp_path = project.root.parent
    (project.root / "second.py").write_text(SECOND, encoding="utf-8")
    notebook = json.dumps(NOTEBOOK, indent=1)
    (project.root / "legacy.ipynb").write_text(notebook, encoding="utf-8")
    fixed_notebook = json.loads(expected_fix(notebook, tmp_path / "oracle3", name="n.ipynb"))
    (tmp_path / "expected.txt").write_text(project.expected, encoding="utf-8")
    (tmp_path / "second-expected.txt").write_text(
        expected_fix(SECOND, tmp_path / "oracle2", unsafe=True), encoding="utf-8"
    )
    (project.root / ".vscode").mkdir()
    (project.root / ".vscode" / "settings.json").write_text(json.dumps({
        "tfmend.interpreter": [tensorflow_python],
        "tfmend.showNotifications": "onWarning",
        "tfmend.unsafeFixes": True,
        "editor.codeActionsOnSave": {"source.fixAll.tfmend": "explicit"},
    }, indent=2))  # fmt: skip
    return {
        **os.environ,
        # Step 8 expects the first-run message for an interpreter without tfmend: the extension
        # would otherwise start a `tfmend` found on PATH (this test's own .venv/bin).
        "PATH": os.pathsep.join(
            d
            for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not (Path(d) / "tfmend").exists()
        ),
        "CODE_SERVER": str(code_server),
        "VSIX": str(vsix),
        "WORKSPACE": str(project.root),
        "FILE": project.legacy.name,
        "SECOND_FILE": "second.py",
        "EXPECTED": str(tmp_path / "expected.txt"),
        "SECOND_EXPECTED": str(tmp_path / "second-expected.txt"),
        "ARTIFACTS": str(artifacts),
        "FIRST_LINE": str(FINDINGS[0][0]),
        "QUICK_FIX": QUICK_FIX,
        "BARE_PYTHON": externally_managed_python(),
        "NOTEBOOK": "legacy.ipynb",
        "MIXED": MIXED,
        "NOTEBOOK_EXPECTED": json.dumps(["".join(c["source"]) for c in fixed_notebook["cells"]]),
        "VALIDATION_TIMEOUT_MS": str(VALIDATION_TIMEOUT_S * 1000),
    }


def drive(env: dict[str, str], artifacts: Path) -> subprocess.CompletedProcess[str]:
    """Run vscode-client/e2e/vscode-e2e.mjs; its log goes to the artifacts."""
    proc = subprocess.run(["node", str(CLIENT / "e2e" / "vscode-e2e.mjs")], env=env, cwd=CLIENT,
                          capture_output=True, text=True, timeout=VALIDATION_TIMEOUT_S + 240,
                          check=False)  # fmt: skip
    (artifacts / "vscode-e2e.log").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    return proc


def publish(artifacts: Path, names: tuple[str, ...]) -> None:
    """Copy screenshots to docs/editors/img/ (palette PNGs when pngquant is installed)."""
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    pngquant = which("pngquant")
    for name in names:
        target = DOCS_IMG / f"vscode-{name}"
        if pngquant:
            subprocess.run([str(pngquant), "--force", "--skip-if-larger", "--output",
                            str(target), str(artifacts / name)], check=False)  # fmt: skip
        if not target.exists() or target.stat().st_mtime < (artifacts / name).stat().st_mtime:
            shutil.copyfile(artifacts / name, target)


@pytest.mark.tensorflow
@pytest.mark.slow
def test_vscode_e2e(vsix: Path, project, tensorflow_python: str, artifacts: Path,
                    timed: Callable[[str], None]) -> None:  # fmt: skip
    env = prepare(project, tensorflow_python, vsix, artifacts)
    proc = drive(env, artifacts)
    timed("editor")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "PASS" in proc.stdout

    assert project.legacy.read_text(encoding="utf-8") == project.expected
    second = Path(env["WORKSPACE"]) / env["SECOND_FILE"]
    assert second.read_text(encoding="utf-8") == Path(env["SECOND_EXPECTED"]).read_text()
    for name in SCREENSHOTS:
        assert (artifacts / name).stat().st_size > 10_000, name
    if os.environ.get("TFMEND_UPDATE_SCREENSHOTS") == "1":
        publish(artifacts, SCREENSHOTS)
    run = run_fixed_program(project.legacy)
    timed("total")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == LEGACY_OUTPUT


def test_vscode_untrusted(vsix: Path, project, tensorflow_python: str, artifacts: Path,
                          timed: Callable[[str], None]) -> None:  # fmt: skip
    """Restricted Mode: the workspace's tfmend.interpreter is ignored and the message says so;
    with one in the user settings, diagnostics and quick fixes but no validation (it runs code),
    the stale message gone; trusting the folder brings validation back."""
    env = prepare(project, tensorflow_python, vsix, artifacts)
    env |= {"SCENARIO": "untrusted", "USER_INTERPRETER": tensorflow_python}
    proc = drive(env, artifacts)
    timed("editor")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "PASS" in proc.stdout
    assert project.legacy.read_text(encoding="utf-8") == LEGACY  # nothing was changed
    for name in UNTRUSTED_SCREENSHOTS:
        assert (artifacts / name).stat().st_size > 10_000, name
    if os.environ.get("TFMEND_UPDATE_SCREENSHOTS") == "1":
        publish(artifacts, UNTRUSTED_SCREENSHOTS)
