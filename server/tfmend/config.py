"""Project settings from `[tool.tfmend]` in pyproject.toml, typed and validated."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfmend.catalog.rules import DEFAULT_TARGET, TARGETS, MigrationTarget
from tfmend.versions import Versions

if TYPE_CHECKING:
    import pathspec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """A setting with a wrong type or value: `file: field: what is wrong`."""


@dataclass(frozen=True)
class Settings:
    """What to check and how to fix; defaults apply to everything not set."""

    select: tuple[str, ...] = ()
    """Code prefixes to report (empty: all)."""
    ignore: tuple[str, ...] = ()
    """Code prefixes never to report."""
    exclude: tuple[str, ...] = ()
    """gitignore-style patterns of paths not to check, relative to the project root."""
    extend_rules: tuple[Path, ...] = ()
    """Project rule files (absolute paths)."""
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """gitignore-style pattern → code prefixes ignored in matching files."""
    target: MigrationTarget = DEFAULT_TARGET
    """What fixed code runs on: `tensorflow`, `keras` (portable Keras 3) or `tf-keras`."""
    versions: Versions = field(default_factory=Versions)
    """The versions the code must run on."""
    versions_from_config: bool = False
    """Whether `versions` was set in the configuration (else they come from the interpreter)."""
    unsafe_fixes: bool = False
    python: str | None = None
    """The project's interpreter, for the installed API surface and validation."""
    root: Path | None = None
    """The directory of the pyproject.toml the settings came from."""

    def reports(self, code: str, path: Path | None = None) -> bool:
        """Whether findings with this code are reported (for this file)."""
        if self.select and not code.startswith(self.select):
            return False
        if code.startswith(self.ignore) if self.ignore else False:
            return False
        if path is not None and self.per_file_ignores:
            ignored = _ignored_in(tuple(self.per_file_ignores.items()), path, self.root)
            if ignored and code.startswith(ignored):
                return False
        return True


@lru_cache(maxsize=256)
def _ignored_in(
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...], path: Path, root: Path | None
) -> tuple[str, ...]:
    """The code prefixes `per-file-ignores` turns off in one file (asked once per finding)."""
    relative = path
    if root is not None:
        try:
            relative = path.resolve().relative_to(root.resolve())
        except ValueError:
            relative = path
    posix = relative.as_posix()
    return tuple(
        code
        for pattern, codes in per_file_ignores
        if _spec(pattern).match_file(posix)
        for code in codes
    )


@lru_cache(maxsize=256)
def _spec(pattern: str) -> pathspec.PathSpec[Any]:
    """A gitignore-style pattern, compiled once."""
    import pathspec

    return pathspec.PathSpec.from_lines("gitwildmatch", [pattern])


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.tfmend] table."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if "tfmend" in data.get("tool", {}):
                return candidate
    return None


def load_settings(start: Path | None, base: Settings | None = None) -> Settings:
    """Settings from the nearest pyproject.toml with [tool.tfmend], on top of `base`."""
    settings = base or Settings()
    if start is None:
        return settings
    pyproject = find_pyproject(start)
    if pyproject is None:
        return settings
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: {exc}") from exc
    return settings_from_table(data["tool"]["tfmend"], pyproject.parent, str(pyproject), settings)


def _codes(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(v.strip().upper() for v in value)


def settings_from_table(
    table: Mapping[str, Any], root: Path, source: str, base: Settings | None = None
) -> Settings:
    """Validate a [tool.tfmend]-shaped mapping (also used for editor settings)."""
    settings = replace(base or Settings(), root=root)
    known = {
        "select",
        "ignore",
        "exclude",
        "extend-rules",
        "per-file-ignores",
        "versions",
        "target",
        "unsafe-fixes",
        "python",
    }
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{source}: tool.tfmend.{key}: unknown setting (known: {', '.join(sorted(known))})"
            )
    where = f"{source}: tool.tfmend"
    if "select" in table:
        settings = replace(settings, select=_codes(table["select"], f"{where}.select"))
    if "ignore" in table:
        settings = replace(settings, ignore=_codes(table["ignore"], f"{where}.ignore"))
    if "exclude" in table:
        exclude = table["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
            raise ConfigError(f"{where}.exclude: expected a list of strings")
        settings = replace(settings, exclude=tuple(exclude))
    if "extend-rules" in table:
        files = table["extend-rules"]
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not all(isinstance(v, str) for v in files):
            raise ConfigError(f"{where}.extend-rules: expected a list of paths")
        settings = replace(settings, extend_rules=tuple((root / f).resolve() for f in files))
    if "per-file-ignores" in table:
        raw = table["per-file-ignores"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}.per-file-ignores: expected a table of pattern = [codes]")
        settings = replace(
            settings,
            per_file_ignores={
                pattern: _codes(codes, f"{where}.per-file-ignores.{pattern}")
                for pattern, codes in raw.items()
            },
        )
    if isinstance(table.get("target"), str):
        settings = replace(settings, target=parse_target(table["target"], f"{where}.target"))
    for key in ("target", "versions"):
        # `target = {tensorflow = ...}` is the spelling of `versions` before tfmend 0.2.
        if key in table and not (key == "target" and isinstance(table[key], str)):
            versions = _versions(table[key], settings.versions, f"{where}.{key}")
            settings = replace(settings, versions=versions, versions_from_config=True)
    if "unsafe-fixes" in table:
        if not isinstance(table["unsafe-fixes"], bool):
            raise ConfigError(f"{where}.unsafe-fixes: expected true or false")
        settings = replace(settings, unsafe_fixes=table["unsafe-fixes"])
    if "python" in table:
        if not isinstance(table["python"], str):
            raise ConfigError(f"{where}.python: expected a path")
        settings = replace(settings, python=table["python"])
    return settings


def parse_target(raw: object, where: str) -> MigrationTarget:
    """A migration target's name, or ConfigError naming the choices."""
    for target in TARGETS:
        if raw == target:
            return target
    raise ConfigError(f"{where}: expected one of {', '.join(TARGETS)}, got {raw!r}")


def _versions(raw: Any, versions: Versions, where: str) -> Versions:
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: expected a table like {{tensorflow = "2.21", keras = "3"}}')
    for key, value in raw.items():
        if key == "legacy-keras":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.legacy-keras: expected true or false")
            versions = replace(versions, legacy_keras=value)
        elif key in ("tensorflow", "keras"):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ConfigError(f"{where}.{key}: expected a version string")
            version = str(value)
            if key == "tensorflow":
                versions = replace(versions, tensorflow=version)
            else:
                versions = replace(versions, keras=version)
        else:
            raise ConfigError(f"{where}.{key}: unknown (known: tensorflow, keras, legacy-keras)")
    return versions
