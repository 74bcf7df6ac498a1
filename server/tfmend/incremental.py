"""Checking successive texts of one file: after an edit, only the top-level statements it touched
are parsed and analysed again; the findings of the others are moved with the text.

The file is cut into segments: top-level statements sharing lines, with the blank and comment
lines after them. An edit replaces some segments; their text alone is parsed (at its lines of the
whole text) and, when each new statement binds at module level what the old one did (same names,
same assigned values, same functions defined, no imports), analysed in the module scope of the
last full analysis. Anything else - imports, `__all__`, the `__main__` block, the leading import
block, a changed number of statements, a fix import planned differently, a syntax error - is
analysed from scratch, as `Engine.analyse_text` does, with the same results.
"""

from __future__ import annotations

import ast
import logging
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tfmend.analyze import Analyzer, is_ignored, may_drop_unreachable, safe_in_graph_code
from tfmend.catalog.meta import RULE_CRASHED
from tfmend.findings import Finding, FixSafety, Origin, Position, Span
from tfmend.resolve.bindings import ImportBinding, PartBindings, binding_signature
from tfmend.resolve.module import ModulePart, ParsedModule, SliceLines, function_names
from tfmend.rewrite.edits import Edit, Plan
from tfmend.rewrite.graph_mode import has_main_guard, switches_graph_mode
from tfmend.text.source import LineIndex

if TYPE_CHECKING:
    from tfmend.api import Engine

logger = logging.getLogger(__name__)
_Frozen = TypeVar("_Frozen", Finding, Plan)
Signature = tuple[tuple[object, ...], tuple[str, ...]]
"""What a statement binds at module level, and the functions it defines."""
Added = tuple[tuple[str, str], ...]


@dataclass(eq=False)
class _Segment:
    """Top-level statements sharing lines, and the blank or comment lines after them."""

    line: int
    """Its first line in the current text."""
    offset: int
    length: int
    breaks: int
    """Line breaks in it (its first line plus `breaks` is the next segment's)."""
    code: str
    """Its lines up to the end of its last statement."""
    groups: list[int]
    """Each statement's index among the module's statements at the last full analysis."""
    frozen: bool
    """Editing it means a full analysis (imports, `__all__`, `__main__`, leading block)."""
    added: Added
    """The imports fixes planned up to its end add (the planner's state)."""
    findings: list[Finding]
    """Its use findings, sorted and without ignored ones, at `at_line` / `at_offset`."""
    fixes: dict[int, list[FixSafety]]
    """The fix safety of its uses of each import (by index among the module's imports)."""
    at_line: int
    at_offset: int
    nodes: list[ast.stmt] | None = None
    """Its statements in the last full analysis's tree (None: analysed since)."""
    signatures: list[Signature] | None = None
    imports: list[int] = field(default_factory=list)
    """Indices of the imports its statements make."""
    _moved: tuple[object, list[Finding]] | None = None

    def moved(self, origins: _Origins) -> list[Finding]:
        """Its findings at its current position."""
        lines, chars = self.line - self.at_line, self.offset - self.at_offset
        key = (lines, chars, origins.version)
        if self._moved is not None and self._moved[0] == key:
            return self._moved[1]
        found = [_move(f, lines, chars, origins) for f in self.findings]
        self._moved = (key, found)
        return found


@dataclass
class _Origins:
    """Where the import statements of the last full analysis are now."""

    starts: list[int]
    """The first line of each segment holding imports, at the full analysis."""
    segments: list[_Segment]
    version: tuple[int, ...] = ()

    def refresh(self) -> None:
        self.version = tuple(s.line - s.at_line for s in self.segments)

    def shifted(self, line: int) -> int:
        if not any(self.version):
            return 0
        index = bisect_right(self.starts, line) - 1
        return self.version[index] if index >= 0 else 0

    def move(self, origin: Origin | None) -> Origin | None:
        if origin is None or origin.path is not None:
            return origin
        lines = self.shifted(origin.span.start.line)
        return replace(origin, span=_shift_span(origin.span, lines)) if lines else origin


@dataclass(eq=False)
class _State:
    """The last good text, its segments, and the full analysis they were made in."""

    text: str
    module: ParsedModule
    segments: list[_Segment]
    imports: dict[int, int]
    """Index of each import binding (by id) among the module's imports."""
    origins: _Origins
    library: bool
    switches: bool
    """Whether the text calls disable_eager_execution (compat-v1 fixes then add no call)."""
    project: int
    reusable: list[tuple[str, str]]
    """The imports fixes may render names through (the same for every part of the module)."""
    import_findings: dict[tuple[int, tuple[int, int, int]], Finding | None] = field(
        default_factory=dict
    )

    def offsets(self) -> list[int]:
        return [s.offset for s in self.segments]


class IncrementalChecker:
    """`Engine.analyse_text` for successive texts of one file, reusing what an edit left."""

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        self.state: _State | None = None
        self.full_runs = 0
        """How many texts were analysed from scratch (for tests and benchmarks)."""
        self._last: tuple[str, int, list[Finding]] | None = None

    def _project_changes(self) -> int:
        """How often names resolved through other project files were forgotten (they changed)."""
        project = self.engine.project
        return project.changes_besides(self.path) if project and self.path else 0

    def analyse_text(
        self, text: str
    ) -> tuple[list[Finding], tuple[ParsedModule, list[Finding]] | None]:
        """The reported findings, and for a full analysis the module with all its findings
        (`fix_text`'s `analysed`; None when this text's analysis was incremental)."""
        project = self._project_changes()
        if self._last is not None and self._last[:2] == (text, project):
            return self._last[2], None
        found = None
        keep = False
        if self.state is not None:
            try:
                found = self._incremental(text)
            except _PieceSyntaxError:
                keep = True
            except Exception:  # whatever went wrong, a full analysis gives the right answer
                logger.exception("tfmend: the incremental check failed; checking the whole file")
                self.state = None
        analysed = None
        if found is None:
            found, analysed = self._full(text, keep)
        reported = [f for f in found if self.engine.settings.reports(f.code, self.path)]
        self._last = (text, project, reported)
        return reported, analysed

    def statement_starts(self, text: str) -> list[int] | None:
        """Where the top-level statement groups of `text` begin (offsets), when it is the text
        last checked (None otherwise): a quick fix compiles only the groups it edits."""
        state = self.state
        return state.offsets() if state is not None and state.text == text else None

    def main_guard(self, text: str) -> bool | None:
        """Whether `text` has a `__main__` block, when it is the text last checked (None
        otherwise): editing such a block, or making one, always costs a full analysis."""
        state = self.state
        if state is None or state.text != text:
            return None
        return has_main_guard(state.module.tree)

    # -- full analysis ---------------------------------------------------------------------------
    def _full(
        self, text: str, keep: bool = False
    ) -> tuple[list[Finding], tuple[ParsedModule, list[Finding]] | None]:
        """Analyse the whole text; with `keep`, the last good state outlives a syntax error
        (the edited statements did not parse: the next edit is compared with that state)."""
        self.full_runs += 1
        if not keep:
            # Held through parsing (which needs twice the tree's size for a moment), the old
            # tree and findings would add ~40 MB to the peak on 10,000 lines.
            self.state = self._last = None
        parsed = self.engine.parse(text, self.path)
        if isinstance(parsed, Finding):
            return [parsed], None
        self.state = self._last = None
        try:
            if not parsed.tree.body:  # empty, or only comments: no statements to keep apart
                findings = self.engine.analyzer.analyze(parsed)
            else:
                self.state = self._build(parsed)
                findings = self._assemble(self.state, parsed)
                reachable = self.engine.analyzer.reachable(parsed, findings)
                if len(reachable) != len(findings):
                    # Unreachable bodies are a whole-module question: such a module is
                    # analysed whole at every edit.
                    self.state, findings = None, reachable
        except Exception as exc:  # one broken rule or odd construct must not stop a whole run
            self.state = None
            return [_crash(exc)], None
        return findings, (parsed, findings)

    def _build(self, module: ParsedModule) -> _State:
        analyzer = self.engine.analyzer
        context = analyzer.context(module)
        bindings = module.bindings
        body = module.tree.body
        starts = [*bindings.statement_chains, len(bindings.chains)]
        imports = {id(imported): index for index, (imported, _) in enumerate(bindings.imports)}
        block = _leading_block(body)
        segments: list[_Segment] = []
        for first, last in _groups(body):
            uses: list[tuple[Finding, ImportBinding | None]] = []
            for index in range(first, last):
                chains = bindings.chains[starts[index] : starts[index + 1]]
                uses += analyzer.use_findings(context, chains)
            nodes = body[first:last]
            frozen = first < max(block, 1) or any(_frozen(n) for n in nodes)
            segments.append(
                self._segment(
                    module, uses, imports, nodes=nodes, groups=list(range(first, last)),
                    frozen=frozen, added=context.planner.names_added(),
                )
            )  # fmt: skip
        _place(segments, module.text, module.lines, body)
        for index, (imported, _) in enumerate(bindings.imports):
            line = imported.statement.lineno - 1
            owner = bisect_right([s.line for s in segments], line) - 1
            segments[owner].imports.append(index)
        holders = [s for s in segments if s.imports]
        origins = _Origins([s.line for s in holders], holders)
        origins.refresh()
        return _State(
            text=module.text,
            module=module,
            segments=segments,
            imports=imports,
            origins=origins,
            library=analyzer.is_library(module),
            switches=switches_graph_mode(module.text),
            project=self._project_changes(),
            reusable=list(context.planner.names.reusable or ()),
        )

    @staticmethod
    def _segment(
        module: ParsedModule,
        uses: list[tuple[Finding, ImportBinding | None]],
        imports: dict[int, int],
        *,
        nodes: list[ast.stmt] | None,
        groups: list[int],
        frozen: bool,
        added: Added,
    ) -> _Segment:
        fixes: dict[int, list[FixSafety]] = {}
        for finding, imported in uses:
            # A binding without an import statement (modules unpacked by
            # get_submodules_from_kwargs) has no import finding to inform.
            index = None if imported is None else imports.get(id(imported))
            if index is not None:
                fixes.setdefault(index, []).append(finding.fix)
        findings = [f for f, _ in uses if not is_ignored(module, f)]
        findings.sort(key=lambda f: (f.span, f.code))
        return _Segment(
            line=0, offset=0, length=0, breaks=0, code="", groups=groups, frozen=frozen,
            added=added, findings=findings, fixes=fixes, at_line=-1, at_offset=-1, nodes=nodes,
        )  # fmt: skip

    # -- an edit ---------------------------------------------------------------------------------
    def _incremental(self, text: str) -> list[Finding] | None:
        state = self.state
        assert state is not None
        if self._project_changes() != state.project:
            return None
        old = state.text
        prefix, suffix = _common_ends(old, text)
        offsets = state.offsets()
        first = bisect_right(offsets, prefix) - 1
        last = bisect_right(offsets, max(len(old) - suffix - 1, prefix)) - 1
        last = min(last, len(offsets) - 1)
        segments = state.segments
        if first < 1 or any(s.frozen for s in segments[first : last + 1]):
            return None
        start = segments[first].offset
        old_end = segments[last].offset + segments[last].length
        end = old_end + len(text) - len(old)
        if end < start or not _line_start(text, start) or not _line_start(text, end):
            return None
        if switches_graph_mode(text) != state.switches:
            return None
        line = segments[first].line
        piece = text[start:end]
        try:
            tree = ast.parse("\n" * line + piece)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise _PieceSyntaxError from None
        lines = SliceLines(piece, line, start)
        new = list(_groups(tree.body))
        old_region = segments[first : last + 1]
        if len(new) != len(old_region) or any(
            b - a != len(s.groups) for (a, b), s in zip(new, old_region, strict=True)
        ):
            return None
        old_breaks = sum(s.breaks for s in old_region)
        replaced = self._reanalyse(
            state, text, tree.body, new=new, old_region=old_region, lines=lines, first=first
        )
        if replaced is None:
            return None
        _place(replaced, piece, lines, tree.body, base=(line, start))
        moved_lines = sum(s.breaks for s in replaced) - old_breaks
        moved_chars = len(text) - len(old)
        for segment in segments[last + 1 :]:
            segment.line += moved_lines
            segment.offset += moved_chars
        segments[first : last + 1] = replaced
        state.text = text
        state.origins.refresh()
        whole = state.module
        return self._assemble(state, ModulePart(whole, text, [], whole.lines, whole.bindings))

    def _reanalyse(
        self,
        state: _State,
        text: str,
        body: list[ast.stmt],
        *,
        new: list[tuple[int, int]],
        old_region: list[_Segment],
        lines: SliceLines,
        first: int,
    ) -> list[_Segment] | None:
        """The region's new segments (each analysed again unless its text is the same), or None
        when the rest of the file would read differently."""
        starts = [_start_line(body[a]) for a, _ in new]
        starts[0] = lines.first_line  # as _place has it: the first segment starts the slice
        codes = []
        for (_, b), line in zip(new, starts, strict=True):
            end_line = (body[b - 1].end_lineno or body[b - 1].lineno) - 1
            codes.append(text[lines.offset(line, 0) : lines.offset(end_line + 1, 0)])
        changed = [k for k, segment in enumerate(old_region) if codes[k] != segment.code]
        if any(may_drop_unreachable(codes[k]) for k in changed):
            return None  # the edit may have made a body unreachable: a whole-module question
        statements = [s for k in changed for s in body[new[k][0] : new[k][1]]]
        groups = [g for k in changed for g in old_region[k].groups]
        whole = state.module
        part = PartBindings(whole.bindings, statements, groups)
        signatures = [
            (binding_signature(binds), tuple(function_names(statement)))
            for binds, statement in zip(part.module_binds, statements, strict=True)
        ]
        expected = [s for k in changed for s in _signatures(state, old_region[k])]
        if (
            signatures != expected
            or any(part.statement_imports)
            or any(_frozen(s) for s in statements)
        ):
            return None
        analyzer: Analyzer = self.engine.analyzer
        view = ModulePart(whole, text, statements, lines, part)
        context = analyzer.context(view, library=state.library)
        previous = state.segments[first - 1].added
        context.planner.continue_from(previous, state.reusable)
        chain_starts = [*part.statement_chains, len(part.chains)]
        out: list[_Segment] = []
        index = 0
        for k, segment in enumerate(old_region):
            if k not in changed:
                out.append(segment)
                continue
            uses: list[tuple[Finding, ImportBinding | None]] = []
            count = len(segment.groups)
            for position in range(index, index + count):
                chains = part.chains[chain_starts[position] : chain_starts[position + 1]]
                uses += analyzer.use_findings(context, chains)
            added = context.planner.names_added()
            if added != segment.added:
                return None  # a later fix would render its names differently
            fresh = self._segment(
                view,
                uses,
                state.imports,
                nodes=None,
                groups=segment.groups,
                frozen=False,
                added=added,
            )
            fresh.signatures = signatures[index : index + count]
            index += count
            out.append(fresh)
        return out

    # -- results ---------------------------------------------------------------------------------
    def _assemble(self, state: _State, module: ParsedModule) -> list[Finding]:
        """All findings of the current text, as `Analyzer.analyze` gives them."""
        whole = state.module
        analyzer = self.engine.analyzer
        fixes: dict[int, list[FixSafety]] = {}
        for segment in state.segments:
            for index, safety in segment.fixes.items():
                fixes.setdefault(index, []).extend(safety)
        findings: list[Finding] = []
        origins = state.origins
        for segment in state.segments:
            found = segment.moved(origins)
            if segment.imports:
                on_imports = []
                for index in segment.imports:
                    finding = self._import_finding(state, analyzer, index, fixes.get(index, []))
                    if finding is not None and not is_ignored(whole, finding):
                        lines = segment.line - segment.at_line
                        on_imports.append(_move(finding, lines, 0, origins))
                if on_imports:
                    found = sorted([*found, *on_imports], key=lambda f: (f.span, f.code))
            findings.extend(found)
        return safe_in_graph_code(module, findings)

    @staticmethod
    def _import_finding(
        state: _State, analyzer: Analyzer, index: int, fixes: list[FixSafety]
    ) -> Finding | None:
        counts = (fixes.count("safe"), fixes.count("unsafe"), fixes.count("none"))
        key = (index, counts)
        if key not in state.import_findings:
            imported = state.module.bindings.imports[index][0]
            state.import_findings[key] = analyzer.import_finding(state.module, imported, fixes)
        return state.import_findings[key]


class _PieceSyntaxError(Exception):
    """The statements an edit touched do not parse (the whole text likely does not either)."""


def _signatures(state: _State, segment: _Segment) -> list[Signature]:
    """What a segment's statements bind at module level (walked again for the full analysis's)."""
    if segment.signatures is None:
        assert segment.nodes is not None
        part = PartBindings(state.module.bindings, segment.nodes, segment.groups)
        segment.signatures = [
            (binding_signature(binds), tuple(function_names(statement)))
            for binds, statement in zip(part.module_binds, segment.nodes, strict=True)
        ]
    return segment.signatures


def _start_line(statement: ast.stmt) -> int:
    """The 0-based first line of a statement, its decorators included."""
    decorators: list[ast.expr] = getattr(statement, "decorator_list", None) or []
    return min([statement.lineno, *(d.lineno for d in decorators)]) - 1


def _groups(body: list[ast.stmt]) -> list[tuple[int, int]]:
    """(first, end) indices of the statements that share lines."""
    groups: list[tuple[int, int]] = []
    last_line = -1
    for index, statement in enumerate(body):
        if groups and _start_line(statement) <= last_line:
            groups[-1] = (groups[-1][0], index + 1)
        else:
            groups.append((index, index + 1))
        last_line = max(last_line, (statement.end_lineno or statement.lineno) - 1)
    return groups


def _place(
    segments: list[_Segment],
    text: str,
    lines: LineIndex,
    body: list[ast.stmt],
    base: tuple[int, int] = (0, 0),
) -> None:
    """Set each segment's position, extent and code from the statements it holds (and where
    its findings are, for those just analysed).

    `text` is the whole text, or the slice the statements were parsed from, which starts at
    `base` (line, offset) of the whole text; the first segment starts there.
    """
    first_line, first_offset = base
    starts = []
    index = 0
    for segment in segments:
        starts.append(_start_line(body[index]))
        index += len(segment.groups)
    starts[0] = first_line
    last_line = lines.line_count - 1
    index = 0
    for k, segment in enumerate(segments):
        index += len(segment.groups)
        last = body[index - 1]
        line = starts[k]
        offset = lines.offset(line, 0)
        if k + 1 < len(starts):
            end, segment.breaks = lines.offset(starts[k + 1], 0), starts[k + 1] - line
        else:
            end, segment.breaks = first_offset + len(text), last_line - line
        code_end = lines.offset(last.end_lineno or last.lineno, 0)
        segment.code = text[offset - first_offset : code_end - first_offset]
        if segment.at_line < 0:
            segment.at_line, segment.at_offset = line, offset
        segment.line, segment.offset, segment.length = line, offset, end - offset


def _leading_block(body: list[ast.stmt]) -> int:
    """How many statements the leading block has (docstring, imports): fixes insert after it."""
    from tfmend.rewrite.plan import _import_like

    count = 0
    for index, statement in enumerate(body):
        docstring = (
            index == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        )
        if docstring or _import_like(statement):
            count = index + 1
            continue
        break
    return count


def _frozen(statement: ast.stmt) -> bool:
    """Whether editing a statement may change how the rest of the file reads: an import
    anywhere in it, `__all__`, the `__main__` block."""
    if has_main_guard(ast.Module(body=[statement], type_ignores=[])):
        return True
    if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
    return any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(statement))


def _common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and suffix (not overlapping in either text)."""
    limit = min(len(old), len(new))
    prefix = _common_length(old, new, limit, lambda t, a, b: t[a:b])
    suffix = _common_length(old, new, limit - prefix, lambda t, a, b: t[len(t) - b : len(t) - a])
    return prefix, suffix


def _common_length(old: str, new: str, limit: int, cut: Callable[[str, int, int], str]) -> int:
    """How many characters the texts share from one end (compared in blocks, then halved)."""
    size = 4096
    done = 0
    while done < limit:
        step = min(size, limit - done)
        if cut(old, done, done + step) == cut(new, done, done + step):
            done += step
            continue
        low, high = done, done + step  # the first difference is in [low, high)
        while high - low > 1:
            middle = (low + high) // 2
            if cut(old, low, middle) == cut(new, low, middle):
                low = middle
            else:
                high = middle
        return low if cut(old, low, low + 1) != cut(new, low, low + 1) else high
    return limit


def _line_start(text: str, offset: int) -> bool:
    """Whether an offset starts a line (without splitting a `\\r\\n`)."""
    if offset < 0 or offset > len(text):
        return False
    if offset == 0 or offset == len(text):
        return True
    if text[offset - 1] not in "\r\n":
        return False
    return not (text[offset - 1] == "\r" and text[offset] == "\n")


def _shift_span(span: Span, lines: int) -> Span:
    return Span(
        Position(span.start.line + lines, span.start.column),
        Position(span.end.line + lines, span.end.column),
    )


def _move(finding: Finding, lines: int, chars: int, origins: _Origins) -> Finding:
    """A finding `lines` lines and `chars` characters further in the text."""
    origin = origins.move(finding.origin)
    plan = finding.plan
    if chars and plan is not None and plan.edits:
        plan = _copy(
            plan, edits=tuple(Edit(e.start + chars, e.end + chars, e.text) for e in plan.edits)
        )
    if not lines and plan is finding.plan and origin is finding.origin:
        return finding
    span = _shift_span(finding.span, lines) if lines else finding.span
    return _copy(finding, span=span, plan=plan, origin=origin)


def _copy(value: _Frozen, **changes: object) -> _Frozen:
    """`dataclasses.replace` without running `__init__` again (this runs for every finding
    below an edit, on every keystroke)."""
    copied = object.__new__(type(value))
    copied.__dict__.update(value.__dict__, **changes)
    return copied


def _crash(exc: Exception) -> Finding:
    from tfmend.api import file_finding

    return file_finding(RULE_CRASHED.code, f"tfmend failed on this file: {exc!r}")
