"""Settings, typed and defaulted: `[tool.tfmend]` in pyproject.toml, and what CLI flags and editor
settings give over it (`Overrides`), and how validation runs (`ValidationSettings`)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
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
    """A setting with a wrong type or value: `file:line: field: what is wrong`."""


class SettingError(ConfigError):
    """A wrong setting, by the keys that lead to it (the file's line is added when known)."""

    def __init__(self, source: str, keys: tuple[str, ...], message: str) -> None:
        self.source = source
        self.keys = keys
        self.message = message
        super().__init__(f"{source}: {self.field}: {message}")

    @property
    def field(self) -> str:
        """The dotted keys, each quoted as TOML quotes it when it is not a bare key."""
        return ".".join(k if _BARE_KEY.fullmatch(k) else json.dumps(k) for k in self.keys)

    def at_line(self, line: int) -> ConfigError:
        """The same error with the line of the file it is on."""
        return ConfigError(f"{self.source}:{line}: {self.field}: {self.message}")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


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
    cache_dir: Path | None = None
    """Where `check` and `fix` cache results (absolute; None: .tfmend_cache under the root)."""

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


def code_prefixes(items: Iterable[str]) -> tuple[str, ...]:
    """Code prefixes as every source writes them (` tfm4 ` is `TFM4`)."""
    return tuple(item.strip().upper() for item in items)


@dataclass(frozen=True)
class Overrides:
    """Settings given over pyproject.toml's by CLI flags or an editor; None: not given here."""

    select: tuple[str, ...] | None = None
    """Replaces `select`."""
    ignore: tuple[str, ...] | None = None
    """Replaces `ignore`."""
    extend_rules: tuple[str, ...] = ()
    """Rule files (relative to the anchor), after those of pyproject.toml."""
    unsafe_fixes: bool | None = None
    target: MigrationTarget | None = None
    python: str | None = None
    """The project's interpreter."""

    def over(self, base: Settings, anchor: Path | None = None) -> Settings:
        """These settings over `base`; rule files are relative to `anchor` (else base's root)."""
        settings = base
        if self.select is not None:
            settings = replace(settings, select=self.select)
        if self.ignore is not None:
            settings = replace(settings, ignore=self.ignore)
        if self.extend_rules:
            where = anchor or base.root or Path.cwd()
            extra = tuple((where / Path(p).expanduser()).resolve() for p in self.extend_rules)
            settings = replace(
                settings, extend_rules=tuple(dict.fromkeys((*settings.extend_rules, *extra)))
            )
        if self.unsafe_fixes is not None:
            settings = replace(settings, unsafe_fixes=self.unsafe_fixes)
        if self.target is not None:
            settings = replace(settings, target=self.target)
        if self.python is not None:
            settings = replace(settings, python=self.python)
        return settings


@dataclass(frozen=True)
class ValidationSettings:
    """How to validate fixes (`tfmend validate` flags, the editor's `tfmend.validation`); every
    field has a working default, the one both use."""

    enable: bool = True
    """Whether the editor may validate at all."""
    python: str | None = None
    """The project's interpreter (default: the project's `python` setting, else the active one)."""
    timeout: float = 60.0
    """Seconds per check; a check past it is stopped and reported."""
    memory_mb: int | None = 8192
    """Address-space limit of the worker and everything it runs (None: no limit)."""
    import_check: bool = False
    """Also import the fixed module (runs its top-level code)."""
    command: str | None = None
    """A command run before and after the fix in the scratch copy: `pytest -x tests`,
    `python {file}`. Split like a shell would, not run by one; `{file}` is the fixed file,
    `{python}` the interpreter; a leading `python` or `python3` is the interpreter too."""
    gpu: bool = False
    """Let TensorFlow see GPUs (CUDA_VISIBLE_DEVICES is emptied otherwise)."""


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


_MENTIONS_TFMEND = re.compile(r"^\s*(\[\s*tool\s*\.\s*tfmend\b|tool\s*\.\s*tfmend\b)", re.M)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.tfmend] table."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                # A broken file meant for tfmend is reported (load_settings), not passed over.
                if _MENTIONS_TFMEND.search(text):
                    return candidate
                continue
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "tfmend" in tool:
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
        text = pyproject.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$", str(exc))
        message = str(exc)[: where.start()] if where else str(exc)
        line = (where.group(1) or str(text.count("\n") or 1)) if where else "1"
        raise ConfigError(f"{pyproject}:{line}: TOML syntax: {message}") from exc
    try:
        return settings_from_table(
            data["tool"]["tfmend"], pyproject.parent, str(pyproject), settings
        )
    except SettingError as exc:
        from tfmend.text.toml_lines import line_of

        raise exc.at_line(line_of(text, exc.keys)) from None


@dataclass(frozen=True)
class _Where:
    """A setting's place: the file and the keys that lead to it."""

    source: str
    keys: tuple[str, ...]

    def __truediv__(self, key: str) -> _Where:
        return _Where(self.source, (*self.keys, key))

    def error(self, message: str) -> SettingError:
        return SettingError(self.source, self.keys, message)


def _codes(value: Any, where: _Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error("expected a list of strings")
    return code_prefixes(value)


KNOWN = (
    "cache-dir",
    "exclude",
    "extend-rules",
    "ignore",
    "per-file-ignores",
    "python",
    "select",
    "target",
    "unsafe-fixes",
    "versions",
)
"""The keys of [tool.tfmend]."""


def settings_from_table(
    table: Mapping[str, Any], root: Path, source: str, base: Settings | None = None
) -> Settings:
    """Validate a [tool.tfmend]-shaped mapping; SettingError names the first wrong key."""
    settings = replace(base or Settings(), root=root)
    where = _Where(source, ("tool", "tfmend"))
    if not isinstance(table, Mapping):
        raise where.error("expected a table")
    for key in table:
        if key not in KNOWN:
            raise (where / key).error(f"unknown setting (known: {', '.join(KNOWN)})")
    if "select" in table:
        settings = replace(settings, select=_codes(table["select"], where / "select"))
    if "ignore" in table:
        settings = replace(settings, ignore=_codes(table["ignore"], where / "ignore"))
    if "exclude" in table:
        exclude = table["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
            raise (where / "exclude").error("expected a list of strings")
        settings = replace(settings, exclude=tuple(_patterns(exclude, where / "exclude")))
    if "extend-rules" in table:
        files = table["extend-rules"]
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not all(isinstance(v, str) and v for v in files):
            raise (where / "extend-rules").error("expected a list of paths")
        for name in files:
            if not (root / name).is_file():
                raise (where / "extend-rules").error(f"{name}: no such file")
        settings = replace(settings, extend_rules=tuple((root / f).resolve() for f in files))
    if "per-file-ignores" in table:
        raw = table["per-file-ignores"]
        if not isinstance(raw, dict):
            raise (where / "per-file-ignores").error("expected a table of pattern = [codes]")
        _patterns(list(raw), where / "per-file-ignores")
        settings = replace(
            settings,
            per_file_ignores={
                pattern: _codes(codes, where / "per-file-ignores" / pattern)
                for pattern, codes in raw.items()
            },
        )
    if isinstance(table.get("target"), str):
        settings = replace(settings, target=parse_target(table["target"], where / "target"))
    for key in ("target", "versions"):
        # `target = {tensorflow = ...}` is the spelling of `versions` before tfmend 0.2.
        if key in table and not (key == "target" and isinstance(table[key], str)):
            versions = _versions(table[key], settings.versions, where / key)
            settings = replace(settings, versions=versions, versions_from_config=True)
    if "unsafe-fixes" in table:
        if not isinstance(table["unsafe-fixes"], bool):
            raise (where / "unsafe-fixes").error("expected true or false")
        settings = replace(settings, unsafe_fixes=table["unsafe-fixes"])
    if "cache-dir" in table:
        if not isinstance(table["cache-dir"], str) or not table["cache-dir"]:
            raise (where / "cache-dir").error("expected a path")
        settings = replace(settings, cache_dir=(root / table["cache-dir"]).resolve())
    if "python" in table:
        if not isinstance(table["python"], str) or not table["python"]:
            raise (where / "python").error("expected a path")
        settings = replace(settings, python=table["python"])
    return settings


def _patterns(patterns: list[str], where: _Where) -> list[str]:
    """gitignore-style patterns, each checked to compile (else the first bad one is named)."""
    import pathspec

    for pattern in patterns:
        try:
            pathspec.PathSpec.from_lines("gitwildmatch", [pattern])
        except ValueError as exc:  # pathspec's pattern errors are ValueErrors in every version
            raise where.error(f"{pattern!r} is not a gitignore-style pattern: {exc}") from None
    return patterns


def parse_target(raw: object, where: _Where | None) -> MigrationTarget:
    """A migration target's name, or SettingError naming the choices (at `where`, when known)."""
    for target in TARGETS:
        if raw == target:
            return target
    message = f"expected one of {', '.join(TARGETS)}, got {raw!r}"
    raise (where or _Where("settings", ())).error(message)


def _versions(raw: Any, versions: Versions, where: _Where) -> Versions:
    if not isinstance(raw, dict):
        raise where.error('expected a table like {tensorflow = "2.21", keras = "3"}')
    for key, value in raw.items():
        if key == "legacy-keras":
            if not isinstance(value, bool):
                raise (where / key).error("expected true or false")
            versions = replace(versions, legacy_keras=value)
        elif key in ("tensorflow", "keras"):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise (where / key).error("expected a version string")
            version = str(value)
            if key == "tensorflow":
                versions = replace(versions, tensorflow=version)
            else:
                versions = replace(versions, keras=version)
        else:
            raise (where / key).error("unknown (known: tensorflow, keras, legacy-keras)")
    return versions
