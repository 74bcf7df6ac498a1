"""Each migration target end to end: a multi-backend Keras 2 program, fixed under the target, runs
in an environment with only what that target needs and prints what it printed under Keras 2.

Keras 2 semantics come from tf_keras, with the three names only multi-backend Keras 2.2 had
(`symbolic`, `common`, `image_dim_ordering`) defined as Keras 2.2.4 defined them. The environments
are virtualenvs made from PyPI on first use and kept under ~/.cache/tfmend-target-envs.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from tfmend.catalog.rules import MigrationTarget

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]

Run = Callable[..., subprocess.CompletedProcess[str]]
PROGRAM = Path(__file__).with_name("data") / "programs" / "keras2_backend.py"
TENSORFLOW = f"tensorflow-cpu=={metadata.version('tensorflow-cpu')}"
ENVIRONMENTS: dict[MigrationTarget, tuple[tuple[str, ...], dict[str, str]]] = {
    # TensorFlow brings Keras 3, whose layers the fixed program keeps using.
    "tensorflow": ((TENSORFLOW,), {}),
    # Portable Keras 3: no TensorFlow at all, on the JAX backend.
    "keras": ((f"keras=={metadata.version('keras')}", "jax==0.10.2"), {"KERAS_BACKEND": "jax"}),
    "tf-keras": (
        (TENSORFLOW, f"tf-keras=={metadata.version('tf-keras')}"),
        {"TF_USE_LEGACY_KERAS": "1"},
    ),
}
FLAGS: dict[MigrationTarget, tuple[str, ...]] = {
    "tensorflow": (),
    # keras.ops namesakes differ from Keras 2 on integer and empty tensors: on this program's
    # floats they agree, so the unsafe fixes are asked for.
    "keras": ("--unsafe-fixes",),
    "tf-keras": (),
}
KERAS_2 = """\
import importlib, runpy, sys
from tf_keras import backend
backend.common = backend
def image_dim_ordering():
    return "th" if backend.image_data_format() == "channels_first" else "tf"
backend.image_dim_ordering = image_dim_ordering
backend.symbolic = lambda func: func
for name in ("keras", "keras.backend", "keras.layers", "keras.models"):
    sys.modules[name] = importlib.import_module("tf_keras" + name[len("keras"):])
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def environment(target: MigrationTarget) -> Path:
    """The interpreter of a virtualenv with only the target's packages (made once, then kept)."""
    requirements, _env = ENVIRONMENTS[target]
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tfmend-target-envs"
    root = base / target
    python = root / "bin" / "python"
    wanted = "\n".join(requirements) + "\n"
    base.mkdir(parents=True, exist_ok=True)
    with (base / f"{target}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test runs build it once
        marker = root / "requirements.txt"
        if marker.exists() and marker.read_text() == wanted and python.exists():
            return python
        shutil.rmtree(root, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(root)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *requirements],
            check=True, capture_output=True, text=True, timeout=2400,
        )  # fmt: skip
        marker.write_text(wanted)
    return python


def run(python: Path | str, script: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """A program's standard output (it must succeed)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("TF_USE_LEGACY_KERAS", "KERAS_BACKEND")
    }
    done = subprocess.run(
        [str(python), str(script), *args],
        cwd=script.parent, capture_output=True, text=True, timeout=600, check=False,
        env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


@pytest.fixture(scope="module")
def keras_2_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the program prints under Keras 2 semantics."""
    here = tmp_path_factory.mktemp("keras2")
    shutil.copy(PROGRAM, here / PROGRAM.name)
    (here / "keras2.py").write_text(KERAS_2)
    return run(sys.executable, here / "keras2.py", PROGRAM.name)


@pytest.mark.parametrize("target", list(ENVIRONMENTS))
def test_fixed_program_prints_what_keras_2_printed(
    target: MigrationTarget, keras_2_output: str, tmp_path: Path, tfmend: Run
) -> None:
    assert keras_2_output.startswith("loss 2.6678 accuracy 0.6667\n")
    shutil.copy(PROGRAM, tmp_path / PROGRAM.name)
    fixed = tfmend("fix", "--no-progress", "--target", target, *FLAGS[target], PROGRAM.name,
                   cwd=tmp_path)  # fmt: skip
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    python = environment(target)
    assert run(python, tmp_path / PROGRAM.name, env=ENVIRONMENTS[target][1]) == keras_2_output
