"""Call templates: bind a call's arguments to the old signature and render the new call."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from tfmend.catalog.dtypes import EXACT_KINDS, argument_kind, expression_kind

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(\?)?\}")
PACKAGE_ROOTS = frozenset(
    {"keras", "tensorflow", "tf_keras", "numpy", "builtins", "math", "inspect", "functools",
     "operator", "warnings", "collections", "contextlib"}
)  # fmt: skip
"""Top-level modules whose dotted names in a template are qualified names to render."""
T = TypeVar("T")
LITERALS = {"false": "False", "true": "True"}
"""`exact-when` kinds that ask for one literal."""
CALLEE = "callee"
"""The placeholder `{callee}`: the called reference as written (`Adam` in `Adam(lr=0.1)`)."""
REST = "**"
"""Prefix of the keys under which `bind` puts keywords that the signature's `**name` takes."""
_REQUIRED = "__tfm_p_"
_REST = "__tfm_rest__"
_OPTIONAL = "__tfm_o_"
BOOL_CAST = "tensorflow.cast({p}, keras.config.floatx())"
COERCIONS: dict[str, dict[str, str]] = {
    # Keras 2 cast a boolean tensor to floatx before averaging it (mean, std, var); an argument
    # whose dtype the source does not show is tested at run time when it can be read twice.
    "bool-cast": {
        "bool": BOOL_CAST,
        "reference": f"{BOOL_CAST} if {{p}}.dtype == tensorflow.bool else {{p}}",
    },
    # Keras 2 wrapped a single int in a list (tile's n, reverse's axes).
    "int-to-list": {"number": "[{p}]"},
}
"""Argument coercions of the old API: argument kind → the form that replaces the argument."""
EXACT_WITHOUT_FORM = {
    "bool-cast": frozenset({"number", "sequence"}),
    "int-to-list": frozenset({"sequence"}),
}
"""The argument kinds for which the template is exact as written."""


class TemplateError(Exception):
    """A template or signature that cannot be used; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class RenderError(Exception):
    """A call that cannot be rewritten with the template (say why, offer no fix)."""


@dataclass(frozen=True)
class Parameter:
    """A parameter of the old API: its name, default text, and whether it is keyword-only."""

    name: str
    default: str | None
    keyword_only: bool


@dataclass(frozen=True)
class Reference:
    """A qualified name the template uses, like `keras.ops.mean`."""

    qualname: str


def _substituted(template: str, parameter: str, form: str) -> str:
    """The template with each `{parameter}` replaced by `form`, in parentheses unless it stands
    alone as a call argument."""
    placeholder = f"{{{parameter}}}"
    filled = form.format(p=placeholder)
    pieces = template.split(placeholder)
    out = [pieces[0]]
    for before, after in itertools.pairwise(pieces):
        opened = before.rstrip()
        keyword = opened.endswith("=") and not opened.endswith(("==", "!=", "<=", ">="))
        alone = (opened.endswith(("(", ",")) or keyword) and after.lstrip().startswith((",", ")"))
        out.append(filled if alone else f"({filled})")
        out.append(after)
    return "".join(out)


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


@dataclass(frozen=True)
class Template:
    """A parsed `call` fix: the old signature and the new expression with placeholders."""

    parameters: tuple[Parameter, ...]
    text: str
    """The template with placeholders replaced by marker identifiers."""
    references: tuple[Reference, ...]
    coerced: tuple[str, str] | None = None
    """(parameter, coercion): an argument the old API converted first (see COERCIONS)."""
    forms: tuple[tuple[str, Template], ...] = ()
    """Argument kind → the template with the coerced argument converted as the old API did."""
    exact_when: tuple[tuple[str, str], ...] = ()
    """(parameter, kind): the rewrite is exact only where that argument's source is of the kind
    (`number`, `sequence`, `tensor`, `false`); elsewhere the site's fix is unsafe."""
    rest: str | None = None
    """The signature's `**name`: keywords that no parameter takes, passed on as written where the
    template says `**{name}`."""
    aliases: tuple[tuple[str, str], ...] = ()
    """(keyword, parameter): other names the old API accepted for a parameter (Keras 2 took
    Keras 1's `nb_epoch=` for `epochs=`)."""
    literal: tuple[str, ...] = ()
    """Parameters whose argument must be a literal (`True`, `0.5`) or not passed for the call to
    be rewritten: Keras reads `training=` as a Python bool, where TF1 took a tensor too."""

    @property
    def method(self) -> bool:
        """Whether the signature is a method's: its first parameter, `self`, is the receiver."""
        return bool(self.parameters) and self.parameters[0].name == "self"

    def shown(self, written: str = "") -> str:
        """The new expression as a person reads it: placeholders as their parameters' names, the
        called reference as `written` (a method's receiver as the part before its name), and the
        keywords passed on as `…`."""
        text = self.text
        if self.rest is not None:
            text = text.replace(f"**{_REQUIRED}{self.rest}", "…")
        if written:
            text = text.replace(f"{_REQUIRED}{CALLEE}", written)
            if self.method:
                text = text.replace(f"{_REQUIRED}self", written.rsplit(".", 1)[0])
        return re.sub(rf"(?:{_REQUIRED}|{_OPTIONAL})(\w+)", r"\1", text)

    def passes_through(self) -> bool:
        """Whether the new expression only calls one API with the old arguments as they were
        (`keras.ops.mean({x}, axis={axis?})`), so that naming the API says all it does."""
        tree = ast.parse(self.text, mode="eval").body
        called = _dotted(tree.func) if isinstance(tree, ast.Call) else None
        # `{self}.fit(...)`, `{callee}(...)`: what is called is the user's, the title shows it.
        if not isinstance(tree, ast.Call) or called is None or called.startswith(_REQUIRED):
            return False
        values = [*tree.args, *(keyword.value for keyword in tree.keywords)]
        return all(
            isinstance(value, ast.Name) and value.id.startswith((_REQUIRED, _OPTIONAL))
            for value in values
        )

    @staticmethod
    def parse(
        signature: str,
        template: str,
        coerce: Mapping[str, str] | None = None,
        exact_when: Mapping[str, str] | None = None,
        aliases: Mapping[str, str] | None = None,
        *,
        literal: Sequence[str] = (),
    ) -> Template:
        """Parse and check a signature and a template, with the parameters that `coerce` (at most
        one: parameter → coercion), `exact_when`, `aliases` (keyword → parameter) and `literal`
        name."""
        parsed = Template._parse(signature, template)
        names = {p.name for p in parsed.parameters}
        checks: list[tuple[str, Mapping[str, str], Collection[str]]] = [
            ("exact-when", exact_when or {}, EXACT_KINDS),
            *((coercion, {name: coercion}, COERCIONS) for name, coercion in (coerce or {}).items()),
        ]
        for field, wanted, known in checks:
            for name, kind in wanted.items():
                if name not in names:
                    raise TemplateError(field, f"{name!r} is not a parameter of the signature")
                if kind not in known:
                    raise TemplateError(field, f"{kind!r} is not one of {', '.join(sorted(known))}")
        for keyword, name in (aliases or {}).items():
            if name not in names or keyword in names:
                raise TemplateError(
                    "aliases", f"{keyword}: {name!r} must be a parameter and {keyword!r} not one"
                )
        for name in literal:
            if name not in names:
                raise TemplateError("literal", f"{name!r} is not a parameter of the signature")
        parsed = replace(
            parsed,
            exact_when=tuple((exact_when or {}).items()),
            aliases=tuple((aliases or {}).items()),
            literal=tuple(literal),
        )
        if not coerce:
            return parsed
        ((name, coercion),) = coerce.items()
        forms = tuple(
            (kind, Template._parse(signature, _substituted(template, name, form)))
            for kind, form in COERCIONS[coercion].items()
        )
        references = tuple(
            dict.fromkeys(r for t in (parsed, *(f for _k, f in forms)) for r in t.references)
        )
        return replace(parsed, references=references, coerced=(name, coercion), forms=forms)

    @staticmethod
    def _parse(signature: str, template: str) -> Template:
        try:
            fn = ast.parse(f"def _({signature}):\n    pass\n").body[0]
        except SyntaxError as exc:
            raise TemplateError("signature", f"not a parameter list: {exc.msg}") from exc
        assert isinstance(fn, ast.FunctionDef)
        spec = fn.args
        if spec.vararg or spec.posonlyargs:
            raise TemplateError("signature", "*args and / are not supported")
        rest = spec.kwarg.arg if spec.kwarg else None
        defaults: list[ast.expr | None] = [None] * (len(spec.args) - len(spec.defaults))
        defaults += list(spec.defaults)
        params = [
            Parameter(a.arg, ast.unparse(d) if d is not None else None, False)
            for a, d in zip(spec.args, defaults, strict=True)
        ]
        params += [
            Parameter(a.arg, ast.unparse(d) if d is not None else None, True)
            for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True)
        ]
        names = {p.name for p in params} | {CALLEE} | ({rest} if rest else set())

        def marker(match: re.Match[str]) -> str:
            name, optional = match.group(1), match.group(2)
            if name not in names:
                raise TemplateError("template", f"{{{name}}} is not a parameter of the signature")
            return f"{_OPTIONAL if optional else _REQUIRED}{name}"

        text = PLACEHOLDER.sub(marker, template)
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise TemplateError("template", f"not a Python expression: {exc.msg}") from exc
        optional_ok: set[int] = set()
        refs: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                optional_ok.update(id(a) for a in node.args)
                optional_ok.update(id(k.value) for k in node.keywords)
            if isinstance(node, ast.Attribute | ast.Name):
                dotted = _dotted(node)
                if dotted and dotted.split(".")[0] in PACKAGE_ROOTS:
                    refs.append(dotted)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Name)
                and node.id.startswith(_OPTIONAL)
                and id(node) not in optional_ok
            ):
                raise TemplateError(
                    "template", "an optional placeholder {x?} must be a call argument"
                )
        for default in (d for d in spec.defaults + spec.kw_defaults if d is not None):
            for node in ast.walk(default):
                dotted = _dotted(node) if isinstance(node, ast.Attribute | ast.Name) else None
                if dotted and dotted.split(".")[0] in PACKAGE_ROOTS:
                    refs.append(dotted)
        # Keep only the longest chains: `keras.ops.mean`, not also `keras.ops` and `keras`.
        longest = [r for r in refs if not any(o != r and o.startswith(r + ".") for o in refs)]
        return Template(
            tuple(params), text, tuple(Reference(r) for r in dict.fromkeys(longest)), rest=rest
        )

    def bind(
        self, args: Sequence[T], keywords: Mapping[str, T], callee: T | None = None
    ) -> dict[str, T]:
        """Map a call's positional and keyword arguments to parameter names (and the called
        reference to `callee`, for a template that calls it again).

        Raises RenderError when the call does not fit the signature or leaves out a parameter
        that the template needs and that has no default.
        """
        positional = [p for p in self.parameters if not p.keyword_only]
        if len(args) > len(positional):
            passed = len(args) - 1 if self.method else len(args)  # the receiver is not counted
            raise RenderError(f"the call passes {passed} positional arguments")
        bound = {p.name: value for p, value in zip(positional, args, strict=False)}
        known = {p.name for p in self.parameters}
        if callee is not None and CALLEE not in known:
            bound[CALLEE] = callee
        aliases = dict(self.aliases)
        for keyword, value in keywords.items():
            name = aliases.get(keyword, keyword)
            if name not in known and self.rest is not None:
                name = REST + keyword  # passed on as written
            elif name not in known:
                raise RenderError(f"the rewrite does not handle {name}=; rewrite this call by hand")
            if name in bound:
                raise RenderError(f"{name} is passed twice")
            bound[name] = value
        for parameter in self.parameters:
            if (
                parameter.default is None
                and parameter.name not in bound
                and (_REQUIRED + parameter.name in self.text)
            ):
                raise RenderError(f"the call does not pass {parameter.name}")
        return bound

    def left_reason(self, bound: Mapping[str, ast.expr]) -> str | None:
        """Why this call is left for the user: a `literal` parameter's argument is not one."""
        for name in self.literal:
            passed = bound.get(name)
            if passed is not None and not isinstance(passed, ast.Constant):
                return f"the rewrite takes only a literal {name} argument; rewrite it by hand"
        return None

    def unsafe_reason(self, bound: Mapping[str, ast.expr]) -> str | None:
        """Why this call's rewrite may differ from the old API: an `exact_when` argument is not of
        its kind, or the coerced argument is of a kind the rewrite cannot convert."""
        for name, kind in self.exact_when:
            passed = bound.get(name)
            if passed is not None and not _of_kind(passed, kind):
                what = LITERALS.get(kind, f"a {kind}")
                return f"the rewrite is exact only when the {name} argument is {what}"
        if self.coerced is None or self.coerced[0] not in bound:
            return None
        name, coercion = self.coerced
        kind = expression_kind(bound[name])
        if kind in EXACT_WITHOUT_FORM[coercion] or kind in COERCIONS[coercion]:
            return None
        if coercion == "bool-cast":
            return (
                f"tfmend cannot tell whether the {name} argument is a boolean tensor, which "
                "Keras 2 cast to floatx first"
            )
        return (
            f"tfmend cannot tell whether the {name} argument is an int, which Keras 2 wrapped in "
            "a list"
        )

    def _form_for(self, bound: Mapping[str, str]) -> Template:
        """The template, or its form for the coerced argument's kind."""
        if self.coerced is None or self.coerced[0] not in bound:
            return self
        kind = argument_kind(bound[self.coerced[0]])
        return next((form for k, form in self.forms if k == kind), self)

    @property
    def repeated(self) -> frozenset[str]:
        """Parameters the template uses more than once (their argument is evaluated twice)."""
        names = re.findall(rf"(?:{_REQUIRED}|{_OPTIONAL})([A-Za-z_][A-Za-z0-9_]*)", self.text)
        return frozenset(name for name in names if names.count(name) > 1)

    def render(self, bound: Mapping[str, str], name_for: Callable[[str], str]) -> str:
        """The new call's text: placeholders filled from `bound`, qualified names via `name_for`."""
        form = self._form_for(bound)
        if form is not self:
            return form.render(bound, name_for)
        defaults = {p.name: p.default for p in self.parameters}
        for name in bound:
            if name not in defaults and name != CALLEE and not name.startswith(REST):
                raise RenderError(f"unknown argument {name}")
        key = (self.text, tuple(sorted(bound.items())))
        cached = _RENDERED.get(key)
        # The same call again (a file full of `K.mean(x)`): the same text, provided each
        # qualified name still renders as it did (the names are asked again: imports they need).
        if cached is not None and all(name_for(dotted) == name for dotted, name in cached[0]):
            return cached[1]
        asked: list[tuple[str, str]] = []

        def recording(dotted: str) -> str:
            name = name_for(dotted)
            asked.append((dotted, name))
            return name

        # libcst is imported on the first rewrite, not when the catalog loads (server start).
        from tfmend.catalog.render import render_expression

        code = render_expression(self.text, bound, defaults, recording, self.rest)
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = (tuple(asked), code)
        return code


def _of_kind(node: ast.expr, kind: str) -> bool:
    """Whether an argument's source is of an `exact-when` kind (`false`, `true`: that literal)."""
    if kind in LITERALS:
        return isinstance(node, ast.Constant) and repr(node.value) == LITERALS[kind]
    return expression_kind(node) in EXACT_KINDS[kind]


_Pairs = tuple[tuple[str, str], ...]
_RENDERED: dict[tuple[str, _Pairs], tuple[_Pairs, str]] = {}
"""Rendered calls by (template, bound arguments): the names asked for and the text."""
_RENDERED_MAX = 8192
