"""Editor settings: initializationOptions, workspace/configuration (section "tfmend") and
workspace/didChangeConfiguration; typed into the models of tfmend.config (`Overrides` over
pyproject.toml, `ValidationSettings`); bad values warn and fall back to the default."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from tfmend.config import (
    OPTIONS,
    VALIDATION_OPTIONS,
    Overrides,
    Settings,
    ValidationSettings,
    Where,
    code_prefixes,
    convert,
)

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)

SECTION = "tfmend"
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
    """Typed settings and a warning for each bad value (which is then left at its default),
    read through the options pyproject.toml is read through (tfmend.config.OPTIONS)."""
    where = Where(source, (SECTION,))
    shown = {key: value for key, value in raw.items() if key not in CLIENT_ONLY}
    values, errors, unknown = convert(shown, OPTIONS, where, editor=True)
    validation = ValidationSettings()
    if "validation" in values:
        table = values.pop("validation")
        given, more, ignored = convert(table, VALIDATION_OPTIONS, where / "validation", editor=True)
        validation = replace(validation, **given)
        errors += more
        unknown += [f"validation.{key}" for key in ignored]
    for key in unknown:
        logger.debug("%s: ignoring unknown setting tfmend.%s", source, key)
    interpreter: tuple[str, ...] = ()
    overrides: dict[str, Any] = {}
    if "interpreter" in values:
        interpreter = tuple(item for item in values.pop("interpreter") if item)
        overrides["python"] = interpreter[0] if interpreter else None
    for key in ("select", "ignore"):
        items = [item for item in values.pop(key, ()) if item]
        if items:
            overrides[key] = code_prefixes(items)
    if "extend_rules" in values:
        overrides["extend_rules"] = tuple(item for item in values.pop("extend_rules") if item)
    overrides.update(values)
    log_level = overrides.pop("log_level", None)
    settings = EditorSettings(
        Overrides(**overrides), interpreter, validation=validation, log_level=log_level
    )
    return settings, [str(error) for error in errors]


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
