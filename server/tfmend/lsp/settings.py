"""Editor settings: initializationOptions, workspace/configuration (section "tfmend") and
workspace/didChangeConfiguration; typed into the models of tfmend.config (`Overrides` over
pyproject.toml, `ValidationSettings`); bad values warn and fall back to the default."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from tfmend.catalog.rules import TARGETS
from tfmend.config import (
    Overrides,
    SettingError,
    Settings,
    ValidationSettings,
    code_prefixes,
    parse_target,
)

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)

SECTION = "tfmend"
LOG_LEVELS = ("error", "warning", "info", "debug")
CLIENT_ONLY = frozenset({"path", "args", "importStrategy", "showNotifications", "trace"})
"""Keys the VS Code extension keeps for itself (how to start the server, pop-ups, tracing)."""


@dataclass(frozen=True)
class EditorSettings:
    """The settings an editor sends, typed; what is not set here comes from pyproject.toml or the
    defaults."""

    overrides: Overrides = field(default_factory=Overrides)
    """`select`, `ignore`, `extendRules` (relative to the workspace folder), `unsafeFixes`,
    `target` and the first `interpreter`, over pyproject.toml's."""
    interpreter: tuple[str, ...] = ()
    """The project's interpreter (validation, installed API surface); the first item is used."""
    validation: ValidationSettings = field(default_factory=ValidationSettings)
    log_level: str | None = None
    """error, warning, info or debug: what goes to window/logMessage and stderr."""


def merge(lower: Mapping[str, Any], higher: Mapping[str, Any]) -> dict[str, Any]:
    """`higher` over `lower`; the `validation` table is merged key by key."""
    merged = dict(lower)
    for key, value in higher.items():
        if (
            key == "validation"
            and isinstance(value, Mapping)
            and isinstance(merged.get(key), Mapping)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def section(raw: object) -> dict[str, Any]:
    """The tfmend settings in what a client sent: `{"tfmend": {...}}` or the table itself."""
    if not isinstance(raw, Mapping):
        return {}
    inner = raw.get(SECTION)
    if isinstance(inner, Mapping):
        return dict(inner)
    return dict(raw)


def editor_settings(raw: Mapping[str, Any], source: str) -> tuple[EditorSettings, list[str]]:
    """Typed settings and a warning for each bad value (which is then left at its default)."""
    warnings: list[str] = []
    values: dict[str, Any] = {}
    given: dict[str, Any] = {}
    """The fields of `Overrides`."""

    def bad(key: str, expected: str) -> None:
        warnings.append(
            f"{source}: tfmend.{key}: expected {expected}, got {raw[key]!r}; using the default"
        )

    for key, value in raw.items():
        if value is None or key in CLIENT_ONLY:
            continue
        if key == "interpreter":
            items = _strings(value)
            if items is None:
                bad(key, "a path or a list of strings")
            else:
                values["interpreter"] = items
                given["python"] = items[0] if items else None
        elif key in ("select", "ignore"):
            items = _strings(value, allow_single=False)
            if items is None:
                bad(key, "a list of code prefixes")
            elif items:
                given[key] = code_prefixes(items)
        elif key == "extendRules":
            items = _strings(value)
            if items is None:
                bad(key, "a list of paths")
            else:
                given["extend_rules"] = items
        elif key == "unsafeFixes":
            if isinstance(value, bool):
                given["unsafe_fixes"] = value
            else:
                bad(key, "true or false")
        elif key == "target":
            try:
                given["target"] = parse_target(value, None)
            except SettingError:
                bad(key, "one of " + ", ".join(TARGETS))
        elif key == "logLevel":
            if isinstance(value, str) and value.lower() in LOG_LEVELS:
                values["log_level"] = value.lower()
            else:
                bad(key, "one of " + ", ".join(LOG_LEVELS))
        elif key == "validation":
            if isinstance(value, Mapping):
                values["validation"] = _validation(value, source, warnings)
            else:
                bad(key, "a table")
        else:
            logger.debug("%s: ignoring unknown setting tfmend.%s", source, key)
    return EditorSettings(Overrides(**given), **values), warnings


def _strings(value: object, *, allow_single: bool = True) -> tuple[str, ...] | None:
    if isinstance(value, str):
        if not allow_single:
            return None
        return (value,) if value else ()
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if item)
    return None


def _validation(raw: Mapping[str, Any], source: str, warnings: list[str]) -> ValidationSettings:
    options = ValidationSettings()

    def bad(key: str, expected: str) -> None:
        warnings.append(
            f"{source}: tfmend.validation.{key}: expected {expected}, got "
            f"{raw[key]!r}; using the default"
        )

    for key, value in raw.items():
        if value is None:
            continue
        if key in ("enable", "importCheck", "gpu"):
            if not isinstance(value, bool):
                bad(key, "true or false")
            elif key == "enable":
                options = replace(options, enable=value)
            elif key == "importCheck":
                options = replace(options, import_check=value)
            else:
                options = replace(options, gpu=value)
        elif key == "timeout":
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                options = replace(options, timeout=float(value))
            else:
                bad(key, "a positive number of seconds")
        elif key == "memoryMb":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                options = replace(options, memory_mb=value or None)
            else:
                bad(key, "a whole number of megabytes (0: no limit)")
        elif key == "command":
            if isinstance(value, str):
                options = replace(options, command=value.strip() or None)
            elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                options = replace(options, command=shlex.join(value) if value else None)
            else:
                bad(key, "a command line")
        else:
            logger.debug("%s: ignoring unknown setting tfmend.validation.%s", source, key)
    return options


def apply(editor: EditorSettings, base: Settings, folder: Path | None) -> Settings:
    """Editor settings over settings from pyproject.toml (or the defaults)."""
    return editor.overrides.over(base, folder)


async def fetch_configuration(ls: TfmendServer) -> None:
    """Ask the client for section "tfmend" of every workspace folder (and the global scope)."""
    if not ls.client_supports("workspace.configuration"):
        return
    scopes: list[str | None] = [None, *ls.engines.folders]
    items = [types.ConfigurationItem(scope_uri=scope, section=SECTION) for scope in scopes]
    try:
        answer = await ls.workspace_configuration_async(types.ConfigurationParams(items=items))
    except Exception as exc:  # a client that fails the request leaves the settings as they are
        logger.warning("workspace/configuration failed: %s", exc)
        return
    for scope, raw in zip(scopes, answer or [], strict=False):
        ls.engines.client_settings[scope] = section(raw) if raw is not None else {}


def register(server: TfmendServer) -> None:
    """Register the configuration change handler."""

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: TfmendServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if ls.client_supports("workspace.configuration"):
            await fetch_configuration(ls)
        elif isinstance(params.settings, Mapping) and params.settings:
            ls.engines.client_settings[None] = section(params.settings)
        logger.info("settings changed: checking again")
        await ls.reload()
