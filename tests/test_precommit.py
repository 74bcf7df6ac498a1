"""The pre-commit hooks (.pre-commit-hooks.yaml), installed by pre-commit itself from a clone of
this tree with the configuration docs/ci.md shows: a commit with legacy code fails, the fix hook
rewrites it, and the commit then passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, Clone, git, write

pytestmark = pytest.mark.slow

LEGACY = """\
import tensorflow as tf

x = tf.placeholder(tf.float32, shape=(None, 3))
"""
FIXED = """\
import tensorflow as tf
tf.compat.v1.disable_eager_execution()

x = tf.compat.v1.placeholder(tf.float32, shape=(None, 3))
"""
MANUAL = "import tensorflow as tf\n\nnet = tf.contrib.slim.fully_connected(x, 10)\n"


def documented_config(clone: Clone) -> str:
    """docs/ci.md's .pre-commit-config.yaml, pointed at the clone."""
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n# \.pre-commit-config\.yaml\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/ci.md shows a .pre-commit-config.yaml"
    config = yaml.safe_load(block[1])
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/tfmend/tfmend"
    repo.update(repo=str(clone.root), rev=clone.rev)
    return yaml.safe_dump(config, sort_keys=False)


def run(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@tfmend.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@tfmend.invalid",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # A git hook writes to standard error: keep both streams together, as a terminal shows them.
    return subprocess.run(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=900, check=False,
    )  # fmt: skip


def test_hooks_fail_fix_and_pass(fresh_clone: Clone, tmp_path: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["tfmend-check", "tfmend-fix"]
    project = tmp_path / "project"
    home = tmp_path / "pre-commit-home"
    write(project, {"model.py": LEGACY, ".pre-commit-config.yaml": documented_config(fresh_clone)})
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)

    # The check hook alone reports the finding and fails.
    check = run("pre-commit", "run", "tfmend-check", "--all-files", cwd=project, home=home)
    assert check.returncode == 1, check.stdout
    assert re.search(r"tfmend check\.+Failed", check.stdout)
    assert "model.py:3:5: TFM110 `tf.placeholder`" in check.stdout

    # Installed as a git hook: the commit fails, the fix hook rewrote the file; staged, it passes.
    assert run("pre-commit", "install", cwd=project, home=home).returncode == 0
    blocked = run("git", "commit", "-q", "-m", "legacy", cwd=project, home=home)
    assert blocked.returncode == 1, blocked.stdout
    assert "files were modified by this hook" in blocked.stdout
    assert (project / "model.py").read_text(encoding="utf-8") == FIXED
    git("add", "-A", cwd=project)
    passed = run("git", "commit", "-q", "-m", "fixed", cwd=project, home=home)
    assert passed.returncode == 0, passed.stdout
    assert re.search(r"tfmend fix\.+Passed", passed.stdout)
    assert re.search(r"tfmend check\.+Passed", passed.stdout)

    # What has no fix keeps failing both hooks, and the file is left as it was.
    write(project, {"slim.py": MANUAL})
    git("add", "slim.py", cwd=project)
    manual = run("git", "commit", "-q", "-m", "slim", cwd=project, home=home)
    assert manual.returncode == 1
    assert "slim.py:3:7: TFM303 " in manual.stdout
    assert (project / "slim.py").read_text(encoding="utf-8") == MANUAL
