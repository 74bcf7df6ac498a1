"""The built-in catalog pickled in the user cache: the same rules as built from the files, a
cache for each set of sources, and a broken or unwritable cache passed over."""

from __future__ import annotations

import pickle
from pathlib import Path

from tfmend.catalog.cached import digest, load_cached
from tfmend.catalog.rules import BUILTIN_CATALOG, Catalog, build_builtin_catalog

SOURCES = [
    *BUILTIN_CATALOG.parent.glob("*.yaml"),
    *Path(BUILTIN_CATALOG.parent, "catalog").glob("*.py"),
]


def test_the_cached_catalog_equals_the_built_one(tmp_path: Path) -> None:
    built: list[Catalog] = []

    def build() -> Catalog:
        built.append(build_builtin_catalog())
        return built[-1]

    first = load_cached(build, Catalog, SOURCES, tmp_path)
    [stored] = tmp_path.glob("catalog-*.pickle")
    assert stored.name == f"catalog-{digest(SOURCES)}.pickle"
    second = load_cached(build, Catalog, SOURCES, tmp_path)
    assert len(built) == 1  # the second came from the cache
    assert second is not first
    assert list(second.by_code) == list(first.by_code)
    assert all(second.by_code[code] == rule for code, rule in first.by_code.items())


def test_other_sources_another_file(tmp_path: Path) -> None:
    one = tmp_path / "a.yaml"
    one.write_text("rules: []\n")
    before = digest([one])
    one.write_text("rules: [] # edited\n")
    assert digest([one]) != before


def test_a_broken_cache_is_built_anew(tmp_path: Path) -> None:
    (tmp_path / f"catalog-{digest(SOURCES)}.pickle").write_bytes(b"not a pickle")
    fresh = Catalog([])
    assert load_cached(lambda: fresh, Catalog, SOURCES, tmp_path) is fresh
    stored = pickle.loads((tmp_path / f"catalog-{digest(SOURCES)}.pickle").read_bytes())
    assert isinstance(stored, Catalog)


def test_an_unwritable_cache_still_gives_the_catalog(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory would go")
    fresh = Catalog([])
    assert load_cached(lambda: fresh, Catalog, SOURCES, blocked / "cache") is fresh
