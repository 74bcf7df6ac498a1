"""Open documents: textDocument/didOpen, didChange, didSave and didClose for Python files, with the
text kept here and the last good findings shifted through each edit."""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec

from tfmend.findings import Finding, Position, Span
from tfmend.lsp.convert import Lines, lines_of

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)

PYTHON_SUFFIXES = (".py", ".pyi")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Origin:
    """Where the name a shown finding uses was bound."""

    uri: str
    message: str
    span: Span | None = None
    """In the document `uri` of the same unit (shifted with its edits when it is the same one)."""
    range: types.Range | None = None
    """Already in client units, for another file."""


@dataclass(frozen=True)
class Shown:
    """A finding as shown in one document: its span there, moved along by later edits."""

    finding: Finding
    """The engine's finding, in the coordinates of the module it was found in."""
    uri: str
    span: Span
    origin: Origin | None = None
    version: int | None = None
    """The document version the finding's planned edits are for (older once text moved it)."""


@dataclass
class TextDoc:
    """A Python file or a notebook cell, as the client has it now."""

    uri: str
    language_id: str
    version: int | None
    text: str
    notebook: str | None = None
    """The notebook's uri, for a cell."""
    shown: list[Shown] = field(default_factory=list)
    """The findings of the last analysis that parsed, shifted to the current text."""


@dataclass
class Unit:
    """What the engine checks as one module: a Python file, or a notebook's code cells."""

    uri: str
    path: Path | None
    notebook: bool = False
    members: list[str] = field(default_factory=list)
    """The documents it is made of: the file itself, or the code cells in order."""
    generation: int = 0
    """Bumped on every change; an analysis applies only to the generation it was made for."""


@dataclass(frozen=True)
class Snapshot:
    """A unit's texts at one generation, handed to the analysis thread."""

    uri: str
    path: Path | None
    generation: int
    notebook: bool
    parts: tuple[tuple[str, str], ...]
    """(document uri, text) of each member."""
    versions: tuple[int | None, ...] = ()
    """The version of each member's text."""


def uri_path(uri: str) -> Path | None:
    """The file system path of a `file:` uri."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def is_python(uri: str, language_id: str) -> bool:
    """Whether tfmend checks a document: Python by language or by file name."""
    if language_id == "python":
        return True
    path = uri_path(uri)
    return path is not None and path.suffix in PYTHON_SUFFIXES


class DocumentStore:
    """The open documents and the units they belong to (all state lives on the event loop)."""

    def __init__(self) -> None:
        self.docs: dict[str, TextDoc] = {}
        self.units: dict[str, Unit] = {}

    def unit_of(self, uri: str) -> Unit | None:
        """The unit a document belongs to (itself, or its notebook)."""
        doc = self.docs.get(uri)
        if doc is None:
            return self.units.get(uri)
        return self.units.get(doc.notebook or uri)

    def unit_at(self, path: Path) -> Unit | None:
        """The open unit of a file."""
        resolved = path.resolve()
        for unit in self.units.values():
            if unit.path is not None and unit.path.resolve() == resolved:
                return unit
        return None

    def snapshot(self, unit: Unit) -> Snapshot:
        """The unit's current texts."""
        members = [self.docs[uri] for uri in unit.members if uri in self.docs]
        parts = tuple((doc.uri, doc.text) for doc in members)
        versions = tuple(doc.version for doc in members)
        return Snapshot(unit.uri, unit.path, unit.generation, unit.notebook, parts, versions)

    def open_file(self, item: types.TextDocumentItem) -> Unit:
        """Start tracking a Python file."""
        self.docs[item.uri] = TextDoc(item.uri, item.language_id, item.version, item.text)
        unit = Unit(item.uri, uri_path(item.uri), members=[item.uri])
        previous = self.units.get(item.uri)
        if previous is not None:
            unit.generation = previous.generation + 1
        self.units[item.uri] = unit
        return unit

    def change(
        self,
        uri: str,
        version: int | None,
        changes: list[types.TextDocumentContentChangeEvent],
        codec: PositionCodec,
    ) -> TextDoc | None:
        """Apply a client's changes to a document and move its shown findings along."""
        doc = self.docs.get(uri)
        if doc is None:
            return None
        for change in changes:
            apply_change(doc, change, codec)
        doc.version = version
        unit = self.unit_of(uri)
        if unit is not None:
            unit.generation += 1
        return doc

    def close(self, uri: str) -> Unit | None:
        """Stop tracking a document; returns its unit when that closed with it."""
        doc = self.docs.pop(uri, None)
        if doc is None or doc.notebook is not None:
            return None
        return self.units.pop(uri, None)


def apply_change(
    doc: TextDoc, change: types.TextDocumentContentChangeEvent, codec: PositionCodec
) -> None:
    """Apply one content change to a document's text, shifting what it shows."""
    old = doc.text
    if isinstance(change, types.TextDocumentContentChangePartial):
        lines = lines_of(old)
        span = lines.range_from_client(codec, change.range)
        if span.end < span.start:
            # A range given end first means the same text (as VS Code reads one); taken as it
            # comes, the text between would be doubled.
            span = Span(span.end, span.start)
        start, end = lines.offset(span.start), lines.offset(span.end)
        doc.text = old[:start] + change.text + old[end:]
        doc.shown = shift_all(doc.shown, doc.uri, span, change.text)
        return
    # The whole text: shift through each changed block of lines, the last one first so the
    # positions of the blocks above stay valid.
    doc.text = change.text
    if not doc.shown:
        return
    before, after = Lines(old), Lines(change.text)
    matcher = difflib.SequenceMatcher(None, before.lines, after.lines, autojunk=False)
    shown = doc.shown
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        stop = Position(i2, 0) if i2 < len(before) else before.end()
        shown = shift_all(shown, doc.uri, Span(Position(i1, 0), stop), "".join(after.lines[j1:j2]))
    doc.shown = shown


def shift_all(shown: list[Shown], uri: str, span: Span, inserted: str) -> list[Shown]:
    """Move findings past an edit that replaced `span` with `inserted`; drop those it touched."""
    if not shown:
        return shown
    pieces = _NEWLINE.split(inserted)
    added = len(pieces) - 1
    if added:
        new_end = Position(span.start.line + added, len(pieces[-1]))
    else:
        new_end = Position(span.start.line, span.start.column + len(inserted))
    out: list[Shown] = []
    for item in shown:
        moved = shift_span(item.span, span, new_end)
        if moved is None:
            continue
        origin = item.origin
        if origin is not None and origin.uri == uri and origin.span is not None:
            origin_span = shift_span(origin.span, span, new_end)
            if origin_span is None:
                origin = None
            elif origin_span is not origin.span:
                origin = replace(origin, span=origin_span)
        if moved is item.span and origin is item.origin:
            out.append(item)  # before the edit: unchanged
        else:
            out.append(Shown(item.finding, item.uri, moved, origin))
    return out


def shift_span(span: Span, edited: Span, new_end: Position) -> Span | None:
    """`span` after the text in `edited` was replaced by text ending at `new_end` (None: hit)."""
    if span.end <= edited.start:
        return span
    if span.start >= edited.end:
        if span.start.line > edited.end.line and new_end.line == edited.end.line:
            return span  # on a later line, and the edit added or removed no line break
        return Span(_moved(span.start, edited.end, new_end), _moved(span.end, edited.end, new_end))
    return None


def _moved(position: Position, old_end: Position, new_end: Position) -> Position:
    if position.line == old_end.line:
        return Position(new_end.line, new_end.column + position.column - old_end.column)
    return Position(position.line + new_end.line - old_end.line, position.column)


def register(server: TfmendServer) -> None:
    """Register the text synchronisation handlers."""

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TfmendServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        if not is_python(item.uri, item.language_id):
            logger.debug("not checking %s: not Python (language %r)", item.uri, item.language_id)
            return
        unit = ls.store.open_file(item)
        ls.checker.schedule(unit, now=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TfmendServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = ls.store.change(
            uri, params.text_document.version, list(params.content_changes), ls.codec
        )
        if doc is None:
            if uri not in ls.workspace.text_documents:
                logger.warning("change to a document that is not open: %s", uri)
            return
        unit = ls.store.unit_of(uri)
        if unit is not None:
            ls.checker.schedule(unit)
            if unit.path is not None and not unit.notebook:
                # Files importing names through this one see its unsaved text too.
                ls.project.edited(unit.path, doc.text)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TfmendServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        unit = ls.store.unit_of(uri)
        if unit is None:
            return
        ls.checker.schedule(unit, now=True)
        if unit.path is not None:
            ls.project.file_changed(unit.path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TfmendServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        unit = ls.store.close(uri)
        if unit is None:
            return
        ls.checker.forget(unit)
        if unit.path is not None and not unit.notebook:
            ls.project.edited(unit.path, None)
        ls.project.document_closed(unit)
