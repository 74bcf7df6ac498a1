"""The results cache of `check` and `fix`: what it reuses, and what makes it analyse again."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_ARGS, TEST_RULES, write
from tests.corpus import fetch

Run = Callable[..., subprocess.CompletedProcess[str]]
CACHE = ".tfmend_cache"
USES = """\
from helpers import K


def loss(x):
    return K.mean(x)
"""


def hits(stderr: str) -> tuple[int, int]:
    """(files checked, files from the cache) from `--statistics`' speed line."""
    found = re.search(
        r"Checked (\d+) files? in [\d.]+ s \(\d+ files/s; (\d+) from the cache\)", stderr
    )
    assert found is not None, stderr
    return int(found[1]), int(found[2])


def entries(root: Path) -> list[Path]:
    return sorted((root / CACHE).rglob("*.json"))


def test_cached_results_equal_fresh_ones_on_real_code(tmp_path: Path, tfmend: Run) -> None:
    # keras-retinanet imports Keras through its own backend modules: results depend on them.
    tree = tmp_path / "retinanet"
    shutil.copytree(fetch("keras-retinanet==0.5.1", "sdist"), tree)
    args = ("check", "--no-surface", "--format", "json", ".")
    cold = tfmend(*args, cwd=tree)
    warm = tfmend(*args, cwd=tree)
    fresh = tfmend(*args, "--no-cache", cwd=tree)
    assert json.loads(cold.stdout) == json.loads(warm.stdout) == json.loads(fresh.stdout)
    assert len(json.loads(cold.stdout)) > 100
    files, cached = hits(tfmend("check", "--no-surface", "--statistics", ".", cwd=tree).stderr)
    assert files == cached > 24  # enough files for worker processes, which write entries too
    assert (tree / CACHE / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_changed_imported_module_invalidates_its_importers(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"helpers.py": "from keras import backend as K\n", "model.py": USES})
    first = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert "model.py:5:12: TFM9901" in first.stdout
    assert hits(tfmend("check", *TEST_ARGS, "--statistics", ".", cwd=tmp_path).stderr) == (2, 2)
    # model.py is unchanged, but the name it imports is no longer Keras's backend.
    write(tmp_path, {"helpers.py": "import numpy as K\n"})
    after = tfmend("check", *TEST_ARGS, "--statistics", ".", cwd=tmp_path)
    assert hits(after.stderr) == (2, 0)
    again = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert again.stdout == "All checks passed (target tensorflow).\n"


def test_a_new_project_module_invalidates_every_entry(tmp_path: Path, tfmend: Run) -> None:
    write(
        tmp_path, {"model.py": "import keras.backend as K\nfrom helpers import mean\nK.mean(1)\n"}
    )
    tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    write(tmp_path, {"helpers.py": "mean = 1\n"})
    after = tfmend("check", *TEST_ARGS, "--statistics", ".", cwd=tmp_path)
    assert hits(after.stderr) == (2, 0)


def test_a_changed_rule_or_included_rules_file_invalidates(tmp_path: Path, tfmend: Run) -> None:
    included = TEST_RULES.read_text(encoding="utf-8")
    write(
        tmp_path,
        {
            "rules/main.yaml": "schema: 1\ninclude: [more.yaml]\nrules: []\n",
            "rules/more.yaml": included,
            "model.py": "import keras.backend as K\nK.mean(1)\n",
        },
    )
    args = ("check", "--rules", "rules/main.yaml", "--select", "TFM99", "--no-surface")
    first = tfmend(*args, ".", cwd=tmp_path)
    assert "TFM9901 `K.mean` (keras.backend.mean) is gone; use `keras.ops.mean`" in first.stdout
    write(tmp_path, {"rules/more.yaml": included.replace("is gone; use", "was removed; use")})
    assert hits(tfmend(*args, "--statistics", ".", cwd=tmp_path).stderr) == (1, 0)
    after = tfmend(*args, ".", cwd=tmp_path)
    assert "TFM9901 `K.mean` (keras.backend.mean) was removed; use `keras.ops.mean`" in after.stdout
    other = tfmend(*args, "--select", "TFM9902", "--statistics", ".", cwd=tmp_path)
    assert hits(other.stderr) == (1, 0)  # other settings, other entries


def poison(root: Path) -> None:
    """Rewrite every cached finding's message, keeping the entries valid."""
    for entry in entries(root):
        data = json.loads(entry.read_text(encoding="utf-8"))
        for finding in data["findings"]:
            finding["message"] = "FROM THE CACHE"
        entry.write_text(json.dumps(data), encoding="utf-8")


def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": "import keras.backend as K\nK.mean(1)\n"})
    tfmend("check", *TEST_ARGS, "--no-cache", ".", cwd=tmp_path)
    assert not (tmp_path / CACHE).exists()
    tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    poison(tmp_path)
    assert "TFM9901 FROM THE CACHE" in tfmend("check", *TEST_ARGS, ".", cwd=tmp_path).stdout
    fresh = tfmend("check", *TEST_ARGS, "--no-cache", ".", cwd=tmp_path)
    assert "TFM9901 `K.mean` (keras.backend.mean) is gone" in fresh.stdout


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"path": 1}', b"\xff\xfe"])
def test_a_corrupt_entry_is_rebuilt(tmp_path: Path, tfmend: Run, damage: bytes) -> None:
    write(tmp_path, {"model.py": "import keras.backend as K\nK.mean(1)\n"})
    first = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    (entry,) = entries(tmp_path)
    intact = entry.read_bytes()
    entry.write_bytes(damage)
    assert hits(tfmend("check", *TEST_ARGS, "--statistics", ".", cwd=tmp_path).stderr) == (1, 0)
    assert entry.read_bytes() == intact
    again = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert (again.stdout, again.returncode) == (first.stdout, 1)
    assert not list(entry.parent.glob("*.tmp"))


def test_fix_skips_files_it_leaves_unchanged(tmp_path: Path, tfmend: Run) -> None:
    write(
        tmp_path,
        {
            "clean.py": "import keras.backend as K\nK.get_graph()\n",  # a manual fix only
            "legacy.py": "import keras.backend as K\nK.mean(1)\n",
        },
    )
    tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    poison(tmp_path)
    fixed = tfmend("fix", *TEST_ARGS, ".", cwd=tmp_path)
    # clean.py's findings come from the cache; legacy.py, which has a fix, is analysed again.
    assert "clean.py:2:1: TFM9903 FROM THE CACHE" in fixed.stdout
    assert fixed.stderr == "Fixed 1 problem in 1 file; 1 remaining.\n"
    assert (tmp_path / "legacy.py").read_text(encoding="utf-8") == (
        "import keras\nkeras.ops.mean(1)\n"
    )


def test_the_cache_dir_setting_moves_the_cache(tmp_path: Path, tfmend: Run) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.tfmend]\ncache-dir = "build/lint"\n',
            "model.py": "import keras.backend as K\nK.mean(1)\n",
        },
    )
    tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert not (tmp_path / CACHE).exists()
    assert len(list((tmp_path / "build/lint").rglob("*.json"))) == 1


def test_findings_of_the_installed_surface_are_cached_alike(tmp_path: Path, tfmend: Run) -> None:
    # The installed surface is loaded only for files the cache does not hold.
    write(tmp_path, {"model.py": "import tensorflow as tf\ntf.math.not_a_function_xyz(1)\n"})
    args = ("check", "--python", sys.executable, "--no-progress", ".")
    cold = tfmend(*args, cwd=tmp_path)
    assert "model.py:2:1: TFM801 `tf.math.not_a_function_xyz`" in cold.stdout
    assert hits(tfmend(*args, "--statistics", cwd=tmp_path).stderr) == (1, 1)
    assert tfmend(*args, cwd=tmp_path).stdout == cold.stdout
    assert tfmend(*args, "--no-cache", cwd=tmp_path).stdout == cold.stdout
