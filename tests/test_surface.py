"""The installed API surface: built by the worker from real TensorFlow, cached, cheap lookups."""

from __future__ import annotations

import json
import subprocess
import sys
import timeit
from importlib import metadata
from pathlib import Path

import pytest

from tfmend.resolve.surface import Surface, SurfaceError, cache_path, load_surface, surface_for

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("surface-cache")


@pytest.fixture(scope="module")
def surface(cache_dir: Path) -> Surface:
    """Built once for the module, in its own cache directory."""
    return load_surface(sys.executable, cache_dir)


def test_first_load_builds_and_writes_the_cache(surface: Surface, cache_dir: Path) -> None:
    assert surface.built_ms is not None
    assert surface.cache_file == cache_path(cache_dir, sys.executable)
    assert surface.cache_file.is_file()
    assert surface.available
    assert surface.versions == {
        "tensorflow": metadata.version("tensorflow"),
        "keras": metadata.version("keras"),
        "tf_keras": metadata.version("tf-keras"),
    }
    assert surface.python == sys.executable
    assert surface.size() > 10_000


def test_second_load_reads_the_cache(surface: Surface, cache_dir: Path) -> None:
    warnings: list[str] = []
    again = load_surface(sys.executable, cache_dir, warn=warnings.append)
    assert again.built_ms is None
    assert warnings == []
    assert again.roots == surface.roots
    assert again.exists("keras.ops.mean") is True


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("keras.ops.mean", True),
        ("keras.backend.mean", False),  # removed in Keras 3
        ("keras.backend.epsilon", True),
        ("tensorflow.compat.v1.placeholder", True),
        ("tensorflow.placeholder", False),
        ("tensorflow.compat.v1.Session.run", True),
        ("tensorflow.contrib", False),
        ("tensorflow.contrib.layers.xavier_initializer", False),
        ("tensorflow.keras.layers.Dense", True),
        ("tf_keras.backend.mean", True),
        ("keras.src.backend.mean", None),  # implementation modules are not walked
        ("tensorflow.float32.name", None),  # attributes of values are not indexed
        ("numpy.mean", None),  # not a package of the surface
    ],
)
def test_exists(surface: Surface, name: str, expected: bool | None) -> None:
    assert surface.exists(name) is expected


def test_kind(surface: Surface) -> None:
    assert surface.kind("keras.ops") == "module"
    assert surface.kind("keras.layers.Dense") == "class"
    assert surface.kind("keras.ops.mean") == "function"
    assert surface.kind("tensorflow.float32") == "other"
    assert surface.kind("keras.backend.mean") is None


def test_closest_suggests_siblings(surface: Surface) -> None:
    assert surface.closest("keras.backend.epsilonn")[0] == "keras.backend.epsilon"
    assert surface.closest("tensorflow.mathh.log") == ["tensorflow.math.log"]
    assert surface.closest("keras.ops.mean") == []  # exists
    assert surface.closest("numpy.mean") == []  # unknown package
    assert len(surface.closest("keras.ops.meen", n=2)) == 2


def test_lookups_are_cheap(surface: Surface) -> None:
    runs = 20_000
    seconds = timeit.timeit(lambda: surface.exists("tensorflow.compat.v1.Session.run"), number=runs)
    assert seconds / runs < 50e-6  # measured ~1 µs; generous for slow CI machines


def test_stale_cache_is_rebuilt(surface: Surface, cache_dir: Path) -> None:
    path = cache_path(cache_dir, sys.executable)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["versions"]["tensorflow"] = "2.0.0"
    path.write_text(json.dumps(data), encoding="utf-8")
    warnings: list[str] = []
    rebuilt = load_surface(sys.executable, cache_dir, warn=warnings.append)
    assert rebuilt.built_ms is not None
    assert warnings == []  # an upgrade is not a problem worth a warning
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["versions"]["tensorflow"] == metadata.version("tensorflow")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "[]", id="not-an-object"),
        pytest.param(
            lambda text: text.replace('"roots":{"tensorflow":0', '"roots":{"tensorflow":99999999'),
            id="root-outside-index",
        ),
        pytest.param(lambda text: text.replace('"function"', '"weird"', 1), id="unknown-kind"),
    ],
)
def test_corrupt_cache_is_rebuilt_with_a_warning(
    surface: Surface, cache_dir: Path, damage: object
) -> None:
    path = cache_path(cache_dir, sys.executable)
    original = path.read_text(encoding="utf-8")
    assert callable(damage)
    damaged = damage(original)
    assert damaged != original
    path.write_text(damaged, encoding="utf-8")
    warnings: list[str] = []
    rebuilt = load_surface(sys.executable, cache_dir, warn=warnings.append)
    assert rebuilt.built_ms is not None
    assert len(warnings) == 1
    assert f"the API surface cache {path} is corrupt" in warnings[0]
    assert warnings[0].endswith("rebuilding it")
    assert rebuilt.exists("keras.ops.mean") is True
    json.loads(path.read_text(encoding="utf-8"))  # intact again


def test_missing_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "venv" / "bin" / "python"
    with pytest.raises(SurfaceError, match=f"Python interpreter not found: {missing}"):
        load_surface(str(missing), tmp_path)


def test_interpreter_without_tensorflow_says_so(tmp_path: Path) -> None:
    venv = tmp_path / "plain"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    plain = load_surface(str(python), tmp_path / "cache")
    assert not plain.available
    assert plain.reason == f"TensorFlow is not installed in {python}"
    assert plain.versions == {"tensorflow": None, "keras": None, "tf_keras": None}
    assert plain.exists("tensorflow.compat.v1.placeholder") is None
    assert plain.closest("keras.ops.meen") == []
    assert not (tmp_path / "cache").exists()  # nothing to cache


def test_cache_is_keyed_by_interpreter_path(cache_dir: Path) -> None:
    # A venv's python is a symlink to its base interpreter: the link, not its target, is the key.
    other = cache_path(cache_dir, str(Path(sys.executable).resolve()))
    assert other != cache_path(cache_dir, sys.executable)
    assert cache_path(cache_dir, sys.executable, legacy_keras=True) != cache_path(
        cache_dir, sys.executable
    )


def test_surface_for_loads_once_per_process(surface: Surface, cache_dir: Path) -> None:
    first = surface_for(sys.executable, cache_dir)
    assert surface_for(sys.executable, cache_dir) is first
    assert surface_for(sys.executable, cache_dir, refresh=True) is not first
