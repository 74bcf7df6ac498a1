"""Commands (workspace/executeCommand): tfmend.fixAll, tfmend.validateFix, tfmend.checkWorkspace
and tfmend.reload."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

# pygls reads the annotations of command handlers at run time: TfmendServer must be importable.
from tfmend.lsp.base import TfmendServer
from tfmend.lsp.code_actions import FIX_EVERYTHING, ActionData, edit_for
from tfmend.lsp.settings import fetch_configuration

logger = logging.getLogger(__name__)

FIX_ALL = "tfmend.fixAll"
VALIDATE_FIX = "tfmend.validateFix"
CHECK_WORKSPACE = "tfmend.checkWorkspace"
RELOAD = "tfmend.reload"


def _argument(args: tuple[Any, ...]) -> tuple[str | None, types.Range | None]:
    """The (uri, range) of a command's arguments: `{"uri", "range"?}`, or `uri` then `range`
    as separate arguments (what clients such as Sublime LSP can substitute)."""
    if not args:
        return None, None
    first = args[0]
    if isinstance(first, str):
        return first, _range(args[1]) if len(args) > 1 else None
    if isinstance(first, dict) and isinstance(first.get("uri"), str):
        return first["uri"], _range(first.get("range"))
    return None, None


def _range(raw: Any) -> types.Range | None:
    """An LSP range from JSON, or None when it is not one."""
    if not isinstance(raw, dict):
        return None
    try:
        start, end = raw["start"], raw["end"]
        return types.Range(
            start=types.Position(line=int(start["line"]), character=int(start["character"])),
            end=types.Position(line=int(end["line"]), character=int(end["character"])),
        )
    except (KeyError, TypeError, ValueError):
        return None


def register(server: TfmendServer) -> None:
    """Register the commands."""

    @server.command(FIX_ALL)
    async def fix_all(ls: TfmendServer, *args: Any) -> dict[str, Any]:
        uri, _ = _argument(args)
        if uri is None or ls.store.unit_of(uri) is None:
            logger.info("%s: expected the uri of an open document, got %r", FIX_ALL, args)
            return {"applied": False, "changed": False}
        edit = await edit_for(ls, ActionData(uri, FIX_EVERYTHING))
        if edit is None:
            return {"applied": False, "changed": False}
        if not ls.client_supports("workspace.apply_edit"):
            return {
                "applied": False,
                "changed": True,
                "edit": edit,  # serialized with the response by pygls's converter
            }
        answer = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="tfmend: fix all")
        )
        return {"applied": bool(answer and answer.applied), "changed": True}

    @server.command(VALIDATE_FIX)
    async def validate_fix(ls: TfmendServer, *args: Any) -> dict[str, Any]:
        uri, client_range = _argument(args)
        if uri is None:
            logger.info("%s: expected {uri, range?}, got %r", VALIDATE_FIX, args)
            return {"status": "error", "message": "expected {uri, range?}", "checks": []}
        return await ls.validation.validate(uri, client_range)

    @server.command(CHECK_WORKSPACE)
    async def check_workspace(ls: TfmendServer, *args: Any) -> dict[str, Any]:
        ls.project.start()
        await ls.project.scanned.wait()
        with_findings = sum(1 for report in ls.project.reports.values() if report.diagnostics)
        return {"files_with_findings": with_findings}

    @server.command(RELOAD)
    async def reload(ls: TfmendServer, *args: Any) -> dict[str, Any]:
        await fetch_configuration(ls)
        await ls.reload()
        return {"reloaded": True}
