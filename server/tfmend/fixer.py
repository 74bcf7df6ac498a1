"""Fixes: findings become text edits (libcst renders new calls), applied to a fixed point."""

from __future__ import annotations

import ast
import io
import tokenize
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import libcst as cst

from tfmend.analyze import Analyzer, as_default_item, method_receiver, module_exports
from tfmend.catalog.rules import Fix
from tfmend.catalog.template import RenderError
from tfmend.findings import Finding, Span
from tfmend.resolve.bindings import Chain, ImportBinding, Scope
from tfmend.resolve.module import ParsedModule
from tfmend.resolve.qualnames import instance_attribute
from tfmend.rewrite.edits import Edit, apply_edits, select_non_overlapping
from tfmend.rewrite.graph_mode import GRAPH_MODE_CALL, Importers, is_library
from tfmend.rewrite.layout import laid_out_like
from tfmend.rewrite.names import NameRenderer
from tfmend.text.source import dominant_newline

MAX_PASSES = 8
_ATOMIC = (
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.Subscript,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.JoinedStr,
)


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

    @property
    def changed(self) -> bool:
        """Whether any fix was applied."""
        return bool(self.applied)


class _Locator:
    """Finds the ast node of a finding and its parents in one module."""

    def __init__(self, module: ParsedModule) -> None:
        self.module = module

    @cached_property
    def parents(self) -> dict[int, ast.AST]:
        parents: dict[int, ast.AST] = {}
        for node in ast.walk(self.module.tree):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        return parents

    @cached_property
    def by_span(self) -> dict[Span, tuple[ast.Name | ast.Attribute, Chain]]:
        out: dict[Span, tuple[ast.Name | ast.Attribute, Chain]] = {}
        for chain in self.module.bindings.chains:
            for node in chain.nodes:
                out.setdefault(self.module.span(node), (node, chain))
        return out

    def offsets(self, node: ast.AST) -> tuple[int, int]:
        span = self.module.span(node)
        lines = self.module.lines
        return (
            lines.offset(span.start.line, span.start.column),
            lines.offset(span.end.line, span.end.column),
        )

    def span_offsets(self, span: Span) -> tuple[int, int]:
        lines = self.module.lines
        return (
            lines.offset(span.start.line, span.start.column),
            lines.offset(span.end.line, span.end.column),
        )


@dataclass
class _Pass:
    """Edits of one pass over one version of the text."""

    module: ParsedModule
    names: NameRenderer
    edits: list[Edit] = field(default_factory=list)
    graph_mode: bool = False
    library: bool = False
    """Imported by other code: a compat-v1 fix does not put it in graph mode."""


def _plan(state: _Pass, locator: _Locator, finding: Finding) -> list[Edit]:
    """The edits for one use finding (empty when this use cannot be rewritten)."""
    rule = finding.rule
    assert rule is not None
    fix = rule.fix
    module = state.module
    located = locator.by_span.get(finding.span)
    if located is None:
        if fix.kind != "keyword":
            return []
        located = _keyword_callee(locator, finding)
        if located is None:
            return []
    node, chain = located
    call = module.bindings.calls.get(id(node))
    start, end = locator.offsets(node)

    def render(qualname: str) -> str:
        return state.names.render(qualname, chain.scope)

    if fix.kind in ("replace", "compat-v1"):
        to = fix.to_for(finding.api)
        if to is None:
            return []
        renamed = instance_attribute(to)
        if renamed is not None and isinstance(node, ast.Attribute):
            # An instance attribute: only its name changes (`opt.lr` → `opt.learning_rate`).
            return [Edit(end - len(node.attr), end, renamed[1])]
        edits = [Edit(start, end, render(to))]
        if fix.values and call is not None:
            edits += _value_edits(locator, call, fix.values)
        state.graph_mode = state.graph_mode or fix.kind == "compat-v1"
        return edits
    if fix.kind == "call":
        return _call_edits(locator, node, call, fix, render)
    if fix.kind == "unwrap":
        if id(node) in module.bindings.decorators:
            return [_remove_decorator(module, node)]
        if call is None or len(call.args) != 1:
            return []
        argument = call.args[0]
        text = module.segment(argument)
        if not isinstance(argument, _ATOMIC):
            text = f"({text})"
        call_start, call_end = locator.offsets(call)
        return [Edit(call_start, call_end, text)]
    if fix.kind == "keyword":
        if call is None:
            return []
        edits = []
        for keyword in call.keywords:
            new_name = fix.rename.get(keyword.arg) if keyword.arg is not None else None
            if keyword.arg is not None and new_name is not None:
                kw_start, _ = locator.offsets(keyword)
                edits.append(Edit(kw_start, kw_start + len(keyword.arg), new_name))
        if fix.positional and len(call.args) > fix.keep:
            if len(call.args) > len(fix.positional):
                return []
            for index, argument in enumerate(call.args[fix.keep :], start=fix.keep):
                arg_start, _ = locator.offsets(argument)
                edits.append(Edit(arg_start, arg_start, f"{fix.positional[index]}="))
        return edits
    return []


def _call_edits(
    locator: _Locator,
    node: ast.Name | ast.Attribute,
    call: ast.Call | None,
    fix: Fix,
    render: Callable[[str], str],
) -> list[Edit]:
    """A call fix: the whole call rendered from the template (a method's receiver is `self`)."""
    module = locator.module
    if (context := _context_edits(locator, call, fix, render)) or call is None:
        start, end = locator.offsets(node)
        return context or ([Edit(start, end, render(fix.to))] if fix.to else [])
    assert fix.template is not None
    receiver = method_receiver(fix, node)
    try:
        bound = fix.template.bind(
            [module.segment(a) for a in ([receiver] if receiver else []) + call.args],
            {k.arg: module.segment(k.value) for k in call.keywords if k.arg is not None},
            module.segment(call.func),
        )
        text = laid_out_like(module, call, fix.template.render(bound, render))
    except (RenderError, cst.ParserSyntaxError):
        return []
    call_start, call_end = locator.offsets(call)
    return [Edit(call_start, call_end, text)]


def _context_edits(
    locator: _Locator, call: ast.Call | None, fix: Fix, render: Callable[[str], str]
) -> list[Edit]:
    """`with K.get_graph().as_default():` → `with contextlib.nullcontext():` (the fix's
    `as_context`), when the call is used that way."""
    used = as_default_item(locator.module.tree, call) if call and fix.as_context else None
    if used is None or fix.as_context is None:
        return []
    start, end = locator.offsets(used)
    return [Edit(start, end, fix.as_context.render({}, render))]


def _keyword_callee(
    locator: _Locator, finding: Finding
) -> tuple[ast.Name | ast.Attribute, Chain] | None:
    """For a keyword finding (reported on the keyword), the callee of its call."""
    for call in locator.module.bindings.calls.values():
        for keyword in call.keywords:
            if locator.module.span(keyword) == finding.span:
                return locator.by_span.get(locator.module.span(call.func))
    return None


def _value_edits(locator: _Locator, call: ast.Call, values: dict[str, str] | object) -> list[Edit]:
    assert isinstance(values, dict)
    literals: list[ast.expr] = [*call.args, *(k.value for k in call.keywords)]
    parent = locator.parents.get(id(call))
    if isinstance(parent, ast.Compare) and all(
        isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in parent.ops
    ):
        for operand in (parent.left, *parent.comparators):
            if operand is not call:
                literals.extend(
                    operand.elts
                    if isinstance(operand, ast.Tuple | ast.List | ast.Set)
                    else [operand]
                )
    edits = []
    for literal in literals:
        if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
            new = values.get(literal.value)
            if new is not None:
                start, end = locator.offsets(literal)
                old_text = locator.module.text[start:end]
                quote = old_text[-1]
                prefix = old_text[: len(old_text) - len(old_text.lstrip("rRbBuUfF"))]
                edits.append(Edit(start, end, f"{prefix}{quote}{new}{quote}"))
    return edits


def _remove_decorator(module: ParsedModule, node: ast.AST) -> Edit:
    span = module.span(node)
    lines = module.lines
    line_start = lines.offset(span.start.line, 0)
    next_line = lines.offset(span.end.line + 1, 0)
    return Edit(line_start, next_line, "")


def _import_block_end(module: ParsedModule) -> int:
    """Offset where new imports go: after the file's leading imports (and docstring)."""
    body = module.tree.body
    last: ast.stmt | None = None
    for index, statement in enumerate(body):
        if (
            index == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            last = statement
            continue
        if _import_like(statement):
            last = statement
            continue
        break
    if last is None:
        return 0
    end_line = (last.end_lineno or last.lineno) - 1
    return (
        module.lines.offset(end_line + 1, 0)
        if end_line + 1 < module.lines.line_count
        else len(module.text)
    )


def _import_like(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return True
    if isinstance(statement, ast.Try | ast.If):
        inner = [s for s in ast.walk(statement) if isinstance(s, ast.stmt) and s is not statement]
        return (
            bool(inner)
            and all(
                isinstance(
                    s, ast.Import | ast.ImportFrom | ast.Pass | ast.Assign | ast.Try | ast.If
                )
                for s in inner
            )
            and any(isinstance(s, ast.Import | ast.ImportFrom) for s in inner)
        )
    return False


def adds_graph_mode(fix_kind: str, text: str, library: bool = False) -> bool:
    """Whether a fix of this kind also inserts `disable_eager_execution()` into this module (never
    into a library module: it would switch every program importing it to graph mode)."""
    return fix_kind == "compat-v1" and not library and not GRAPH_MODE_CALL.search(text)


def _insertion(state: _Pass, newline: str) -> Edit | None:
    module = state.module
    statements: list[str] = []
    if state.graph_mode and adds_graph_mode("compat-v1", module.text, state.library):
        # Rendered first: it may itself need `import tensorflow as tf`.
        statements.append(f"{state.names.render('tensorflow.compat.v1.disable_eager_execution')}()")
    lines = state.names.import_lines() + statements
    if not lines:
        return None
    offset = _import_block_end(module)
    text = "".join(line + newline for line in lines)
    if offset == len(module.text) and module.text and not module.text.endswith(("\n", "\r")):
        text = newline + text
    return Edit(offset, offset, text)


class Fixer:
    """Applies fixes to a module's text until no selected finding is left (or nothing changes)."""

    def __init__(
        self,
        analyzer: Analyzer,
        *,
        exported: Callable[[Path, str], bool] | None = None,
        imported: Importers | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.exported = exported
        """Whether another project module imports a name from a file (then the import stays)."""
        self.imported = imported
        """Whether another project module imports a file (then it is a library module)."""

    def is_library(self, module: ParsedModule) -> bool:
        """Whether the module is imported by other code rather than run (graph_mode.is_library)."""
        return is_library(module.tree, module.path, self.imported)

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
        compiles: bool | None = None  # whether the original compiles: asked only when needed
        keras_file = False
        for _ in range(1 if single_pass else MAX_PASSES):
            module, findings, keras_file = self._analyse(result.text, path, keras_file, analysed)
            analysed = None
            own = any(i.tracked for i, _ in module.bindings.imports)
            # Analysed as Keras code though it no longer imports Keras, the text has the findings
            # a check finds when it has none (the flag only swaps some findings for others).
            result.findings = findings if own == keras_file or not findings else None
            locator = _Locator(module)
            rewrites = self._import_rewrites(module, path, locator, findings)
            chosen = self._choose(findings, select, unsafe, rewrites)
            if not chosen:
                break
            state = _Pass(module, NameRenderer(module.bindings, self.analyzer.versions))
            state.library = self.is_library(module)
            planned: list[tuple[Finding, list[Edit]]] = []
            for finding in chosen:
                if finding.on_import:
                    edits = rewrites[finding.span]
                else:
                    edits = _plan(state, locator, finding)
                if edits:
                    planned.append((finding, edits))
            if not planned:
                break
            all_edits = [e for _, edits in planned for e in edits]
            kept = set(select_non_overlapping(all_edits))
            # By position in `planned`: findings compare field by field, so `in` would be O(n).
            whole = [(f, es) for f, es in planned if all(e in kept for e in es)]
            applied = [f for f, _ in whole]
            edits = [e for _, es in whole for e in es]
            insertion = _insertion(state, newline)
            if insertion is not None:
                edits.append(insertion)
            new_text = apply_edits(module.text, select_non_overlapping(edits))
            new_text = self._remove_unused_imports(new_text, path, applied)
            # compile, not just parse: it also rejects repeated keywords and the like.
            error = _compile_error(new_text, path)
            if error is not None:
                if compiles is None:
                    compiles = _compile_error(text, path) is None
                error = error if compiles else _parse_error(new_text)
            if error is not None:
                raise FixError(f"fixes produced invalid code ({error})")
            if new_text == result.text:
                break
            result.text = new_text
            result.findings = None
            result.applied.extend(applied)
        return result

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

    def _import_rewrites(
        self, module: ParsedModule, path: Path | None, locator: _Locator, findings: list[Finding]
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
            start, end = locator.offsets(imported.statement)
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

    def _remove_unused_imports(self, text: str, path: Path | None, applied: list[Finding]) -> str:
        """Remove import bindings that rewritten uses came through and nothing uses any more."""
        statements = {
            f.origin.text for f in applied if f.origin is not None and f.origin.path is None
        }
        if not statements:
            return text
        try:
            module = ParsedModule(text)
        except SyntaxError:
            return text
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
            return text
        return apply_edits(text, select_non_overlapping(_removal_edits(module, removable)))


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
    by_statement: dict[int, list[ImportBinding]] = {}
    statements: dict[int, ast.Import | ast.ImportFrom] = {}
    for imported in removable:
        by_statement.setdefault(id(imported.statement), []).append(imported)
        statements[id(imported.statement)] = imported.statement
    locator = _Locator(module)
    whole: set[int] = set()
    edits: list[Edit] = []
    for key, statement in statements.items():
        gone = {id(i.alias) for i in by_statement[key]}
        if all(id(alias) in gone for alias in statement.names):
            whole.add(id(statement))
            continue
        start, end = locator.offsets(statement)
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
    edits.extend(_statement_removals(module, locator, whole))
    return edits


def _statement_removals(module: ParsedModule, locator: _Locator, whole: set[int]) -> list[Edit]:
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
                    start, end = locator.offsets(statement)
                    edits.append(Edit(start, end, "pass"))
                else:
                    edits.append(_line_removal(module, locator, statement))
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


def _line_removal(module: ParsedModule, locator: _Locator, statement: ast.stmt) -> Edit:
    start, end = locator.offsets(statement)
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
