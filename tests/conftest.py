"""Shared fixtures: a scratch project directory, a runner for the real `tfmend` command, the
SARIF schema, and the source tree as a fresh clone of it has it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tfmend.api import Engine
from tfmend.catalog.rules import builtin_catalog, load_rules_file
from tfmend.config import Settings
from tfmend.resolve.project import JediProject

REPO = Path(__file__).resolve().parents[1]
TEST_RULES = Path(__file__).with_name("data") / "rules.yaml"
"""Rules owned by the tests (TFM99xx); tests select only them to stay independent of wording."""
TEST_ARGS = ("--rules", str(TEST_RULES), "--select", "TFM99", "--no-surface")


def make_engine(project: Path | None = None, **settings: object) -> Engine:
    """An engine with the test rules only (built-in rules stay loaded but unselected)."""
    catalog = builtin_catalog().with_rules(load_rules_file(TEST_RULES))
    chosen = Settings(select=("TFM99",), **settings)  # type: ignore[arg-type]
    return Engine(chosen, catalog=catalog, project=JediProject(project) if project else None)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files under root (text is dedented and written as UTF-8)."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def run_python(path: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a Python file with this interpreter's TensorFlow (tf.keras being Keras 3), in `cwd`
    (by default this process's directory)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run(
        [sys.executable, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def fix_program(
    root: Path,
    tfmend: Callable[..., subprocess.CompletedProcess[str]],
    program: str,
    error: str,
    summary: str,
) -> tuple[str, str]:
    """Write `program` to root/program.py, check it fails with `error`, run `tfmend fix` on it
    (default settings; it must print `summary`), and run it again: (fixed text, its last line)."""
    path = root / "program.py"
    path.write_text(program, encoding="utf-8")
    before = run_python(path)
    assert before.returncode != 0
    assert error in before.stderr
    fixed = tfmend("fix", "--no-progress", path.name, cwd=root)
    assert (fixed.returncode, fixed.stderr) == (0, summary + "\n")
    after = run_python(path)
    assert after.returncode == 0, after.stderr
    return path.read_text(encoding="utf-8"), after.stdout.splitlines()[-1]


@pytest.fixture
def tfmend() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m tfmend ARGS` as a user would, in a given directory."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tfmend", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def sarif_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The SARIF 2.1.0 JSON schema, from the npm registry (@microsoft/jest-sarif ships it)."""
    directory = tmp_path_factory.mktemp("sarif")
    subprocess.run(
        ["npm", "pack", "@microsoft/jest-sarif@1.0.0-beta.0", "--pack-destination", str(directory)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (archive,) = directory.glob("*.tgz")
    with tarfile.open(archive) as tar:
        member = tar.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json")
        assert member is not None
        schema: dict[str, Any] = json.load(member)
    return schema


@dataclass(frozen=True)
class Clone:
    """A copy of the source tree in a git repository of its own."""

    root: Path
    rev: str
    """The one commit, holding the tree as it is on disk."""


def git(*args: str, cwd: Path) -> str:
    """Run git without the user's configuration; its output."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
        "GIT_AUTHOR_NAME": "tfmend tests",
        "GIT_AUTHOR_EMAIL": "tests@tfmend.invalid",
        "GIT_COMMITTER_NAME": "tfmend tests",
        "GIT_COMMITTER_EMAIL": "tests@tfmend.invalid",
    }
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return proc.stdout


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Clone:
    """The source tree as a clone has it once the working tree is committed: the files git
    tracks or would add (not ignored ones: no .venv, no node_modules), as they are on disk."""
    root = tmp_path_factory.mktemp("clone") / "tfmend"
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in sorted(set(filter(None, listed.split("\0")))):
        source, target = REPO / name, root / name
        if not source.is_symlink() and not source.exists():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "the working tree", cwd=root)
    return Clone(root, git("rev-parse", "HEAD", cwd=root).strip())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz tests' figures: what they tried, and how many crashes they saw."""
    from tests.fuzzing import FIGURES, PROFILE

    if not FIGURES:
        return
    figures = ", ".join(f"{name} {count:,}" for name, count in sorted(FIGURES.items()))
    failed = len(terminalreporter.stats.get("failed", []))
    terminalreporter.write_sep("-", f"fuzzing ({PROFILE} profile)")
    terminalreporter.write_line(f"{figures}; crashes {failed}")
