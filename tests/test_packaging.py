"""The installable package: `python -m build` on a fresh clone makes an sdist and a wheel that
carry the rule files and the worker; the wheel, installed into a new virtual environment away
from the source tree, checks code, reads a TensorFlow interpreter's API surface through its
worker, and serves a real language-server client."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import Clone, write
from tests.lsp.harness import TIMEOUT, make_client, start

pytestmark = pytest.mark.slow

LEGACY = """\
import tensorflow as tf
from keras import backend as K

x = tf.placeholder(tf.float32, shape=(None, 3))
y = K.mean(x, axis=1)
net = tf.contrib.slim.fully_connected(x, 10)
"""
"""Findings from a generated TF1 table (TFM110), the hand-written Keras rules (TFM401) and the
tf.contrib guidance (TFM303)."""


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything pointing at the source tree or this virtualenv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(
        d for d in env.get("PATH", "").split(os.pathsep) if not (Path(d) / "tfmend").exists()
    )
    return {**env, **extra}


@pytest.fixture(scope="module")
def dist(fresh_clone: Clone, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ of `python -m build` (the sdist, then the wheel built from it)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(fresh_clone.root)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel (and its dependencies, from PyPI) installed."""
    where = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    (wheel,) = dist.glob("*.whl")
    proc = subprocess.run(
        [str(where / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return where


def test_sdist_and_wheel_carry_the_rule_files_and_the_worker(
    dist: Path, fresh_clone: Clone
) -> None:
    version = metadata.version("tfmend")
    package = fresh_clone.root / "server" / "tfmend"
    rule_files = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.yaml"))
    modules = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py"))
    assert "rules.yaml" in rule_files
    assert {"rules-tf1.yaml", "rules-keras2.yaml"} <= set(rule_files)
    assert "worker/tfworker.py" in modules

    (wheel,) = dist.glob(f"tfmend-{version}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in rule_files:
            assert archive.read(f"tfmend/{name}") == (package / name).read_bytes(), name
        assert {f"tfmend/{m}" for m in modules} <= names
        assert "tfmend/py.typed" in names
        entry_points = archive.read(f"tfmend-{version}.dist-info/entry_points.txt").decode()
    assert "tfmend = tfmend.cli.entry:main" in entry_points

    (sdist,) = dist.glob(f"tfmend-{version}.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {m.name: m for m in archive.getmembers()}
    for name in [*rule_files, *modules]:
        member = members[f"tfmend-{version}/server/tfmend/{name}"]
        assert member.isfile(), f"{name} must be a file in the sdist, not a link"


def test_installed_wheel_checks_code_away_from_the_source_tree(venv: Path, tmp_path: Path) -> None:
    write(tmp_path, {"model.py": LEGACY})
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import tfmend; print(tfmend.__file__)"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert Path(where.strip()).is_relative_to(venv)

    args = ("check", "--no-surface", "--format", "json", ".")
    installed = subprocess.run([str(venv / "bin" / "tfmend"), *args], cwd=tmp_path,
                               env=clean_env(), capture_output=True, text=True, timeout=300,
                               check=False)  # fmt: skip
    source = subprocess.run([sys.executable, "-m", "tfmend", *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert installed.returncode == 1, installed.stderr
    findings = json.loads(installed.stdout)
    assert [f["code"] for f in findings] == ["TFM110", "TFM401", "TFM303"]
    assert findings == json.loads(source.stdout)


@pytest.mark.tensorflow
def test_installed_worker_reads_a_tensorflow_interpreter(venv: Path, tmp_path: Path) -> None:
    """The worker script shipped in the wheel runs in another interpreter (this one, which has
    TensorFlow): a name missing from its Keras is reported from the surface it indexed."""
    write(tmp_path / "project", {"model.py": "import keras\n\nkeras.ops.not_an_op_of_keras(1)\n"})
    cache = tmp_path / "cache"
    result = subprocess.run(
        [str(venv / "bin" / "tfmend"), "check", "--python", sys.executable, "--cache-dir",
         str(cache), "."],
        cwd=tmp_path / "project", env=clean_env(), capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "model.py:3:1: TFM801 " in result.stdout
    assert list(cache.iterdir()), "the surface index was built and cached"


async def test_installed_server_serves_a_language_client(venv: Path, tmp_path: Path) -> None:
    root = write(tmp_path / "project", {"model.py": LEGACY})
    client = make_client()
    await client.start_io(str(venv / "bin" / "tfmend"), "serve", cwd=str(root), env=clean_env())
    try:
        session = await start(client, root)
        assert session.result is not None
        assert session.result.server_info is not None
        assert session.result.server_info.name == "tfmend"
        uri = session.open("model.py", LEGACY)
        diagnostics = await session.diagnostics(uri)
        assert [(d.code, d.range.start.line) for d in diagnostics] == [
            ("TFM110", 3),
            ("TFM401", 4),
            ("TFM303", 5),
        ]
        actions = await session.code_actions(
            uri, types.Range(types.Position(3, 4), types.Position(3, 4))
        )
        assert any(a.kind == types.CodeActionKind.QuickFix for a in actions)
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        await client.stop()
