"""Checking open documents on the analysis thread, one generation at a time and cached
per version; results go out as textDocument/publishDiagnostics (push mode)."""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import PositionCodec

from tfmend.api import Engine, file_finding
from tfmend.catalog.meta import RULE_CRASHED, SYNTAX_ERROR
from tfmend.findings import Finding, Position, Span
from tfmend.findings import Origin as FindingOrigin
from tfmend.incremental import IncrementalChecker
from tfmend.lsp.convert import (
    Lines,
    Related,
    diagnostic,
    diagnostic_json,
    lines_of,
    range_json,
    related_message,
)
from tfmend.lsp.documents import Origin, Shown, Snapshot, TextDoc, Unit
from tfmend.lsp.jobs import EDITING, INTERACTIVE
from tfmend.resolve.module import ParsedModule
from tfmend.rewrite.graph_mode import has_main_guard
from tfmend.text.notebook import join_cells
from tfmend.text.source import decode_source

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer
    from tfmend.lsp.engines import Engines

logger = logging.getLogger(__name__)

MAX_CHARS = 2_000_000
"""Documents longer than this are not checked (about 50,000 lines)."""


@dataclass
class Analysis:
    """The result of checking one generation of a unit."""

    generation: int
    parsed: bool = True
    """False when the module does not parse (its syntax error is then in `syntax`)."""
    shown: dict[str, list[Shown]] = field(default_factory=dict)
    """Findings per member document, in that document's coordinates."""
    syntax: Shown | None = None
    skipped: str = ""
    """Why the unit was not checked (too large), if it was not."""
    module: str = ""
    """The text the engine checked (the joined cells of a notebook)."""
    starts: list[int] = field(default_factory=lambda: [0])
    """Line of `module` where each member starts."""
    parts: tuple[tuple[str, str], ...] = ()
    engine: Engine | None = None
    analysed: tuple[ParsedModule, list[Finding]] | None = None
    """The checked module and all its findings (their fixes planned), for fixing it."""
    main_guard: bool | None = None
    """Whether the module has a `__main__` block (None: not known without parsing it again)."""
    versions: dict[str, int | None] = field(default_factory=dict)
    """The version of each member document that was checked."""
    serial: int = 0
    """Identifies this result among all results (pulled diagnostics' result id)."""


def analyse(
    engines: Engines,
    snapshot: Snapshot,
    codec: PositionCodec,
    checkers: dict[str, IncrementalChecker] | None = None,
) -> Analysis:
    """Check a snapshot (on the analysis thread); with `checkers`, re-analysing only what
    changed since the unit's last check (kept there per unit)."""
    started = time.perf_counter()
    uris = [uri for uri, _ in snapshot.parts]
    texts = [text for _, text in snapshot.parts]
    if snapshot.notebook:
        module, starts = join_cells(texts)
    else:
        module, starts = (texts[0] if texts else ""), [0]
    result = Analysis(
        snapshot.generation,
        shown={uri: [] for uri in uris},
        module=module,
        starts=starts,
        parts=snapshot.parts,
        versions=dict(zip(uris, snapshot.versions, strict=False)),
    )
    if not uris:
        return result
    if len(module) > MAX_CHARS:
        result.skipped = (
            f"not checking {snapshot.uri}: {len(module):,} characters is more than "
            f"the limit of {MAX_CHARS:,}"
        )
        logger.warning("%s", result.skipped)
        return result
    try:
        engine = engines.engine_for(snapshot.path)
        result.engine = engine
        if checkers is None:
            findings, result.analysed = engine.analyse_text(module, snapshot.path)
            if result.analysed is not None:
                result.main_guard = has_main_guard(result.analysed[0].tree)
        else:
            checker = checkers.get(snapshot.uri)
            if checker is None or checker.engine is not engine or checker.path != snapshot.path:
                checker = checkers[snapshot.uri] = engine.incremental(snapshot.path)
            findings, result.analysed = checker.analyse_text(module)
            result.main_guard = checker.main_guard(module)
    except Exception as exc:  # one file must not stop the server: report it on the file
        logger.exception("tfmend failed on %s", snapshot.uri)
        findings = [file_finding(RULE_CRASHED.code, f"tfmend failed on this file: {exc!r}")]
    place = Placer(uris, starts, codec)
    for finding in findings:
        uri, span = place.locate(finding.span)
        shown = Shown(finding, uri, span, place.origin(finding), result.versions.get(uri))
        if finding.code == SYNTAX_ERROR.code:
            result.parsed = False
            result.syntax = shown
        else:
            result.shown[uri].append(shown)
    logger.debug(
        "checked %s (generation %d): %d findings in %.1f ms",
        snapshot.uri,
        snapshot.generation,
        len(findings),
        (time.perf_counter() - started) * 1000,
    )
    return result


class Placer:
    """Maps module positions to member documents, and binding imports to locations."""

    def __init__(self, uris: list[str], starts: list[int], codec: PositionCodec) -> None:
        self.uris = uris
        self.starts = starts
        self.codec = codec
        self._files: dict[str, Lines | None] = {}
        self._origins: dict[tuple[int, str], tuple[FindingOrigin, Origin | None]] = {}

    def locate(self, span: Span) -> tuple[str, Span]:
        if len(self.starts) == 1 and not self.starts[0]:
            return self.uris[0], span  # a file: its positions are the module's
        index = max(bisect_right(self.starts, span.start.line) - 1, 0)
        first = self.starts[index]
        moved = Span(
            Position(span.start.line - first, span.start.column),
            Position(max(span.end.line - first, 0), span.end.column),
        )
        return self.uris[index], moved

    def origin(self, finding: Finding) -> Origin | None:
        origin = finding.origin
        if origin is None:
            return None
        # Most findings of a file share a few imports: one Origin for each import and name.
        key = (id(origin), finding.name.split(".", 1)[0])
        cached = self._origins.get(key)
        if cached is None or cached[0] is not origin:
            cached = self._origins[key] = (origin, self._origin(finding, origin))
        return cached[1]

    def _origin(self, finding: Finding, origin: FindingOrigin) -> Origin | None:
        message = related_message(finding, origin.text)
        if origin.path is None:
            uri, span = self.locate(origin.span)
            return Origin(uri, message, span=span)
        lines = self._lines(origin.path)
        if lines is None:
            return None
        path = Path(origin.path)
        uri = from_fs_path(str(path)) or path.as_uri()
        return Origin(uri, message, range=lines.range_to_client(self.codec, origin.span))

    def _lines(self, path: str) -> Lines | None:
        if path not in self._files:
            try:
                self._files[path] = Lines(decode_source(Path(path).read_bytes()).text)
            except Exception:  # an unreadable exporting file: the finding stands, without a link
                self._files[path] = None
        return self._files[path]


def diagnostics_of(ls: TfmendServer, doc: TextDoc, items: list[Shown]) -> list[types.Diagnostic]:
    """The diagnostics of what a document shows, in the client's encoding.

    Where a name was bound is related information only when that is another document (another
    file, another notebook cell): VS Code lists related information as a row of its own under
    each problem, which for a binding in the same file doubled the Problems panel; hover says it.
    """
    lines = lines_of(doc.text)
    out = []
    for item in items:
        related = None
        origin = item.origin
        if origin is not None and origin.uri != doc.uri:
            if origin.range is not None:
                related = Related(origin.uri, origin.range, origin.message)
            elif origin.span is not None:
                owner = ls.store.docs.get(origin.uri)
                origin_lines = (
                    lines if origin.uri == doc.uri or owner is None else lines_of(owner.text)
                )
                related = Related(
                    origin.uri, origin_lines.range_to_client(ls.codec, origin.span), origin.message
                )
        range_ = lines.range_to_client(ls.codec, item.span)
        out.append(diagnostic(item.finding, range_, related, _current(doc, item)))
    return out


def diagnostics_json(ls: TfmendServer, doc: TextDoc, items: list[Shown]) -> list[dict[str, Any]]:
    """What `diagnostics_of` gives, as LSP JSON (for pushing without cattrs)."""
    lines = lines_of(doc.text)
    codec = ls.codec
    related_of: dict[int, dict[str, Any] | None] = {}
    out = []
    for item in items:
        origin = item.origin
        related = None
        if origin is not None and origin.uri != doc.uri:
            if id(origin) not in related_of:
                related_of[id(origin)] = _related_json(ls, doc, lines, origin)
            related = related_of[id(origin)]
        range_ = range_json(lines, codec, item.span)
        out.append(diagnostic_json(item.finding, range_, related, _current(doc, item)))
    return out


def _current(doc: TextDoc, item: Shown) -> int | None:
    """The document version a shown finding's planned edits are for, when that is the current
    one (None: the text moved since the check, so the edits are not sent)."""
    return item.version if item.version is not None and item.version == doc.version else None


def _related_json(ls: TfmendServer, doc: TextDoc, lines: Lines, origin: Origin) -> dict[str, Any]:
    if origin.range is not None:
        range_ = {
            "start": {"line": origin.range.start.line, "character": origin.range.start.character},
            "end": {"line": origin.range.end.line, "character": origin.range.end.character},
        }
    else:
        assert origin.span is not None
        owner = ls.store.docs.get(origin.uri)
        origin_lines = lines if origin.uri == doc.uri or owner is None else lines_of(owner.text)
        range_ = range_json(origin_lines, ls.codec, origin.span)
    return {"location": {"uri": origin.uri, "range": range_}, "message": origin.message}


@dataclass
class _Pending:
    """A check of one generation: about to start, queued, or running."""

    generation: int
    done: asyncio.Future[Analysis | None]
    timer: asyncio.Handle | None = None
    job: asyncio.Future[Analysis] | None = None


class Checker:
    """Runs the checks of open units and keeps the latest result of each."""

    def __init__(self, ls: TfmendServer) -> None:
        self.ls = ls
        self.results: dict[str, Analysis] = {}
        """Latest accepted analysis per unit uri."""
        self._pending: dict[str, _Pending] = {}
        self._serial = 0
        self._incremental: dict[str, IncrementalChecker] = {}
        """Each open unit's incremental checker (used on the analysis thread only)."""

    def schedule(self, unit: Unit, now: bool = False, priority: int = EDITING) -> _Pending:
        """Check the unit's current generation (unless already on its way): `now`, or once the
        messages already read are handled (after an edit: changes sent together coalesce).

        There is no debounce: a check still queued when a newer version arrives is dropped
        unrun, and the result of one already running is dropped when it ends.
        """
        pending = self._pending.get(unit.uri)
        if pending is not None:
            if pending.generation == unit.generation:
                if now and pending.timer is not None:
                    pending.timer.cancel()
                    self._start(unit.uri, pending, priority)
                return pending
            self._drop(pending)
        pending = _Pending(unit.generation, self.ls.loop.create_future())
        self._pending[unit.uri] = pending
        if now:
            self._start(unit.uri, pending, priority)
        else:
            pending.timer = self.ls.loop.call_soon(self._start, unit.uri, pending, priority)
        return pending

    async def current(self, unit: Unit) -> Analysis | None:
        """The analysis of the unit's current generation (checked now if need be)."""
        for _ in range(50):
            result = self.results.get(unit.uri)
            if result is not None and result.generation == unit.generation:
                return result
            if self.ls.store.units.get(unit.uri) is not unit:
                return None
            pending = self.schedule(unit, now=True, priority=INTERACTIVE)
            await asyncio.shield(pending.done)
        return None

    def statement_starts(self, unit: Unit, text: str) -> list[int] | None:
        """Where the top-level statement groups of a unit's checked text begin, when its
        incremental checker holds that text (on the analysis thread only, as the checker is)."""
        checker = self._incremental.get(unit.uri)
        return checker.statement_starts(text) if checker is not None else None

    def forget(self, unit: Unit) -> None:
        """A unit was closed: drop its work and results."""
        pending = self._pending.pop(unit.uri, None)
        if pending is not None:
            self._drop(pending)
        self.results.pop(unit.uri, None)
        self._incremental.pop(unit.uri, None)

    def recheck_all(self) -> None:
        """Check every open unit again (settings or rules changed)."""
        self.results.clear()
        self._incremental.clear()
        for unit in list(self.ls.store.units.values()):
            unit.generation += 1
            self.schedule(unit, now=True)

    def _drop(self, pending: _Pending) -> None:
        if pending.timer is not None:
            pending.timer.cancel()
        if pending.job is not None:
            pending.job.cancel()
        if not pending.done.done():
            pending.done.set_result(None)

    def _start(self, uri: str, pending: _Pending, priority: int) -> None:
        pending.timer = None
        if not self.ls.settings_ready:
            # The editor's settings are on their way (after `initialized`): checking with the
            # defaults would publish findings that vanish a moment later. recheck_all starts it.
            return
        unit = self.ls.store.units.get(uri)
        if (
            unit is None
            or unit.generation != pending.generation
            or self._pending.get(uri) is not (pending)
        ):
            self._drop(pending)
            return
        previous = self.results.get(uri)
        if previous is not None and previous.generation != pending.generation:
            # Only a fix of the current generation uses the module a full check left (a fix
            # of an older one analyses its text again): kept, a 10,000-line tree would live
            # through the next full check too.
            previous.analysed = None
        snapshot = self.ls.store.snapshot(unit)
        engines, codec, checkers = self.ls.engines, self.ls.codec, self._incremental
        pending.job = self.ls.analysis.submit(
            lambda: analyse(engines, snapshot, codec, checkers), priority
        )
        pending.job.add_done_callback(lambda job: self._finished(uri, pending, job))

    def _finished(self, uri: str, pending: _Pending, job: asyncio.Future[Analysis]) -> None:
        if self._pending.get(uri) is pending:
            del self._pending[uri]
        result: Analysis | None = None
        if not job.cancelled():
            error = job.exception()
            if error is not None:
                logger.error("checking %s failed: %r", uri, error)
            else:
                result = job.result()
        unit = self.ls.store.units.get(uri)
        if result is not None and unit is not None and unit.generation == pending.generation:
            self._accept(unit, result)
        elif result is not None:
            logger.debug("dropped a stale result for %s (generation %d)", uri, pending.generation)
            result = None
        if not pending.done.done():
            pending.done.set_result(result)

    def _accept(self, unit: Unit, result: Analysis) -> None:
        self._serial += 1
        result.serial = self._serial
        self.results[unit.uri] = result
        for uri in unit.members:
            doc = self.ls.store.docs.get(uri)
            if doc is not None and result.parsed:
                doc.shown = result.shown.get(uri, [])
        self.publish(unit)

    def shown(self, doc: TextDoc) -> list[Shown]:
        """What a document shows now: its findings, and the syntax error when it does not parse."""
        unit = self.ls.store.unit_of(doc.uri)
        result = self.results.get(unit.uri) if unit is not None else None
        items = list(doc.shown)
        if result is not None and result.syntax is not None and result.syntax.uri == doc.uri:
            items.append(result.syntax)
            items.sort(key=lambda item: (item.span, item.finding.code))
        return items

    def publish(self, unit: Unit) -> None:
        """Push the diagnostics of a unit's documents (unless the client pulls them)."""
        if self.ls.pull_mode:
            return
        for uri in unit.members:
            doc = self.ls.store.docs.get(uri)
            if doc is None:
                continue
            self.ls.publish_diagnostics(
                uri, doc.version, diagnostics_json(self.ls, doc, self.shown(doc))
            )
