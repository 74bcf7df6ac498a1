"""Shared fixtures: a scratch project directory and a runner for the real `tfmend` command."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


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
