"""Settings, typed and defaulted: `[tool.tfmend]` in pyproject.toml, and what CLI flags and editor
settings give over it (`Overrides`), and how validation runs (`ValidationSettings`)."""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfmend.catalog.rules import DEFAULT_TARGET, TARGETS, MigrationTarget
from tfmend.versions import Versions
from tfmend.worker.protocol import CHECK_TIMEOUT

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
    timeout: float = CHECK_TIMEOUT
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
class Where:
    """A setting's place: the file and the keys that lead to it."""

    source: str
    keys: tuple[str, ...]
    root: Path | None = None
    """The directory paths in the file are relative to."""

    def __truediv__(self, key: str) -> Where:
        return Where(self.source, (*self.keys, key), self.root)

    def error(self, message: str) -> SettingError:
        return SettingError(self.source, self.keys, message)


class WrongValueError(ValueError):
    """A value an option does not take (its message says what it takes)."""


@dataclass(frozen=True)
class Option:
    """One setting: its key in `[tool.tfmend]` and in an editor's `tfmend` settings (None: not
    set there), the field it sets, how its value is read, and what it takes."""

    field: str
    toml: str | None
    editor: str | None
    read: Callable[[Any, Where], Any]
    """The typed value; WrongValueError when it is wrong (SettingError: a key inside it)."""
    takes: str
    editor_takes: str = ""
    """What editors' messages say it takes, where they have always said it otherwise."""

    def problem(self, value: object, *, editor: bool) -> str:
        """What is wrong with a value: an editor's setting then falls back to its default, a
        pyproject.toml is an error (which names the value given when it is not a choice)."""
        if editor:
            return f"expected {self.editor_takes or self.takes}, got {value!r}; using the default"
        shown = f", got {value!r}" if self.takes.startswith("one of ") else ""
        return f"expected {self.takes}{shown}"


def convert(
    raw: Mapping[str, Any], options: Iterable[Option], where: Where, *, editor: bool
) -> tuple[dict[str, Any], list[SettingError], list[str]]:
    """The settings of one source read through the options: the typed value of each option
    `raw` sets, by field; an error for each wrong value (in the options' order); the keys no
    option has. An editor's null is a value not set."""
    by_key = {key: option for option in options if (key := _key(option, editor)) is not None}
    values: dict[str, Any] = {}
    errors: list[SettingError] = []
    for key, option in by_key.items():
        if key not in raw or (editor and raw[key] is None):
            continue
        value = raw[key]
        try:
            values[option.field] = option.read(value, where / key)
        except WrongValueError:
            errors.append((where / key).error(option.problem(value, editor=editor)))
        except SettingError as exc:
            errors.append(exc)
    return values, errors, [key for key in raw if key not in by_key]


def _key(option: Option, editor: bool) -> str | None:
    return option.editor if editor else option.toml


def _strings(value: Any, where: Where | None = None) -> tuple[str, ...]:
    del where
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise WrongValueError


def _paths(value: Any, where: Where | None = None) -> tuple[str, ...]:
    """One path or a list of them."""
    return (value,) if isinstance(value, str) else _strings(value, where)


def _path(value: Any, where: Where | None = None) -> str:
    del where
    if isinstance(value, str) and value:
        return value
    raise WrongValueError


def _flag(value: Any, where: Where | None = None) -> bool:
    del where
    if isinstance(value, bool):
        return value
    raise WrongValueError


def _target(value: Any, where: Where | None = None) -> MigrationTarget:
    del where
    for target in TARGETS:
        if value == target:
            return target
    raise WrongValueError


def _target_or_versions(value: Any, where: Where) -> MigrationTarget | dict[str, Any]:
    """A migration target, or (a table) the spelling of `versions` before tfmend 0.2."""
    return _target(value) if isinstance(value, str) else _versions_table(value, where)


def _versions_table(value: Any, where: Where) -> dict[str, Any]:
    """A `versions` table, checked (applied over the base settings' versions later)."""
    _versions(value, Versions(), where)
    return dict(value)


def _rule_files(value: Any, where: Where) -> tuple[str, ...]:
    """Rule files that exist, relative to the pyproject.toml's directory."""
    files = _paths(value)
    if not all(files):
        raise WrongValueError
    for name in files:
        if where.root is not None and not (where.root / name).is_file():
            raise where.error(f"{name}: no such file")
    return files


def _exclude(value: Any, where: Where) -> tuple[str, ...]:
    return tuple(_patterns(list(_strings(value)), where))


def _per_file_ignores(value: Any, where: Where) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise WrongValueError
    _patterns(list(value), where)
    return {pattern: _codes(codes, where / pattern) for pattern, codes in value.items()}


def _codes(value: Any, where: Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error("expected a list of strings")
    return code_prefixes(value)


def _table(value: Any, where: Where | None = None) -> Mapping[str, Any]:
    del where
    if isinstance(value, Mapping):
        return value
    raise WrongValueError


def _log_level(value: Any, where: Where | None = None) -> str:
    del where
    if isinstance(value, str) and value.lower() in LOG_LEVELS:
        return value.lower()
    raise WrongValueError


def _seconds(value: Any, where: Where | None = None) -> float:
    del where
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise WrongValueError


def _megabytes(value: Any, where: Where | None = None) -> int | None:
    del where
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value or None
    raise WrongValueError


def _command(value: Any, where: Where | None = None) -> str | None:
    del where
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return shlex.join(value) if value else None
    raise WrongValueError


LOG_LEVELS = ("error", "warning", "info", "debug")
OPTIONS = (
    Option("select", "select", "select", _strings, "a list of strings", "a list of code prefixes"),
    Option("ignore", "ignore", "ignore", _strings, "a list of strings", "a list of code prefixes"),
    Option("exclude", "exclude", None, _exclude, "a list of strings"),
    Option("extend_rules", "extend-rules", None, _rule_files, "a list of paths"),
    Option("extend_rules", None, "extendRules", _paths, "a list of paths"),
    Option("per_file_ignores", "per-file-ignores", None, _per_file_ignores,
           "a table of pattern = [codes]"),
    Option("target", "target", None, _target_or_versions, "one of " + ", ".join(TARGETS)),
    Option("target", None, "target", _target, "one of " + ", ".join(TARGETS)),
    Option("versions", "versions", None, _versions_table,
           'a table like {tensorflow = "2.21", keras = "3"}'),
    Option("unsafe_fixes", "unsafe-fixes", "unsafeFixes", _flag, "true or false"),
    Option("cache_dir", "cache-dir", None, _path, "a path"),
    Option("python", "python", None, _path, "a path"),
    Option("interpreter", None, "interpreter", _paths, "a path or a list of strings"),
    Option("log_level", None, "logLevel", _log_level, "one of " + ", ".join(LOG_LEVELS)),
    Option("validation", None, "validation", _table, "a table"),
)  # fmt: skip
"""Every setting of pyproject.toml and of editors (`tfmend validate`'s flags default to
`ValidationSettings`, which `VALIDATION_OPTIONS` set)."""
VALIDATION_OPTIONS = (
    Option("enable", None, "enable", _flag, "true or false"),
    Option("timeout", None, "timeout", _seconds, "a positive number of seconds"),
    Option("memory_mb", None, "memoryMb", _megabytes, "a whole number of megabytes (0: no limit)"),
    Option("import_check", None, "importCheck", _flag, "true or false"),
    Option("command", None, "command", _command, "a command line"),
    Option("gpu", None, "gpu", _flag, "true or false"),
)
"""The editor's `tfmend.validation` table."""
KNOWN = tuple(sorted(option.toml for option in OPTIONS if option.toml is not None))
"""The keys of [tool.tfmend]."""


def settings_from_table(
    table: Mapping[str, Any], root: Path, source: str, base: Settings | None = None
) -> Settings:
    """Validate a [tool.tfmend]-shaped mapping; SettingError names the first wrong key."""
    settings = replace(base or Settings(), root=root)
    where = Where(source, ("tool", "tfmend"))
    if not isinstance(table, Mapping):
        raise where.error("expected a table")
    for key in table:
        if key not in KNOWN:
            raise (where / key).error(f"unknown setting (known: {', '.join(KNOWN)})")
    values, errors, _ = convert(table, OPTIONS, replace(where, root=root), editor=False)
    if errors:
        raise errors[0]
    for key in ("select", "ignore"):
        if key in values:
            values[key] = code_prefixes(values[key])
    if "extend_rules" in values:
        values["extend_rules"] = tuple((root / f).resolve() for f in values["extend_rules"])
    versions = settings.versions
    for key, table_key in (("target", "target"), ("versions", "versions")):
        if isinstance(values.get(key), dict):
            versions = _versions(values.pop(key), versions, where / table_key)
            values.update(versions=versions, versions_from_config=True)
    if "cache_dir" in values:
        values["cache_dir"] = (root / values["cache_dir"]).resolve()
    return replace(settings, **values)


def _patterns(patterns: list[str], where: Where) -> list[str]:
    """gitignore-style patterns, each checked to compile (else the first bad one is named)."""
    import pathspec

    for pattern in patterns:
        try:
            pathspec.PathSpec.from_lines("gitwildmatch", [pattern])
        except ValueError as exc:  # pathspec's pattern errors are ValueErrors in every version
            raise where.error(f"{pattern!r} is not a gitignore-style pattern: {exc}") from None
    return patterns


def _versions(raw: Any, versions: Versions, where: Where) -> Versions:
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
