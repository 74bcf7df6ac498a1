"""Fixes: findings become text edits (libcst renders new calls), applied to a fixed point."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tfmend.analyze import Analyzer, module_exports
from tfmend.findings import Finding, Span
from tfmend.quickfix import still_used, touched_compile
from tfmend.resolve.bindings import ImportBinding, Scope
from tfmend.resolve.module import ParsedModule
from tfmend.rewrite.edits import (
    Edit,
    Plan,
    apply_edits,
    combine,
    compose,
    select_non_overlapping,
)
from tfmend.rewrite.statements import line_removal, statement_walk
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
            own = any(i.framework for i, _ in module.bindings.imports)
            # Analysed as Keras code though it no longer imports Keras, the text has the findings
            # a check finds when it has none (the flag only swaps some findings for others).
            result.findings = findings if own == keras_file or not findings else None
            rewrites = self._import_rewrites(module, path, findings)
            chosen = self._choose(findings, select, unsafe, rewrites)
            if not chosen:
                break
            new_text, edits, applied = self.apply(module.text, path, chosen, newline, rewrites)
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
        self,
        text: str,
        path: Path | None,
        chosen: list[Finding],
        newline: str,
        rewrites: dict[Span, list[Edit]],
    ) -> tuple[str, list[Edit], list[Finding]]:
        """One pass over `text`: the planned fixes of the chosen findings, and for findings on
        imports their `rewrites` (those that overlap one before them wait for a later pass), with
        the imports they leave unused removed.

        Returns the new text, its edits of `text`, and the findings applied.
        """
        chosen = [
            replace(f, plan=Plan(tuple(rewrites.get(f.span, ())))) if f.on_import else f
            for f in chosen
        ]
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

    def apply_planned(
        self,
        text: str,
        path: Path | None,
        plan: Plan,
        origin: str | None,
        *,
        findings: Sequence[Finding],
        starts: Sequence[int] | None,
    ) -> tuple[str, list[Edit]]:
        """One finding's planned fix (a quick fix), checked: `apply_plans` then `check_compiles`,
        reading the check's `findings` where they give the same answer as analysing the fixed
        text would. The import the use came through (`origin`) needs no new analysis when other
        findings still use each of its names; with `starts` (the offsets where the text's
        top-level statement groups begin) only the groups the edits touch are compiled."""
        newline = dominant_newline(text)
        edits, whole = combine(text, [plan], newline)
        if not whole:
            return text, []
        if origin is not None and not still_used(text, origin, edits, findings):
            new_text, edits, _ = self.apply_plans(text, path, [(plan, origin)], newline)
            self.check_compiles(new_text, text, path)
            return new_text, edits
        new_text = apply_edits(text, edits)
        if starts is None or not touched_compile(text, new_text, edits, starts):
            self.check_compiles(new_text, text, path)
        return new_text, edits

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
            return module, findings, any(i.framework for i, _ in module.bindings.imports)
        module = ParsedModule(text, path)
        keras_file = keras_file or any(i.framework for i, _ in module.bindings.imports)
        return module, self.analyzer.analyze(module, keras_file=keras_file), keras_file

    def _import_rewrites(
        self, module: ParsedModule, path: Path | None, findings: list[Finding]
    ) -> dict[Span, list[Edit]]:
        """Edits that point imports of removed modules at their replacement, or take out names
        of them that nothing uses (importing them fails), by finding span."""
        spans = {f.span for f in findings if f.on_import}
        rewrites: dict[Span, list[Edit]] = {}
        unused: dict[int, list[ImportBinding]] = {}
        used: set[int] | None = None
        for imported, scope in module.bindings.imports:
            span = module.span(imported.alias)
            if span not in spans:
                continue
            rewrite = self.analyzer.import_rewrite(module, imported)
            if rewrite is None:
                used = _used_imports(module) if used is None else used
                if id(imported) not in used and not self._exported(module, path, imported, scope):
                    unused.setdefault(id(imported.statement), []).append(imported)
                continue
            start, end = module.offsets(imported.statement)
            if rewrite.bound:
                rewrites[span] = [Edit(start, end, f"import {rewrite.new} as {rewrite.bound}")]
                continue
            if rewrite.split:
                split = _split_import(module, imported, rewrite.split)
                rewrites[span] = [Edit(start, end, split)]
                continue
            old, new = rewrite.old, rewrite.new
            root, new_root = old.split(".")[0], new.split(".")[0]
            unaliased = isinstance(imported.statement, ast.Import) and not imported.alias.asname
            if unaliased and root != new_root:
                # `import keras.layers` binds `keras`: keep that name for the new package.
                new = f"{new_root} as {root}"
            statement = module.text[start:end]
            # The module name is the first dotted name after `from`/`import` in the statement.
            at = statement.find(old)
            if at >= 0:
                rewrites[span] = [Edit(start + at, start + at + len(old), new)]
        for group in unused.values():
            # One edit per statement for all its unused names: one per name would overlap.
            removal = _removal_edits(module, group)
            for imported in group:
                rewrites[module.span(imported.alias)] = removal
        return rewrites

    def _exported(
        self, module: ParsedModule, path: Path | None, imported: ImportBinding, scope: Scope
    ) -> bool:
        """Whether a module-level import is the module's export (`__all__`, or imported from it
        by another file of the project)."""
        return scope is module.bindings.module and (
            imported.name in module_exports(module)
            or (
                path is not None
                and self.exported is not None
                and self.exported(path, imported.name)
            )
        )

    def _choose(
        self,
        findings: list[Finding],
        select: Callable[[Finding], bool],
        unsafe: bool,
        rewrites: dict[Span, list[Edit]],
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
        used = _used_imports(module)
        removable: list[ImportBinding] = []
        for imported, scope in module.bindings.imports:
            if imported.alias.name == "*" or id(imported) in used:
                continue
            if module.segment(imported.statement) not in statements:
                continue
            if self._exported(module, path, imported, scope):
                continue
            removable.append(imported)
        if not removable:
            return []
        return select_non_overlapping(_removal_edits(module, removable))


def _through(
    finding: Finding, rewrites: dict[Span, list[Edit]], import_rules: dict[Span, str]
) -> bool:
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


def _used_imports(module: ParsedModule) -> set[int]:
    """The ids of the import bindings that some name or attribute chain of the module uses."""
    bindings = module.bindings
    used: set[int] = set()
    for chain in bindings.chains:
        resolution = bindings.resolve(chain)
        if resolution is not None:
            used.update(id(i) for i in resolution.imports)
    return used


def _split_import(module: ParsedModule, imported: ImportBinding, targets: tuple[str, ...]) -> str:
    """`from M import a, b as c` as one statement per new module of its names, in their order;
    comments inside the statement end its first line."""
    statement = imported.statement
    assert isinstance(statement, ast.ImportFrom)
    grouped: dict[str, list[str]] = {}
    for alias, target in zip(statement.names, targets, strict=True):
        name = f"{alias.name} as {alias.asname}" if alias.asname else alias.name
        grouped.setdefault(target, []).append(name)
    start = module.span(statement).start
    indent = module.lines.line_text(start.line)[: start.column]
    newline = dominant_newline(module.text)
    lines = [f"from {target} import {', '.join(names)}" for target, names in grouped.items()]
    comments = _comments(module.segment(statement))
    if comments:
        lines[0] += "  " + " ".join(comments)
    return f"{newline}{indent}".join(lines)


def _comments(code: str) -> list[str]:
    """The comments in a piece of code that tokenizes (a whole statement)."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return [token.string for token in tokens if token.type == tokenize.COMMENT]


def _removal_edits(module: ParsedModule, removable: list[ImportBinding]) -> list[Edit]:
    import libcst as cst  # on the first fix, not at start: diagnostics never need it

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
    blocks_of = list(statement_walk(module.tree))
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
                    edits.append(line_removal(module, statement))
    return edits
