"""docs/rules-file.md's walkthrough, run as written: its files, its commands, their output."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tfmend.catalog.rules import builtin_catalog

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules-file.md"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def walkthrough() -> str:
    """The text of the walkthrough section."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("## Adding a rule in ten minutes")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether printed lines are the shown ones; a shown line ending in `…` is a prefix."""
    if len(shown) != len(printed):
        return False
    return all(
        got.startswith(want[:-1]) if want.endswith("…") else got == want
        for want, got in zip(shown, printed, strict=True)
    )


@pytest.mark.tensorflow
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    blocks = FENCE.findall(walkthrough())
    files = {m.group(1): body for _, info, body in blocks if (m := re.search(r"file=(\S+)", info))}
    assert sorted(files) == ["model.py", "pyproject.toml", "team-rules.yaml"]
    original = files["model.py"]
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    sessions = [body for language, _, body in blocks if language == "console"]
    assert len(sessions) == 2
    ran = []
    for session in sessions:
        lines = session.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        for i, begin in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(lines)
            command = shlex.split(lines[begin][2:])
            # check=False: `tfmend check` exits 1 when it finds problems, as shown
            done = subprocess.run(
                command,
                check=False,
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            printed = (done.stdout + done.stderr).splitlines()
            assert matches(lines[begin + 1 : end], printed), (command, printed)
            ran.append(command[1])
    assert ran == ["rules", "check", "validate", "fix"]
    fixed = original.replace("tf.compat.v1.random_normal", "tf.random.normal")
    assert (tmp_path / "model.py").read_text(encoding="utf-8") == fixed


def test_project_codes_are_left_to_projects() -> None:
    taken = [rule.code for rule in builtin_catalog().rules() if 9500 <= int(rule.code[3:]) <= 9999]
    assert taken == []
