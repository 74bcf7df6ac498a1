"""Hover on a flagged API (textDocument/hover): the rule's explanation, a before/after example and
the replacements."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from lsprotocol import types

from tfmend.catalog.rules import Rule, docs_url
from tfmend.lsp.convert import lines_of

if TYPE_CHECKING:
    from tfmend.findings import Finding
    from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)


def hover_text(finding: Finding, rule: Rule, bound: str | None = None) -> str:
    """The markdown shown for a finding: what the diagnostic's message does not already say.

    `bound` is where the flagged name was bound, when that is in the same document.
    """
    parts = [f"**{rule.code}** `{rule.name}`", rule.explanation.strip()]
    if bound is not None:
        parts.append(bound)
    if rule.invalid:
        example = rule.invalid[0]
        parts.append(f"**Before**\n\n```python\n{example.code.rstrip()}\n```")
        if example.fixed is not None:
            parts.append(f"**After**\n\n```python\n{example.fixed.rstrip()}\n```")
    replacements = rule.replacements()
    if replacements:
        label = "Replacement" if len(replacements) == 1 else "Replacements"
        parts.append(f"**{label}:** " + ", ".join(f"`{name}`" for name in replacements))
    if rule.fix_safety == "none":
        parts.append("**Fix:** manual (no automatic rewrite)")
    elif rule.fix_safety == "unsafe":
        parts.append(f"**Fix:** unsafe: {rule.fix.reason or 'it may change behaviour'}")
    else:
        parts.append("**Fix:** safe")
    parts.append(f"[{rule.code} documentation]({docs_url(rule.code)})")
    return "\n\n".join(parts)


def plain_text(markdown: str) -> str:
    """The hover for a client without markdown: no emphasis marks, fences or link syntax."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1: \2", text)
    return re.sub(
        r"```python\n(.*?)\n```",
        lambda code: "\n".join(f"    {line}" for line in code.group(1).splitlines()),
        text,
        flags=re.DOTALL,
    )


def register(server: TfmendServer) -> None:
    """Register the hover handler."""

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: TfmendServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        unit = ls.store.unit_of(uri)
        if unit is None or uri not in ls.store.docs:
            logger.info("hover on %s: not an open Python document", uri)
            return None
        await ls.checker.current(unit)
        doc = ls.store.docs.get(uri)
        if doc is None:
            return None
        lines = lines_of(doc.text)
        if params.position.line >= len(lines):
            logger.info(
                "hover on %s: line %d is past the end (%d lines)",
                uri,
                params.position.line,
                len(lines),
            )
            return None
        position = lines.from_client(ls.codec, params.position)
        hits = [
            item
            for item in ls.checker.shown(doc)
            if item.finding.rule is not None and item.span.start <= position <= item.span.end
        ]
        if not hits:
            return None
        item = min(
            hits,
            key=lambda hit: (
                hit.span.end.line - hit.span.start.line,
                hit.span.end.column - hit.span.start.column,
            ),
        )
        rule = item.finding.rule
        assert rule is not None
        bound = None
        if item.origin is not None and item.origin.uri == uri and item.origin.span is not None:
            line = item.origin.span.start.line
            statement = lines.visible(line).strip() if line < len(lines) else ""
            name = item.finding.name.split(".", 1)[0] if item.finding.name else "the name"
            bound = f"`{name}` is bound on line {line + 1}: `{statement}`"
        formats = ls.capability("text_document.hover.content_format")
        kind = types.MarkupKind.Markdown
        value = hover_text(item.finding, rule, bound)
        if formats and types.MarkupKind.Markdown not in formats:
            kind = types.MarkupKind.PlainText
            value = plain_text(value)
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=value),
            range=lines.range_to_client(ls.codec, item.span),
        )
