"""The planner: whether a rule's fix can rewrite a use, how safely, and its edits, decided once."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from tfmend.catalog.dtypes import expression_kind
from tfmend.catalog.rules import Fix, Rule
from tfmend.catalog.template import RenderError
from tfmend.resolve.bindings import Scope
from tfmend.resolve.module import ParsedModule
from tfmend.resolve.qualnames import instance_attribute
from tfmend.rewrite.edits import Edit, Plan
from tfmend.rewrite.graph_mode import switches_graph_mode
from tfmend.rewrite.layout import laid_out_like
from tfmend.rewrite.names import NameRenderer
from tfmend.rewrite.statements import statement_removal, statement_walk
from tfmend.versions import Versions

Safety = Literal["safe", "unsafe", "none"]
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


def adds_graph_mode(fix_kind: str, text: str, library: bool = False) -> bool:
    """Whether a fix of this kind also inserts `disable_eager_execution()` into this module (never
    into a library module: it would switch every program importing it to graph mode)."""
    return fix_kind == "compat-v1" and not library and not switches_graph_mode(text)


@dataclass(frozen=True)
class Planned:
    """A use's fix: how safely it applies, why not when it cannot, and its edits."""

    safety: Safety
    note: str = ""
    plan: Plan | None = None


@dataclass
class Planner:
    """Plans the fixes of the uses of one module (names rendered once for the whole module)."""

    module: ParsedModule
    versions: Versions
    library: bool | Callable[[], bool] = False
    """Imported by other code (graph_mode.is_library): a compat-v1 fix adds no graph mode. A
    callable is asked on the first compat-v1 fix only: for a file outside packages it reads the
    imports of every other project file (most files plan no such fix)."""
    _edits: list[Edit] = field(default_factory=list)
    _graph_mode: bool = False

    @cached_property
    def names(self) -> NameRenderer:
        """How qualified names are written in this module (imports it lacks are recorded)."""
        return NameRenderer(self.module.bindings, self.versions)

    @cached_property
    def eager(self) -> bool:
        """Whether the module does not switch to graph mode itself (searched once)."""
        if switches_graph_mode(self.module.text):
            return False  # adds_graph_mode's answer, without asking whether it is a library
        library = self.library() if callable(self.library) else self.library
        return adds_graph_mode("compat-v1", self.module.text, library)

    @cached_property
    def insert_at(self) -> int:
        """Where added imports go: after the file's leading imports (and docstring)."""
        return import_block_end(self.module)

    def names_added(self) -> tuple[tuple[str, str], ...]:
        """The imports fixes planned so far add (package, alias): later fixes reuse them."""
        renderer = self.__dict__.get("names")
        return tuple(renderer.added.items()) if renderer is not None else ()

    def continue_from(
        self, added: tuple[tuple[str, str], ...], reusable: list[tuple[str, str]] | None
    ) -> None:
        """Plan on as if fixes adding these imports had been planned before (names_added), with
        the imports a rendering may reuse found before (`NameRenderer.reusable`) when given."""
        if reusable is not None:
            self.__dict__["names"] = NameRenderer(
                self.module.bindings, self.versions, reusable=reusable
            )
        if added:
            self.names.added.update(added)

    def use(self, rule: Rule, node: ast.Name | ast.Attribute, scope: Scope, api: str) -> Planned:
        """The fix of `rule` on one use of its API."""
        fix = rule.fix
        if rule.fix_safety == "none":
            return Planned("none")
        self.names.needed.clear()
        self._edits = []
        self._graph_mode = False
        call = self.module.bindings.calls.get(id(node))
        if fix.kind == "call":
            safety, note = self._call(rule, node, call, scope)
        elif fix.kind in ("replace", "compat-v1"):
            safety, note = self._replace(rule, node, call, scope, api)
        elif fix.kind == "unwrap":
            safety, note = self._unwrap(rule, node, call)
        elif fix.kind == "remove":
            safety, note = self._remove(rule, call)
        elif fix.kind == "keyword":
            safety, note = self._keyword(rule, call)
        elif fix.kind == "method":
            safety, note = self._method(rule, node, scope)
        else:
            safety, note = rule.fix_safety, ""
        if safety == "none":
            return Planned(safety, note)
        statements: tuple[str, ...] = ()
        if self._graph_mode and self.eager:
            disable = self.names.render("tensorflow.compat.v1.disable_eager_execution")
            statements = (f"{disable}()",)
        imports = tuple(self.names.import_line(package) for package in sorted(self.names.needed))
        plan = Plan(tuple(self._edits), imports, statements, self.insert_at)
        return Planned(safety, note, plan)

    # -- per kind --------------------------------------------------------------------------------
    def _call(
        self, rule: Rule, node: ast.Name | ast.Attribute, call: ast.Call | None, scope: Scope
    ) -> tuple[Safety, str]:
        """A call fix: the whole call rendered from the template (a method's receiver is `self`),
        or `with CALL.as_default():` rendered from `as_context`."""
        fix = rule.fix
        module = self.module

        def render(qualname: str) -> str:
            return self.names.render(qualname, scope)

        used = as_default_item(module.tree, call) if call and fix.as_context else None
        if used is not None and fix.as_context is not None:
            start, end = self.module.offsets(used)
            self._edits = [Edit(start, end, fix.as_context.render({}, render))]
            return "safe", ""  # the whole `CALL.as_default()` is replaced, exactly
        if call is None:
            if not fix.to:
                return "none", "only calls can be rewritten"
            start, end = self.module.offsets(node)
            self._edits = [Edit(start, end, render(fix.to))]
            return rule.fix_safety, ""
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            return "none", "the call passes *args or **kwargs"
        assert fix.template is not None
        receiver = method_receiver(fix, node)
        if fix.template.method and receiver is None:
            return "none", "only method calls can be rewritten"
        try:
            bound = fix.template.bind(
                [*([receiver] if receiver is not None else []), *call.args],
                {k.arg: k.value for k in call.keywords if k.arg is not None},
                call.func,
            )
        except RenderError as exc:
            return "none", str(exc)
        left = fix.template.left_reason(bound)
        if left is not None:
            return "none", left
        for name in fix.template.repeated:
            # A name, attribute or plain subscript reads the same twice; a call may not.
            if name in bound and not (
                isinstance(bound[name], ast.Constant) or expression_kind(bound[name]) == "reference"
            ):
                return "none", f"the rewrite would evaluate the {name} argument twice"
        written = module.segment(call)
        if "#" in written and _has_comment(written):
            return "none", "the call has comments inside that the rewrite would lose"
        safety: Safety = rule.fix_safety
        note = ""
        unsure = fix.template.unsafe_reason(bound)
        if unsure is not None and safety == "safe":
            safety, note = "unsafe", unsure
        import libcst as cst  # when a call is first rewritten, not at server start

        try:
            text = fix.template.render({k: module.segment(v) for k, v in bound.items()}, render)
            text = laid_out_like(module, call, text)
        except (RenderError, cst.ParserSyntaxError):
            return safety, note  # offered, but this use is left for a later version of the rule
        start, end = self.module.offsets(call)
        self._edits = [Edit(start, end, text)]
        return safety, note

    def _replace(
        self,
        rule: Rule,
        node: ast.Name | ast.Attribute,
        call: ast.Call | None,
        scope: Scope,
        api: str,
    ) -> tuple[Safety, str]:
        fix = rule.fix
        safety: Safety = rule.fix_safety
        note = ""
        mapping = fix.kind == "replace" and bool(fix.values)
        if (
            safety == "safe"
            and mapping
            and call is not None
            and not _values_all_mapped(self.module, call, fix.values)
        ):
            safety = "unsafe"
            note = "only string literals passed to the call or compared with it are mapped"
        to = fix.to_for(api)
        if to is None:
            return safety, note
        start, end = self.module.offsets(node)
        renamed = instance_attribute(to)
        if renamed is not None and isinstance(node, ast.Attribute):
            # An instance attribute: only its name changes (`opt.lr` → `opt.learning_rate`).
            self._edits = [Edit(end - len(node.attr), end, renamed[1])]
            return safety, note
        self._edits = [Edit(start, end, self.names.render(to, scope))]
        self._graph_mode = fix.kind == "compat-v1"
        if fix.values and call is not None:
            self._edits += self._value_edits(call, fix.values)
        return safety, note

    def _method(
        self, rule: Rule, node: ast.Name | ast.Attribute, scope: Scope
    ) -> tuple[Safety, str]:
        """A method added to the class that `node` is a base of, after the class's last
        statement and indented as its body."""
        fix = rule.fix
        subclass = self.module.bindings.bases.get(id(node))
        if subclass is None or fix.method is None or fix.to is None:
            return "none", "only a class's base can be given a method"
        first = self.module.text.splitlines()[subclass.body[0].lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        source = fix.method.replace("{to}", self.names.render(fix.to, scope))
        lines = [indent + line if line.strip() else "" for line in source.splitlines()]
        _start, end = self.module.offsets(subclass.body[-1])
        self._edits = [Edit(end, end, "\n\n" + "\n".join(lines))]
        return rule.fix_safety, ""

    def _unwrap(
        self, rule: Rule, node: ast.Name | ast.Attribute, call: ast.Call | None
    ) -> tuple[Safety, str]:
        module = self.module
        if id(node) in module.bindings.decorators:
            span = module.span(node)
            start = module.lines.offset(span.start.line, 0)
            self._edits = [Edit(start, module.lines.offset(span.end.line + 1, 0), "")]
            return rule.fix_safety, ""
        if call is None or len(call.args) != 1 or call.keywords:
            return "none", "only a call with one argument or a decorator can be unwrapped"
        argument = call.args[0]
        if isinstance(argument, ast.Starred):
            return "none", "the call passes *args"
        text = module.segment(argument)
        if not isinstance(argument, _ATOMIC):
            text = f"({text})"
        start, end = self.module.offsets(call)
        self._edits = [Edit(start, end, text)]
        return rule.fix_safety, ""

    def _remove(self, rule: Rule, call: ast.Call | None) -> tuple[Safety, str]:
        """A call that is a statement of its own goes (a block left empty keeps `pass`)."""
        statement = next(
            (
                node
                for node in statement_walk(self.module.tree)
                if isinstance(node, ast.Expr) and call is not None and node.value is call
            ),
            None,
        )
        if statement is None:
            return "none", "only a call that is a statement of its own can be removed"
        self._edits = [statement_removal(self.module, statement)]
        return rule.fix_safety, ""

    def _keyword(self, rule: Rule, call: ast.Call | None) -> tuple[Safety, str]:
        fix = rule.fix
        if call is None:
            return rule.fix_safety, ""
        if any(isinstance(a, ast.Starred) for a in call.args):
            return "none", "the call passes *args"
        if fix.positional and len(call.args) > len(fix.positional):
            return "none", f"the call passes {len(call.args)} positional arguments"
        if fix.max_positional is not None and len(call.args) > fix.max_positional:
            return "none", (
                f"the call passes {len(call.args)} positional arguments, which the old API read "
                "differently"
            )
        passed = {k.arg for k in call.keywords}
        safety: Safety = rule.fix_safety
        note = ""
        edits = []
        removed: list[ast.keyword] = []
        for keyword in call.keywords:
            if keyword.arg is None or keyword.arg not in fix.keywords:
                continue
            literals = fix.literals.get(keyword.arg, {})
            value = keyword.value
            literal = (
                value.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
                else None
            )
            # A literal the old API converted: its new value, or `None` for an argument it dropped.
            known = literal is not None and literal in literals
            converted = literals[literal] if literal is not None and known else None
            if keyword.arg in fix.drop or (known and converted is None):
                removed.append(keyword)
                continue
            if literals and literal is None:
                safety = "unsafe"
                note = f"{keyword.arg}= is not a string literal: the old API converted its value"
            elif known and isinstance(value, ast.Constant):
                edits.append(self._literal_edit(value, converted))
            new_name = fix.rename.get(keyword.arg, keyword.arg)
            if new_name is None:
                return "none", f"{keyword.arg}= has no automatic replacement"
            if new_name != keyword.arg and new_name in passed:
                return "none", f"the call passes both {keyword.arg}= and {new_name}="
            if new_name != keyword.arg:
                start, _ = self.module.offsets(keyword)
                edits.append(Edit(start, start + len(keyword.arg), new_name))
        if fix.positional and len(call.args) > fix.keep:
            for index, argument in enumerate(call.args[fix.keep :], start=fix.keep):
                start, _ = self.module.offsets(argument)
                edits.append(Edit(start, start, f"{fix.positional[index]}="))
        removals = self._removals(call, removed)
        if removals is None:
            return "none", "removing an argument would lose a comment"
        self._edits = edits + removals
        return safety, note

    def _literal_edit(self, literal: ast.Constant, new: str | int | None) -> Edit:
        """A string literal replaced with another (in its quotes and prefix) or a number."""
        start, end = self.module.offsets(literal)
        if not isinstance(new, str):
            return Edit(start, end, repr(new))
        written = self.module.text[start:end]
        prefix = written[: len(written) - len(written.lstrip("rRbBuUfF"))]
        return Edit(start, end, f"{prefix}{written[-1]}{new}{written[-1]}")

    def _removals(self, call: ast.Call, removed: list[ast.keyword]) -> list[Edit] | None:
        """The edits removing some arguments of a call with the commas that separate them (None
        when the text removed would hold a comment)."""
        arguments = sorted([*call.args, *call.keywords], key=self.module.offsets)
        gone = [any(argument is r for r in removed) for argument in arguments]
        edits = []
        for index, argument in enumerate(arguments):
            if not gone[index]:
                continue
            start, end = self.module.offsets(argument)
            before = self.module.offsets(arguments[index - 1])[1] if index > 0 else start
            following = index + 1 < len(arguments) and not gone[index + 1]
            if index > 0 and following and "\n" in self.module.text[before:start]:
                # First on its line: up to the next argument, so that the lines keep their layout.
                end = self.module.offsets(arguments[index + 1])[0]
            elif index > 0 and not all(gone[:index]):
                start = before  # with the comma before it
            elif index > 0:
                continue  # in the leading run removed with the first argument
            else:
                # The leading run goes up to the first argument that stays, commas included.
                kept = next((i for i, g in enumerate(gone) if not g), None)
                end = (
                    self.module.offsets(arguments[-1])[1]
                    if kept is None
                    else self.module.offsets(arguments[kept])[0]
                )
            if _has_comment(self.module.text[start:end]):
                return None
            edits.append(Edit(start, end, ""))
        return edits

    def _value_edits(self, call: ast.Call, values: Mapping[str, str]) -> list[Edit]:
        """The string literals a `values` fix maps: the call's arguments, and literals the call's
        result is compared with (==, !=, in)."""
        literals: list[ast.expr] = [*call.args, *(k.value for k in call.keywords)]
        parent = self.module.bindings.compared.get(id(call))
        if parent is not None and _equality(parent):
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
                    edits.append(self._literal_edit(literal, new))
        return edits


def _equality(compare: ast.Compare) -> bool:
    return all(isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in compare.ops)


def _values_all_mapped(module: ParsedModule, call: ast.Call, values: Mapping[str, str]) -> bool:
    """Whether a `values` fix is exact here: the call's arguments are literals it maps, or (no
    arguments) its result is only compared (==, !=, in) with literals it maps."""

    def mapped(node: ast.expr) -> bool:
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return all(mapped(item) for item in node.elts)
        return isinstance(node, ast.Constant) and node.value in values

    arguments = [*call.args, *(k.value for k in call.keywords)]
    if arguments:
        return all(mapped(a) for a in arguments)
    parent = module.bindings.compared.get(id(call))
    if parent is None:
        return False
    others = [o for o in (parent.left, *parent.comparators) if o is not call]
    return _equality(parent) and all(mapped(o) for o in others)


def _has_comment(source: str) -> bool:
    """Whether a piece of code holds a comment (a `#` outside strings)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(token.type == tokenize.COMMENT for token in tokens)


def method_receiver(fix: Fix, node: ast.AST) -> ast.expr | None:
    """The receiver (`model` in `model.fit_generator(...)`) when the fix's signature is a
    method's, whose `self` it binds."""
    if fix.template is not None and fix.template.method and isinstance(node, ast.Attribute):
        return node.value
    return None


def as_default_item(tree: ast.AST, call: ast.Call) -> ast.Call | None:
    """`CALL.as_default()` when it is a `with` item (`with K.get_graph().as_default():`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                used = item.context_expr
                if (
                    isinstance(used, ast.Call)
                    and not used.args
                    and not used.keywords
                    and isinstance(used.func, ast.Attribute)
                    and used.func.attr == "as_default"
                    and used.func.value is call
                ):
                    return used
    return None


def import_block_end(module: ParsedModule) -> int:
    """Offset where new imports go: after the file's leading imports (and docstring)."""
    module = module.whole
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
