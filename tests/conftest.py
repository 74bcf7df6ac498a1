"""Shared fixtures: a scratch project directory and a runner for the real `tfmend` command."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tfmend.api import Engine
from tfmend.catalog.rules import builtin_catalog, load_rules_file
from tfmend.config import Settings
from tfmend.resolve.project import JediProject

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


def run_python(path: Path) -> subprocess.CompletedProcess[str]:
    """Run a Python file with this interpreter's TensorFlow (tf.keras being Keras 3)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run(
        [sys.executable, str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


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
