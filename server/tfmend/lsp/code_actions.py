"""Code actions (textDocument/codeAction, codeAction/resolve): a quick fix per finding, fix all of
one code, fix all (source.fixAll.tfmend), ignore a code on a line, validate a fix."""

from __future__ import annotations

import ast
import io
import logging
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from tfmend.catalog.rules import Fix
from tfmend.findings import Finding, Position, Span
from tfmend.fixer import FixError
from tfmend.lsp.convert import Lines, line_edits, lines_of, text_edits
from tfmend.lsp.documents import Shown, TextDoc, Unit
from tfmend.lsp.jobs import INTERACTIVE
from tfmend.rewrite.edits import Edit, Plan
from tfmend.rewrite.graph_mode import imported_module, is_library
from tfmend.rewrite.plan import adds_graph_mode
from tfmend.text.notebook import NotebookError, split_cells

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer
    from tfmend.lsp.checker import Analysis

logger = logging.getLogger(__name__)

FIX_ALL = "source.fixAll.tfmend"
QUICK_FIX = types.CodeActionKind.QuickFix
IGNORE_COMMENT = re.compile(r"#\s*tfmend:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")

FIX, FIX_CODE, FIX_EVERYTHING, IGNORE = "fix", "fix-code", "fix-all", "ignore"


@dataclass(frozen=True)
class ActionData:
    """What a code action does, carried in `data` until the client resolves it."""

    uri: str
    action: str
    code: str = ""
    span: tuple[int, int, int, int] = (0, 0, 0, 0)
    """The finding's span in the document (code points)."""
    version: int | None = None
    """The document version `plan` is for."""
    plan: Plan | None = None
    """A quick fix's planned edits (offsets of that version's text)."""
    origin: str = ""
    """The import statement the fixed use came through (its bindings go when left unused)."""

    def to_json(self) -> dict[str, Any]:
        """The JSON form sent to the client."""
        out: dict[str, Any] = {
            "uri": self.uri,
            "action": self.action,
            "code": self.code,
            "span": list(self.span),
        }
        if self.plan is not None and self.version is not None:
            out.update(v=self.version, plan=self.plan.to_json(), origin=self.origin)
        return out

    @classmethod
    def from_json(cls, data: object) -> ActionData | None:
        """Parse what the client sent back (None when it is not ours)."""
        if not isinstance(data, dict):
            return None
        try:
            span = tuple(int(value) for value in data.get("span", (0, 0, 0, 0)))
            if len(span) != 4:
                return None
            version = data.get("v")
            plan = Plan.from_json(data.get("plan"))
            return cls(
                str(data["uri"]),
                str(data["action"]),
                str(data.get("code", "")),
                (span[0], span[1], span[2], span[3]),
                version=version if isinstance(version, int) and plan is not None else None,
                plan=plan,
                origin=str(data.get("origin") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def finding_span(self) -> Span:
        """The span as engine positions."""
        return Span(Position(self.span[0], self.span[1]), Position(self.span[2], self.span[3]))


def _span_tuple(span: Span) -> tuple[int, int, int, int]:
    return (span.start.line, span.start.column, span.end.line, span.end.column)


def _is_library(analysis: Analysis, path: Path | None) -> bool:
    """Whether the checked file is a module other code imports (no graph mode added there)."""
    if analysis.engine is None or not analysis.parsed:
        return False
    imported = analysis.engine.analyzer.imported
    if analysis.main_guard is not None:  # known from the check: no parse of a big file
        return path is not None and not analysis.main_guard and imported_module(path, imported)
    tree = _tree(analysis.module)
    return tree is not None and is_library(tree, path, imported)


@lru_cache(maxsize=1)
def _tree(text: str) -> ast.Module | None:
    """The tree of a checked text, parsed once for all the titles asked for while it is shown."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def fix_title(
    finding: Finding, module_text: str, library: Callable[[], bool] = lambda: False
) -> str:
    """The title of a finding's quick fix: the whole edit, including what it adds elsewhere
    (`library` is asked only for a fix that may add graph mode)."""
    rule = finding.rule
    name = finding.name or finding.api
    text = f"Fix `{name}`"
    if rule is not None:
        fix = rule.fix
        if fix.kind == "call" and fix.template is not None and not fix.template.passes_through():
            text = f"Rewrite `{name}(…)` as `{fix.template.shown(name)}`"
        elif fix.kind in ("replace", "compat-v1", "call"):
            target = fix.to_for(finding.api) or next(iter(rule.replacements()), None)
            text = f"Replace `{name}` with `{target}`" if target else f"Rewrite `{name}`"
            if fix.kind == "compat-v1" and adds_graph_mode(fix.kind, module_text, library()):
                text += " and run the file in graph mode (adds `disable_eager_execution()`)"
        elif fix.kind == "unwrap":
            text = f"Unwrap `{name}`"
        elif fix.kind == "remove":
            text = f"Remove the call of `{name}`"
        elif fix.kind == "keyword":
            text = _keyword_title(fix, name)
        elif fix.kind == "method":
            text = f"Add `{fix.adds}` to the subclass of `{name}`"
    title = f"{finding.code}: {text}"
    return f"{title} (unsafe)" if finding.fix == "unsafe" else title


@dataclass(frozen=True)
class Left:
    """What Fix all leaves in a file: unsafe fixes the settings hold back, findings without a
    fix."""

    unsafe: list[Shown]
    manual: list[Shown]

    def note(self) -> str:
        """What is left, said in the action's title (the client shows nothing else when it
        applies the edit); empty when nothing is."""
        parts = []
        if self.unsafe:
            fixes, them = ("fix", "it") if len(self.unsafe) == 1 else ("fixes", "them")
            parts.append(
                f"skips {len(self.unsafe)} unsafe {fixes}: validate {them}, or set unsafeFixes"
            )
        if self.manual:
            has = "finding has" if len(self.manual) == 1 else "findings have"
            parts.append(f"{len(self.manual)} {has} no automatic fix")
        return f" ({'; '.join(parts)})" if parts else ""

    def where(self) -> str:
        """The first few of them, by code and line, each saying why it is left."""
        labelled = [(item, "unsafe") for item in self.unsafe] + [
            (item, "fix by hand") for item in self.manual
        ]
        labelled.sort(key=lambda pair: pair[0].finding.span.start.line)
        shown = ", ".join(
            f"{item.finding.code} line {item.finding.span.start.line + 1} ({why})"
            for item, why in labelled[:5]
        )
        return shown + (f" and {len(labelled) - 5} more" if len(labelled) > 5 else "")


def _keyword_title(fix: Fix, name: str) -> str:
    """A keyword fix's title: it renames keywords, passes late positional arguments by keyword
    (which the old title left out), or both."""
    renames = f"Rename the keyword arguments of `{name}`"
    if not fix.positional:
        return renames
    nth = "first argument" if fix.keep == 1 else f"first {fix.keep} arguments"
    late = f"after the {nth}" if fix.keep else ""
    if fix.rename:
        return f"{renames} and pass those {late} by keyword".replace("  ", " ")
    return f"Pass the arguments of `{name}` {late} by keyword".replace("  ", " ")


def _fix_all_left(
    ls: TfmendServer,
    params: types.CodeActionParams,
    items: list[Shown],
    unsafe: bool,
    earned: set[tuple[str, int]],
) -> Left:
    """What Fix all leaves, said in a message when it was asked for by name (Neovim's and
    Emacs's fix-all apply the action without showing its title)."""
    left = Left(
        unsafe=[
            item
            for item in items
            if item.finding.fix == "unsafe"
            and not _fixable(item, unsafe)
            and (item.finding.code, item.finding.span.start.line) not in earned
        ],
        manual=[item for item in items if item.finding.fix == "none"],
    )
    only = [str(kind) for kind in params.context.only or ()]
    # Without a trigger kind (Neovim 0.7, Eglot before 1.12) a request naming the kind is the
    # user's: those clients ask for it only from a command.
    invoked = params.context.trigger_kind != types.CodeActionTriggerKind.Automatic
    if left.note() and invoked and only and all(_wanted([FIX_ALL], kind) for kind in only):
        ls.show_message(f"tfmend: Fix all{left.note()}: {left.where()}", types.MessageType.Info)
    return left


def _fix_all_action(
    ls: TfmendServer, params: types.CodeActionParams, in_unit: list[Shown], unsafe: bool, text: str
) -> list[types.CodeAction]:
    """The Fix all action of a file, when it has something to apply."""
    uri = params.text_document.uri
    earned = ls.validation.earned(uri, text)
    # Said (when asked for by name) even with nothing to apply: a file whose only fixes are
    # unsafe, or whose findings have none, would else get no answer at all.
    left = _fix_all_left(ls, params, in_unit, unsafe, earned)
    if not any(
        _fixable(item, unsafe) or (item.finding.code, item.finding.span.start.line) in earned
        for item in in_unit
    ):
        return []
    return [
        types.CodeAction(
            title="Fix all tfmend issues" + left.note(),
            kind=FIX_ALL,
            data=ActionData(uri, FIX_EVERYTHING).to_json(),
        )
    ]


def _wanted(only: list[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == want or kind.startswith(want + ".") for want in only)


def _fixable(item: Shown, unsafe: bool) -> bool:
    return item.finding.rule is not None and item.finding.fixable(unsafe)


def _unit_items(ls: TfmendServer, unit: Unit) -> list[Shown]:
    return [
        item
        for uri in unit.members
        if (doc := ls.store.docs.get(uri)) is not None
        for item in doc.shown
    ]


async def actions_for(ls: TfmendServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The code actions for a range of a document."""
    uri = params.text_document.uri
    unit = ls.store.unit_of(uri)
    if unit is None or uri not in ls.store.docs:
        logger.info("code actions for %s: not an open Python document", uri)
        return []
    analysis = await ls.checker.current(unit)
    doc = ls.store.docs.get(uri)
    if analysis is None or doc is None:
        return []
    lines = lines_of(doc.text)
    wanted = lines.range_from_client(ls.codec, params.range)
    only = [str(kind) for kind in params.context.only] if params.context.only else None
    unsafe = analysis.engine.settings.unsafe_fixes if analysis.engine is not None else False
    shown = ls.checker.shown(doc)
    hits = [
        item for item in shown if item.span.start <= wanted.end and wanted.start <= item.span.end
    ]
    actions: list[types.CodeAction] = []
    converted = _diagnostics(ls, doc, hits)

    def attach(item: Shown) -> list[types.Diagnostic]:
        return [converted[id(item)]] if id(item) in converted else []

    if _wanted(only, QUICK_FIX):
        validate = ls.validation.enabled_for(unit)
        for item in hits:
            if analysis.parsed and item.finding.rule is not None and item.finding.fix != "none":
                data = _fix_data(doc, item)
                actions.append(
                    types.CodeAction(
                        title=fix_title(
                            item.finding, analysis.module, lambda: _is_library(analysis, unit.path)
                        ),
                        kind=QUICK_FIX,
                        diagnostics=attach(item),
                        is_preferred=item.finding.fix == "safe",
                        data=data.to_json(),
                    )
                )
                if validate:
                    actions.append(
                        types.CodeAction(
                            title=f"Validate this fix ({item.finding.code})",
                            kind=QUICK_FIX,
                            diagnostics=attach(item),
                            command=types.Command(
                                title="Validate this fix",
                                command="tfmend.validateFix",
                                arguments=[
                                    {
                                        "uri": uri,
                                        "range": lines.range_to_client(ls.codec, item.span),
                                    }
                                ],
                            ),
                        )
                    )
        if analysis.parsed:
            everything = _unit_items(ls, unit)
            for code in dict.fromkeys(item.finding.code for item in hits if _fixable(item, unsafe)):
                if (
                    sum(
                        1
                        for item in everything
                        if item.finding.code == code and _fixable(item, unsafe)
                    )
                    >= 2
                ):
                    same = [item for item in hits if item.finding.code == code]
                    actions.append(
                        types.CodeAction(
                            title=f"Fix all {code} in this file",
                            kind=QUICK_FIX,
                            diagnostics=[d for item in same for d in attach(item)],
                            data=ActionData(uri, FIX_CODE, code).to_json(),
                        )
                    )
        seen: set[tuple[int, str]] = set()
        for item in hits:
            key = (item.span.start.line, item.finding.code)
            if key in seen or item.finding.rule is None:
                continue
            seen.add(key)
            actions.append(
                types.CodeAction(
                    title=f"Ignore {item.finding.code} on this line",
                    kind=QUICK_FIX,
                    diagnostics=attach(item),
                    data=ActionData(
                        uri, IGNORE, item.finding.code, _span_tuple(item.span)
                    ).to_json(),
                )
            )
    if _wanted(only, FIX_ALL) and analysis.parsed:
        actions.extend(_fix_all_action(ls, params, _unit_items(ls, unit), unsafe, doc.text))
    if not ls.lazy_code_actions():
        resolved = []
        for action in actions:
            if action.command is not None:
                resolved.append(action)
                continue
            parsed = ActionData.from_json(action.data)
            edit = await edit_for(ls, parsed) if parsed is not None else None
            if edit is not None:
                action.edit = edit
                resolved.append(action)
        actions = resolved
    return actions


def _fix_data(doc: TextDoc, item: Shown) -> ActionData:
    """A quick fix's data: the finding, and its planned edits when they are for the document's
    current text."""
    finding = item.finding
    data = ActionData(doc.uri, FIX, finding.code, _span_tuple(item.span))
    plan = finding.plan
    if item.version is None or item.version != doc.version or plan is None or not plan.edits:
        return data
    origin = finding.origin.text if finding.origin and finding.origin.path is None else ""
    return replace(data, version=item.version, plan=plan, origin=origin)


def _diagnostics(ls: TfmendServer, doc: TextDoc, items: list[Shown]) -> dict[int, types.Diagnostic]:
    from tfmend.lsp.checker import diagnostics_of

    return {
        id(item): diag for item, diag in zip(items, diagnostics_of(ls, doc, items), strict=True)
    }


async def edit_for(ls: TfmendServer, data: ActionData) -> types.WorkspaceEdit | None:
    """The edit of a code action, for the document's current version: a quick fix applies the
    edits planned with the check when they are for the current text, else those of a check of
    the current text."""
    unit = ls.store.unit_of(data.uri)
    if unit is None:
        logger.info("code action on %s: the document is no longer open", data.uri)
        return None
    if data.action == FIX:
        planned = await _planned_edit(ls, unit, data)
        if planned is not None:
            return planned
    analysis = await ls.checker.current(unit)
    doc = ls.store.docs.get(data.uri)
    if analysis is None or doc is None:
        return None
    if data.action == IGNORE:
        edit = ignore_edit(ls, doc, data.finding_span.start.line, data.code)
        return _workspace_edit(ls, {doc.uri: [edit]}) if edit is not None else None
    if not analysis.parsed or analysis.engine is None:
        return None
    select: Callable[[Finding], bool] | None
    unsafe: bool | None = None
    single_pass = False
    if data.action == FIX:
        target = next(
            (
                item
                for item in ls.checker.shown(doc)
                if item.finding.code == data.code and item.span == data.finding_span
            ),
            None,
        )
        if target is None:
            logger.info(
                "code action on %s: the finding moved; ask for code actions again", data.uri
            )
            return None
        found = target.finding
        select = lambda f: f.code == found.code and f.span == found.span  # noqa: E731
        unsafe = found.fix == "unsafe"
        single_pass = True
    elif data.action == FIX_CODE:
        code = data.code
        select = lambda f: f.code == code  # noqa: E731
    elif data.action == FIX_EVERYTHING:
        select = None
        earned = ls.validation.earned(data.uri, doc.text)
        if earned and not analysis.engine.settings.unsafe_fixes:
            # Unsafe fixes that passed validation in this text have earned their place.
            unsafe = True
            select = lambda f: f.fix == "safe" or (f.code, f.span.start.line) in earned  # noqa: E731
    else:
        return None
    fixed = await ls.analysis.submit(
        lambda: fix_module(analysis, unit.path, select, unsafe, single_pass), INTERACTIVE
    )
    if fixed is None or unit.generation != analysis.generation:
        return None
    new_texts, edits = fixed
    changes: dict[str, list[types.TextEdit]] = {}
    if edits is not None:
        uri, old = analysis.parts[0]
        if edits:
            changes[uri] = line_edits(ls.codec, old, edits)
    else:
        for uri, old in analysis.parts:
            new = new_texts.get(uri, old)
            if new != old:
                changes[uri] = text_edits(ls.codec, old, new)
    if not changes:
        return None
    return _workspace_edit(ls, changes, analysis.versions)


async def _planned_edit(
    ls: TfmendServer, unit: Unit, data: ActionData
) -> types.WorkspaceEdit | None:
    """A quick fix from the edits planned with the check, carried in the action's data, when
    they are for the document's current version (None: compute it from a check of the current
    text instead)."""
    doc = ls.store.docs.get(data.uri)
    analysis = ls.checker.results.get(unit.uri)
    plan = data.plan
    if (
        plan is None
        or doc is None
        or analysis is None
        or analysis.engine is None
        or analysis.generation != unit.generation
        or data.version is None
        or doc.version != data.version
        or analysis.versions.get(doc.uri) != data.version
    ):
        return None
    engine = analysis.engine
    # A notebook's plans are for the module of its cells; a file's for its text.
    text = analysis.module if unit.notebook else doc.text

    findings = [item.finding for items in analysis.shown.values() for item in items]

    def apply() -> list[Edit] | None:
        starts = ls.checker.statement_starts(unit, text)
        try:
            _, edits = engine.fixer.apply_planned(
                text, unit.path, plan, data.origin or None, findings=findings, starts=starts
            )
        except FixError as exc:
            logger.error("fixing %s failed: %s", unit.path or "the document", exc)
            return None
        return edits

    edits = await ls.analysis.submit(apply, INTERACTIVE)
    if not edits or unit.generation != analysis.generation:
        return None
    if not unit.notebook:
        return _workspace_edit(
            ls, {doc.uri: line_edits(ls.codec, text, edits)}, {doc.uri: data.version}
        )
    by_cell = cell_edits(analysis, edits)
    if by_cell is None:
        return None
    changes = {
        uri: line_edits(ls.codec, cell, by_cell[uri])
        for uri, cell in analysis.parts
        if uri in by_cell
    }
    return _workspace_edit(ls, changes, analysis.versions)


def cell_edits(analysis: Analysis, edits: list[Edit]) -> dict[str, list[Edit]] | None:
    """Edits of a notebook's module as edits of its cells, by cell uri; None when one spans
    cells or covers text the module does not have as the cell does (a masked magic)."""
    module = lines_of(analysis.module)
    ends = [*(start - 1 for start in analysis.starts[1:]), len(module.lines)]
    out: dict[str, list[Edit]] = {}
    for edit in edits:
        first, last = module.position(edit.start), module.position(edit.end)
        index = max(i for i, start in enumerate(analysis.starts) if start <= first.line)
        start = analysis.starts[index]
        uri, text = analysis.parts[index]
        cell = lines_of(text)
        if last.line >= ends[index] or last.line - start >= len(cell.lines):
            return None  # reaches the separator of the next cell
        offset = cell.starts[first.line - start] + first.column
        end = cell.starts[last.line - start] + last.column
        line = first.line - start
        if (
            module.lines[first.line][: first.column] != cell.lines[line][: first.column]
            or analysis.module[edit.start : edit.end] != text[offset:end]
        ):
            return None
        out.setdefault(uri, []).append(Edit(offset, end, edit.text))
    return out


def fix_module(
    analysis: Analysis,
    path: Path | None,
    select: Callable[[Finding], bool] | None,
    unsafe: bool | None,
    single_pass: bool,
) -> tuple[dict[str, str], list[Edit] | None] | None:
    """New texts per member document (on the analysis thread), and for a file the edits of its
    text; None when fixing failed. The check's findings, fixes planned, are the first round's."""
    engine = analysis.engine
    assert engine is not None
    try:
        fixed = engine.fix_text(
            analysis.module,
            path,
            unsafe=unsafe,
            select=select,
            single_pass=single_pass,
            analysed=analysis.analysed,
        )
    except FixError as exc:
        logger.error("fixing %s failed: %s", path or "the document", exc)
        return None
    except Exception:  # one file must not stop the server
        logger.exception("fixing %s failed", path or "the document")
        return None
    if not fixed.changed:
        return {}, []
    uris = [uri for uri, _ in analysis.parts]
    if len(uris) == 1 and len(analysis.starts) == 1:
        return {uris[0]: fixed.text}, fixed.edits
    try:
        return dict(zip(uris, split_cells(fixed.text, len(uris)), strict=True)), None
    except NotebookError as exc:
        logger.error("fixing %s failed: %s", path or "the notebook", exc)
        return None


def _workspace_edit(
    ls: TfmendServer,
    changes: dict[str, list[types.TextEdit]],
    versions: dict[str, int | None] | None = None,
) -> types.WorkspaceEdit:
    """Edits with the version of each document they are for (`versions`, else the current one),
    so that a client applies them to that version only, when it can say so."""
    if ls.client_supports("workspace.workspace_edit.document_changes"):

        def version(uri: str) -> int | None:
            if versions is not None and uri in versions:
                return versions[uri]
            return ls.store.docs[uri].version if uri in ls.store.docs else None

        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version(uri)
                    ),
                    edits=list(edits),
                )
                for uri, edits in changes.items()
            ]
        )
    return types.WorkspaceEdit(changes=changes)


def ignore_edit(ls: TfmendServer, doc: TextDoc, line: int, code: str) -> types.TextEdit | None:
    """Append `# tfmend: ignore[CODE]` to a line, or add the code to its ignore comment."""
    lines = lines_of(doc.text)
    if line >= len(lines):
        return None
    text = lines.visible(line)
    match = IGNORE_COMMENT.search(text)
    if match is not None:
        if match.group(1) is None:
            return None  # ignores every code already
        codes = [c.strip() for c in match.group(1).split(",") if c.strip()]
        if code in codes:
            return None
        start, end = match.start(1), match.end(1)
        new = ", ".join([*codes, code])
    else:
        if not _comment_fits(doc.text, lines, line):
            return None
        start = len(text.rstrip())
        end = len(text)
        new = f"  # tfmend: ignore[{code}]"
    span = Span(Position(line, start), Position(line, end))
    return types.TextEdit(range=lines.range_to_client(ls.codec, span), new_text=new)


def _comment_fits(text: str, lines: Lines, line: int) -> bool:
    """Whether a comment can end this line (not inside a string, not after a backslash)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            row = token.start[0] - 1
            if row > line:
                return False
            if token.type in (tokenize.NEWLINE, tokenize.NL) and row == line:
                return True
            if token.type == tokenize.ENDMARKER:
                return True
    except (tokenize.TokenError, SyntaxError):
        pass
    return not lines.visible(line).rstrip().endswith("\\")


def register(server: TfmendServer) -> None:
    """Register the code action handlers."""

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[QUICK_FIX, FIX_ALL], resolve_provider=True),
    )
    async def code_action(
        ls: TfmendServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        return await actions_for(ls, params) or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls: TfmendServer, action: types.CodeAction) -> types.CodeAction:
        data = ActionData.from_json(action.data)
        if data is None:
            logger.info("codeAction/resolve: not a tfmend action (%r)", action.title)
            return action
        edit = await edit_for(ls, data)
        if edit is None:
            logger.info("codeAction/resolve: nothing to change for %r", action.title)
        action.edit = edit
        return action
