"""Fixes: findings become text edits (libcst renders new calls), applied to a fixed point."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from tfmend.analyze import Analyzer
from tfmend.findings import Finding, Span
from tfmend.resolve.bindings import ImportBinding
from tfmend.resolve.module import ParsedModule
from tfmend.rewrite.edits import (
    Edit,
    Plan,
    apply_edits,
    combine,
    compose,
    select_non_overlapping,
)
from tfmend.text.source import dominant_newline

MAX_PASSES = 8


class FixError(Exception):
    """A fix produced code that does not parse; the file is left as it was."""


@dataclass
class FixResult:
    """The text after fixing, and the findings whose fixes were applied."""

    text: str
    applied: list[Finding] = field(default_factory=list)
    findings: list[Finding] | None = None
    """All findings of the final text, as a fresh analysis gives them, when the last round
    analysed it (a fixed point); None otherwise."""
    edits: list[Edit] = field(default_factory=list)
    """Edits of the original text that give `text`."""

    @property
    def changed(self) -> bool:
        """Whether any fix was applied."""
        return bool(self.applied)


class Fixer:
    """Applies fixes to a module's text until no selected finding is left (or nothing changes)."""

    def __init__(
        self, analyzer: Analyzer, *, exported: Callable[[Path, str], bool] | None = None
    ) -> None:
        self.analyzer = analyzer
        self.exported = exported
        """Whether another project module imports a name from a file (then the import stays)."""

    def fix(
        self,
        text: str,
        path: Path | None,
        select: Callable[[Finding], bool],
        *,
        unsafe: bool,
        single_pass: bool = False,
        analysed: tuple[ParsedModule, list[Finding]] | None = None,
    ) -> FixResult:
        """Fix the selected findings; imports left unused by the fixes are removed.

        Each round plans every edit from one analysis and applies them in one pass; another
        round runs only when the fixed text differs (a fix may uncover new findings).
        `analysed` is the first round's module and findings, when the caller has them.
        """
        result = FixResult(text)
        newline = dominant_newline(text)
        keras_file = False
        for _ in range(1 if single_pass else MAX_PASSES):
            module, findings, keras_file = self._analyse(result.text, path, keras_file, analysed)
            analysed = None
            own = any(i.tracked for i, _ in module.bindings.imports)
            # Analysed as Keras code though it no longer imports Keras, the text has the findings
            # a check finds when it has none (the flag only swaps some findings for others).
            result.findings = findings if own == keras_file or not findings else None
            rewrites = {
                f.span: f.plan.edits[0]
                for f in findings
                if f.on_import and f.plan is not None and f.plan.edits
            }
            chosen = self._choose(findings, select, unsafe, rewrites)
            if not chosen:
                break
            new_text, edits, applied = self.apply(module.text, path, chosen, newline)
            if not applied:
                break
            self.check_compiles(new_text, text, path)
            if new_text == result.text:
                break
            result.edits = compose(text, result.edits, edits) if result.edits else edits
            result.text = new_text
            result.findings = None
            result.applied.extend(applied)
        return result

    def apply(
        self, text: str, path: Path | None, chosen: list[Finding], newline: str
    ) -> tuple[str, list[Edit], list[Finding]]:
        """One pass over `text`: the planned fixes of the chosen findings (those that overlap
        one before them wait for a later pass), with the imports they leave unused removed.

        Returns the new text, its edits of `text`, and the findings applied.
        """
        planned = [f for f in chosen if f.plan is not None and f.plan.edits]
        new_text, edits, whole = self.apply_plans(
            text,
            path,
            [(f.plan, f.origin.text if f.origin and f.origin.path is None else None)
             for f in planned if f.plan is not None],
            newline,
        )  # fmt: skip
        return new_text, edits, [planned[i] for i in whole]

    def apply_plans(
        self,
        text: str,
        path: Path | None,
        plans: list[tuple[Plan, str | None]],
        newline: str,
    ) -> tuple[str, list[Edit], list[int]]:
        """`apply` for plans, each with the import statement its use came through (whose
        bindings go when nothing uses them any more); the indices of the plans applied."""
        edits, whole = combine(text, [plan for plan, _ in plans], newline)
        if not whole:
            return text, [], []
        new_text = apply_edits(text, edits)
        statements = {s for i in whole if (s := plans[i][1]) is not None}
        removals = self._unused_import_edits(new_text, path, statements)
        if removals:
            edits = compose(text, edits, removals)
            new_text = apply_edits(new_text, removals)
        return new_text, edits, whole

    @staticmethod
    def check_compiles(new_text: str, text: str, path: Path | None) -> None:
        """Raise FixError when fixes made code that does not compile (parse, for a `text`
        that does not compile itself).

        compile, not just parse: it also rejects repeated keywords and the like.
        """
        error = _compile_error(new_text, path)
        if error is not None and _compile_error(text, path) is not None:
            error = _parse_error(new_text)
        if error is not None:
            raise FixError(f"fixes produced invalid code ({error})")

    def _analyse(
        self,
        text: str,
        path: Path | None,
        keras_file: bool,
        analysed: tuple[ParsedModule, list[Finding]] | None,
    ) -> tuple[ParsedModule, list[Finding], bool]:
        """A round's module and findings (given for the first round: analysed as Keras code only
        when it imports Keras), and whether the file is Keras code."""
        if analysed is not None:
            module, findings = analysed
            return module, findings, any(i.tracked for i, _ in module.bindings.imports)
        module = ParsedModule(text, path)
        keras_file = keras_file or any(i.tracked for i, _ in module.bindings.imports)
        return module, self.analyzer.analyze(module, keras_file=keras_file), keras_file

    def _choose(
        self,
        findings: list[Finding],
        select: Callable[[Finding], bool],
        unsafe: bool,
        rewrites: dict[Span, Edit],
    ) -> list[Finding]:
        chosen = [f for f in findings if select(f) and f.fixable(unsafe)]
        import_spans = {f.span for f in chosen if f.on_import}
        import_rules = {f.span: f.code for f in chosen if f.on_import}
        # Fixing an import means fixing every use bound by it, which then leaves it unused, or
        # pointing it at the module that replaces a removed one, which leaves its uses valid.
        extra = [
            f
            for f in findings
            if f.origin is not None
            and f.origin.path is None
            and f.origin.span in import_spans
            and f.origin.span not in rewrites
            and f not in chosen
            and f.fixable(unsafe)
        ]
        return [
            f
            for f in chosen + extra
            if (f.span in rewrites if f.on_import else not _through(f, rewrites, import_rules))
        ]

    def _unused_import_edits(
        self, text: str, path: Path | None, statements: set[str]
    ) -> list[Edit]:
        """Edits that remove import bindings of these statements that rewritten uses came through
        and nothing uses any more."""
        if not statements:
            return []
        try:
            module = ParsedModule(text)
        except SyntaxError:
            return []
        bindings = module.bindings
        used: set[int] = set()
        for chain in bindings.chains:
            resolution = bindings.resolve(chain)
            if resolution is not None:
                used.update(id(i) for i in resolution.imports)
        exported = _dunder_all(module)
        removable: list[ImportBinding] = []
        for imported, scope in bindings.imports:
            if imported.alias.name == "*" or id(imported) in used:
                continue
            if module.segment(imported.statement) not in statements:
                continue
            if scope is bindings.module and (
                imported.name in exported
                or (path is not None and self.exported and self.exported(path, imported.name))
            ):
                continue
            removable.append(imported)
        if not removable:
            return []
        return select_non_overlapping(_removal_edits(module, removable))


def _through(finding: Finding, rewrites: dict[Span, Edit], import_rules: dict[Span, str]) -> bool:
    """Whether a use comes through an import that is being rewritten, and the rewrite covers it
    (a use with a rule of its own, like `K.symbolic` through `from keras import backend as K`
    pointed at tf_keras, is still fixed)."""
    origin = finding.origin
    return (
        origin is not None
        and origin.path is None
        and origin.span in rewrites
        and import_rules.get(origin.span) == finding.code
    )


def _compile_error(text: str, path: Path | None) -> str | None:
    try:
        compile(text, str(path or "<fixed>"), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{getattr(exc, 'msg', exc)}, line {getattr(exc, 'lineno', '?')}"
    return None


def _parse_error(text: str) -> str | None:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return f"{getattr(exc, 'msg', exc)}, line {getattr(exc, 'lineno', '?')}"
    return None


def _dunder_all(module: ParsedModule) -> set[str]:
    names: set[str] = set()
    for statement in module.tree.body:
        if (
            isinstance(statement, ast.Assign | ast.AugAssign)
            and any(
                isinstance(t, ast.Name) and t.id == "__all__"
                for t in (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
            )
            and isinstance(statement.value, ast.List | ast.Tuple)
        ):
            names.update(
                e.value
                for e in statement.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    return names


def _removal_edits(module: ParsedModule, removable: list[ImportBinding]) -> list[Edit]:
    by_statement: dict[int, list[ImportBinding]] = {}
    statements: dict[int, ast.Import | ast.ImportFrom] = {}
    for imported in removable:
        by_statement.setdefault(id(imported.statement), []).append(imported)
        statements[id(imported.statement)] = imported.statement
    whole: set[int] = set()
    edits: list[Edit] = []
    for key, statement in statements.items():
        gone = {id(i.alias) for i in by_statement[key]}
        if all(id(alias) in gone for alias in statement.names):
            whole.add(id(statement))
            continue
        start, end = module.offsets(statement)
        node = cst.parse_statement(module.text[start:end])
        assert isinstance(node, cst.SimpleStatementLine)
        small = node.body[0]
        assert isinstance(small, cst.Import | cst.ImportFrom)
        names = small.names
        assert not isinstance(names, cst.ImportStar)
        position = [i for i, alias in enumerate(statement.names) if id(alias) not in gone]
        kept = [names[i] for i in position]
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = small.with_changes(names=kept)
        text = cst.Module(body=[]).code_for_node(node.with_changes(body=[new, *node.body[1:]]))
        edits.append(Edit(start, end, text.rstrip("\r\n")))
    edits.extend(_statement_removals(module, whole))
    return edits


def _statement_removals(module: ParsedModule, whole: set[int]) -> list[Edit]:
    """Remove whole statements; a block left empty keeps `pass`; an import-only try goes whole."""
    edits: list[Edit] = []
    handled: set[int] = set()
    gone = set(whole)
    blocks_of = list(_statement_walk(module.tree))
    for node in blocks_of:
        if isinstance(node, ast.Try) and not node.orelse and not node.finalbody:
            inner = [s for b in (node.body, *(h.body for h in node.handlers)) for s in b]
            # Only a try that loses an import goes whole (a try of `pass` alone is the user's).
            if any(id(s) in whole for s in inner) and all(
                id(s) in whole or isinstance(s, ast.Pass) for s in inner
            ):
                gone.add(id(node))
                handled.update(id(s) for s in inner)
    for node in blocks_of:
        for block_name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(node, block_name, None)
            if not isinstance(block, list):
                continue
            statements = [s for s in block if isinstance(s, ast.stmt)]
            # A block whose statements all go (a removed try included) keeps `pass`.
            removed = [s for s in statements if id(s) in gone and id(s) not in handled]
            if not removed:
                continue
            keep_pass = len(removed) == len(statements) and not isinstance(node, ast.Module)
            for index, statement in enumerate(removed):
                if keep_pass and index == 0:
                    start, end = module.offsets(statement)
                    edits.append(Edit(start, end, "pass"))
                else:
                    edits.append(_line_removal(module, statement))
    return edits


_BLOCK_NODES = (ast.stmt, ast.excepthandler, ast.match_case)


def _statement_walk(tree: ast.Module) -> Iterator[ast.AST]:
    """`ast.walk`'s order restricted to the nodes that hold statements (expressions hold none):
    a few per statement instead of every node of the file."""
    todo: deque[ast.AST] = deque([tree])
    while todo:
        node = todo.popleft()
        todo.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, _BLOCK_NODES))
        yield node


def _line_removal(module: ParsedModule, statement: ast.stmt) -> Edit:
    start, end = module.offsets(statement)
    span = module.span(statement)
    lines = module.lines
    before = lines.line_text(span.start.line)[: span.start.column]
    after = lines.line_text(span.end.line)[span.end.column :].strip()
    if before.strip() or (after and not after.startswith("#")):
        # Another statement shares the line (`a; import b`): keep the line valid.
        return Edit(start, end, "pass")
    line_start = lines.offset(span.start.line, 0)
    last = span.end.line
    if span.start.line == 0:
        # The file's first statement: do not leave the file starting with blank lines.
        while last + 1 < lines.line_count - 1 and not lines.line_text(last + 1).strip():
            last += 1
    next_line = lines.offset(last + 1, 0) if last + 1 < lines.line_count else len(module.text)
    return Edit(line_start, next_line, "")
