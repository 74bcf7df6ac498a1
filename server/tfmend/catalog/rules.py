"""The rule catalog: typed rules loaded from YAML, validated with located messages, merged."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal, cast

from tfmend.catalog.template import COERCIONS, Template, TemplateError
from tfmend.catalog.yamlsource import Located, LocatedError, load_located_file
from tfmend.resolve.qualnames import instance_attribute

FixKind = Literal["replace", "call", "unwrap", "remove", "keyword", "compat-v1", "method", "manual"]
Safety = Literal["safe", "unsafe"]
Severity = Literal["error", "warning", "info", "hint"]
Status = Literal["removed", "deprecated", "renamed", "changed"]
MigrationTarget = Literal["tensorflow", "keras", "tf-keras"]

FIX_KINDS: tuple[FixKind, ...] = (
    "replace",
    "call",
    "unwrap",
    "remove",
    "keyword",
    "compat-v1",
    "method",
    "manual",
)
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info", "hint")
STATUSES: tuple[Status, ...] = ("removed", "deprecated", "renamed", "changed")
SINCE_PACKAGES = ("tensorflow", "keras")
PROBE_ASPECTS = ("value", "dtype", "shape")
TARGETS: tuple[MigrationTarget, ...] = ("tensorflow", "keras", "tf-keras")
"""What migrated code runs on: TensorFlow (`tf.*`), portable Keras 3, or Keras 2 as tf_keras."""
DEFAULT_TARGET: MigrationTarget = "tensorflow"

CODE_PATTERN = re.compile(r"^TFM[0-9]{3,4}$")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
QUALNAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)*$")

BUILTIN_CATALOG = Path(__file__).parent.parent / "rules.yaml"

_FIX_FIELDS: dict[str, set[str]] = {
    "replace": {"to", "map", "values", "safe-in-graph-code"},
    "call": {
        "signature",
        "template",
        "to",
        "bool-cast",
        "int-to-list",
        "exact-when",
        "as-context",
        "aliases",
        "literal",
    },
    "unwrap": set(),
    "remove": set(),
    "keyword": {"rename", "positional", "keep", "values", "drop", "max-positional"},
    "compat-v1": {"to", "map", "safe-in-graph-code"},
    "method": {"to", "method"},
    "manual": set(),
}
_FIX_REQUIRED: dict[str, set[str]] = {
    "call": {"signature", "template"},
    "method": {"to", "method"},
}
_RULE_FIELDS = {
    "code",
    "name",
    "apis",
    "status",
    "since",
    "severity",
    "message",
    "explanation",
    "fix",
    "examples",
    "probe",
    "when",
    "targets",
    "receiver",
}
_RULE_REQUIRED = _RULE_FIELDS - {"examples", "probe", "when", "targets", "receiver"}
_OVERRIDE_FIELDS = {"message", "explanation", "fix", "probe", "examples"}
SKIP = "skip"
"""The value of `targets.<target>` for a rule that does not apply under that target."""


@dataclass(frozen=True)
class Fix:
    """How a rule rewrites a reference; `kind` selects which of the other fields apply."""

    kind: FixKind
    safety: Safety | None = None
    """None only for manual fixes."""
    reason: str | None = None
    """Why an unsafe fix may change behaviour."""
    to: str | None = None
    """Qualified name that replaces the reference (replace, compat-v1, and call when not called)."""
    map: Mapping[str, str] = field(default_factory=dict)
    """Per-API replacements, for rules that match many APIs (replace, compat-v1)."""
    values: Mapping[str, str] = field(default_factory=dict)
    """String literals to rewrite in the call's arguments and in comparisons with its result."""
    template: Template | None = None
    """The call template with its signature (call)."""
    as_context: Template | None = None
    """What replaces `CALL.as_default()` used as a `with` item, exactly (call)."""
    rename: Mapping[str, str | None] = field(default_factory=dict)
    """Keyword renames (keyword); None flags a keyword that has no automatic rewrite."""
    positional: tuple[str, ...] = ()
    """The old positional parameter order; positional arguments past `keep` become keywords."""
    keep: int = 1
    """How many leading positional arguments stay positional (keyword)."""
    literals: Mapping[str, Mapping[str, str | int | None]] = field(default_factory=dict)
    """Per keyword, string literals the old API converted (keyword): the new literal, or None
    where the old API dropped the argument (`dim_ordering='default'`)."""
    drop: frozenset[str] = frozenset()
    """Keywords the old API accepted and ignored (keyword): the fix removes them."""
    max_positional: int | None = None
    """Calls passing more positional arguments are left for the user (keyword): the old API
    read them differently."""
    safe_in_graph_code: bool = False
    """An unsafe fix that is exact in a file of TF 1.x graph-mode code (sessions, placeholders):
    a name valid in TF 1 and TF 2 alike is TF 1 code there."""
    method: str | None = None
    """The source of the method a `method` fix adds to a subclass; `{to}` stands for `to`."""
    adds: str = ""
    """The name of that method: a class that defines it already is not matched."""

    @property
    def keywords(self) -> frozenset[str]:
        """The keywords a keyword fix is about: renamed, dropped or with converted values."""
        return frozenset(self.rename) | self.drop | frozenset(self.literals)

    @property
    def fixable(self) -> bool:
        """Whether the fix rewrites code at all."""
        return self.kind != "manual"

    def to_for(self, api: str) -> str | None:
        """The qualified name that replaces a use of `api`."""
        if api in self.map:
            return self.map[api]
        if self.to:
            return self.to
        if self.kind == "compat-v1" and api.startswith("tensorflow."):
            return "tensorflow.compat.v1." + api[len("tensorflow.") :]
        return None


@dataclass(frozen=True)
class When:
    """A call condition: a use matches when it passes one of `keywords` or `positional`+ args."""

    keywords: frozenset[str] = frozenset()
    positional: int | None = None
    first_argument: Literal["string"] | None = None
    """`string`: only calls whose first positional argument is a string literal (required on
    top of `keywords`/`positional` when those are given too)."""
    numbers: tuple[int, ...] = ()
    """Only calls whose positional arguments at these indexes are int literals (required on top,
    like `first_argument`): Keras 2 read `Conv2D(64, 3, 3)` as a kernel size only so."""
    passed: bool = False
    """Only uses that pass the API on as a value, not calls: a call's argument or a dict
    display's value (`backend=keras.backend`)."""
    subclassed: frozenset[str] = frozenset()
    """Only uses as the base of a class that defines one of these methods (a Keras 2 optimizer's
    `get_updates`)."""
    super_calls: frozenset[str] = frozenset()
    """With `subclassed`: the class's `super().NAME(...)` calls of these names are findings too,
    where such a class fails first (`super().__init__(**kwargs)`)."""
    through: frozenset[str] = frozenset()
    """Only reads of the attribute on one of these attributes (`model.output._keras_shape`); for
    `receiver: any` rules, and such a rule wins over the attribute's others where it matches."""
    eager_code: bool = False
    """Only uses in a file that is not TF 1.x graph code (no `Session`, `placeholder`,
    `get_default_graph`, nor disabled eager execution): a note about what fails eagerly."""


@dataclass(frozen=True)
class Example:
    """An example fragment: `fixed` is the exact text after fixing, or None for valid/manual."""

    code: str
    fixed: str | None
    line: int


@dataclass(frozen=True)
class Probe:
    """An old/new value comparison run against real TensorFlow."""

    setup: str
    old: str
    new: str
    compare: tuple[str, ...] = PROBE_ASPECTS
    tolerance: float = 1e-6
    cases: tuple[str, ...] = ()
    """Statements run after `setup`, one input each; old and new are compared in every case."""
    differing: tuple[str, ...] = ()
    """Cases where an unsafe replacement is not exact: old and new must differ in each."""


@dataclass(frozen=True)
class Override:
    """How a rule reads under one migration target; None fields keep the rule's own."""

    skip: bool = False
    """The rule does not apply under this target."""
    same_as: MigrationTarget | None = None
    """The rule reads as under that other target (`tf-keras: tensorflow`)."""
    message: str | None = None
    explanation: str | None = None
    fix: Fix | None = None
    probe: Probe | None = None
    """The comparison of the old API with this target's replacement."""
    invalid: tuple[Example, ...] | None = None
    valid: tuple[Example, ...] | None = None


@dataclass(frozen=True)
class Rule:
    """One catalog entry."""

    code: str
    name: str
    apis: tuple[str, ...]
    status: Status
    since: Mapping[str, str]
    severity: Severity
    message: str
    explanation: str
    fix: Fix
    invalid: tuple[Example, ...] = ()
    valid: tuple[Example, ...] = ()
    probe: Probe | None = None
    when: When | None = None
    """Only calls that pass these arguments match (None: every use)."""
    origin: str = ""
    """`file:line` where the rule is defined."""
    targets: Mapping[str, Override] = field(default_factory=dict)
    """Per migration target: what differs from the fields above (which serve every other)."""
    any_receiver: bool = False
    """`receiver: any`: the APIs are methods (`keras.Model.fit_generator`) matched as an
    attribute of any receiver in Keras code (`model.fit_generator`, `self.net.fit_generator`)."""

    def for_target(self, target: MigrationTarget) -> Rule | None:
        """The rule as it applies under a migration target (None: it does not apply)."""
        override = self.targets.get(target)
        if override is None:
            return self
        if override.skip:
            return None
        if override.same_as is not None:
            return self.for_target(override.same_as)
        return replace(
            self,
            message=override.message or self.message,
            explanation=override.explanation or self.explanation,
            fix=override.fix or self.fix,
            probe=override.probe if override.probe is not None else self.probe,
            invalid=override.invalid if override.invalid is not None else self.invalid,
            valid=override.valid if override.valid is not None else self.valid,
            targets={},
        )

    def render_message(self, name: str, api: str) -> str:
        """The message with `{name}`, `{api}` and `{to}` (the replacement of `api`) filled in."""
        message = self.message.replace("{name}", name).replace("{api}", api)
        return message.replace("{to}", self.fix.to_for(api) or "")

    def replacements(self) -> tuple[str, ...]:
        """Qualified names this rule's fix introduces into the code."""
        fix = self.fix
        names: list[str] = []
        if fix.kind in ("replace", "compat-v1", "call", "method"):
            names.extend(to for api in self.apis if (to := fix.to_for(api)) is not None)
        for template in (fix.template, fix.as_context):
            if template is not None:
                names.extend(ref.qualname for ref in template.references)
        if fix.kind == "compat-v1":
            names.append("tensorflow.compat.v1.disable_eager_execution")
        return tuple(dict.fromkeys(names))

    @property
    def fix_safety(self) -> Literal["safe", "unsafe", "none"]:
        """`safe`, `unsafe`, or `none` for manual rules."""
        return self.fix.safety if self.fix.fixable and self.fix.safety else "none"


class CatalogError(Exception):
    """One or more located problems in rule files."""

    def __init__(self, errors: list[LocatedError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class _Reader:
    """Validates Located YAML values field by field, collecting located errors."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[LocatedError] = []

    def error(self, at: Located | int, field_name: str, message: str) -> None:
        line = at if isinstance(at, int) else at.line
        self.errors.append(LocatedError(self.path, line, field_name, message))

    def mapping(
        self, value: Located, field_name: str, allowed: set[str], required: set[str]
    ) -> dict[str, Located] | None:
        if not isinstance(value.value, dict):
            self.error(value, field_name, f"expected a mapping, found {value.kind()}")
            return None
        items = cast(dict[str, Located], value.value)
        for key, item in items.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                where = f"{field_name}.{key}" if field_name else key
                self.error(item, where, f"unknown field (known: {known})")
        for key in sorted(required - items.keys()):
            self.error(value, field_name, f"missing required field '{key}'")
        return items

    def text(
        self,
        value: Located | None,
        field_name: str,
        pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> str | None:
        if value is None:
            return None
        if not isinstance(value.value, str):
            self.error(value, field_name, f"expected a string, found {value.kind()}")
            return None
        if not value.value.strip():
            self.error(value, field_name, "is empty")
            return None
        if pattern is not None and not pattern.match(value.value):
            self.error(value, field_name, f"{value.value!r} is not {what}")
            return None
        return value.value

    def choice(self, value: Located | None, field_name: str, choices: Iterable[str]) -> str | None:
        if value is None:
            return None
        options = tuple(choices)
        if value.value not in options:
            self.error(value, field_name, f"{value.value!r} is not one of {', '.join(options)}")
            return None
        return cast(str, value.value)

    def text_list(
        self,
        value: Located | None,
        field_name: str,
        pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value.value, list) or not value.value:
            self.error(value, field_name, f"expected a non-empty list, found {value.kind()}")
            return ()
        items = cast(list[Located], value.value)
        out = [self.text(item, f"{field_name}[{i}]", pattern, what) for i, item in enumerate(items)]
        return tuple(item for item in out if item is not None)

    def text_map(
        self,
        value: Located | None,
        field_name: str,
        key_pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value.value, dict) or not value.value:
            self.error(value, field_name, f"expected a non-empty mapping, found {value.kind()}")
            return {}
        out: dict[str, str] = {}
        for key, item in cast(dict[str, Located], value.value).items():
            if key_pattern is not None and not key_pattern.match(key):
                self.error(item, f"{field_name}.{key}", f"{key!r} is not {what}")
                continue
            if not isinstance(item.value, str | int | float) or isinstance(item.value, bool):
                self.error(item, f"{field_name}.{key}", f"expected a string, found {item.kind()}")
                continue
            out[key] = str(item.value)
        return out


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _read_rename(r: _Reader, value: Located | None, where: str) -> dict[str, str | None]:
    """Keyword renames; a null target flags the keyword without rewriting it."""
    if value is None:
        return {}
    if not isinstance(value.value, dict) or not value.value:
        r.error(value, where, f"expected a non-empty mapping, found {value.kind()}")
        return {}
    out: dict[str, str | None] = {}
    for key, item in cast(dict[str, Located], value.value).items():
        if not _IDENTIFIER.match(key):
            r.error(item, f"{where}.{key}", f"{key!r} is not an identifier")
        elif item.value is None:
            out[key] = None
        elif isinstance(item.value, str) and _IDENTIFIER.match(item.value):
            out[key] = item.value
        else:
            r.error(item, f"{where}.{key}", "expected an identifier, or null to only flag it")
    return out


def _read_count(r: _Reader, value: Located | None, where: str) -> int | None:
    """A number of arguments (0 or more), or None when not given."""
    if value is None:
        return None
    if isinstance(value.value, bool) or not isinstance(value.value, int) or value.value < 0:
        r.error(value, where, "expected a number of arguments (0 or more)")
        return None
    return value.value


def _read_literals(
    r: _Reader, value: Located | None, where: str
) -> dict[str, dict[str, str | int | None]]:
    """A keyword fix's `values`: per keyword, old string literal → new literal (a string or a
    number), or null where the old API dropped the argument."""
    if value is None:
        return {}
    if not isinstance(value.value, dict) or not value.value:
        r.error(value, where, f"expected a non-empty mapping, found {value.kind()}")
        return {}
    out: dict[str, dict[str, str | int | None]] = {}
    for keyword, item in cast(dict[str, Located], value.value).items():
        if not _IDENTIFIER.match(keyword):
            r.error(item, f"{where}.{keyword}", f"{keyword!r} is not an identifier")
            continue
        if not isinstance(item.value, dict) or not item.value:
            r.error(
                item, f"{where}.{keyword}", f"expected a non-empty mapping, found {item.kind()}"
            )
            continue
        literals: dict[str, str | int | None] = {}
        for old, new in cast(dict[str, Located], item.value).items():
            if new.value is None or (
                isinstance(new.value, str | int) and not isinstance(new.value, bool)
            ):
                literals[old] = new.value
            else:
                r.error(new, f"{where}.{keyword}.{old}", "expected a string, a number or null")
        out[keyword] = literals
    return out


def _read_context(r: _Reader, value: Located | None, where: str) -> Template | None:
    """A call fix's `as-context`: the expression that replaces `CALL.as_default()`."""
    text = r.text(value, where)
    if value is None or text is None:
        return None
    try:
        return Template.parse("", text)
    except TemplateError as exc:
        r.error(value, where, str(exc))
        return None


def _read_template(r: _Reader, items: dict[str, Located], where: str) -> Template | None:
    """A call fix's signature and template, with its coercion, exact-when and aliases."""
    template: Template | None = None
    raw_signature = items["signature"]
    # An empty signature is a function without parameters.
    signature = "" if raw_signature.value == "" else r.text(raw_signature, f"{where}.signature")
    text = r.text(items["template"], f"{where}.template")
    coerce = {
        name: coercion
        for coercion in COERCIONS
        if (name := r.text(items.get(coercion), f"{where}.{coercion}", _IDENTIFIER, "a name"))
    }
    if len(coerce) > 1:
        r.error(items["int-to-list"], f"{where}.int-to-list", "one coercion per fix")
    exact_when = r.text_map(items.get("exact-when"), f"{where}.exact-when")
    aliases = r.text_map(items.get("aliases"), f"{where}.aliases", _IDENTIFIER, "a keyword")
    literal = r.text_list(items.get("literal"), f"{where}.literal", _IDENTIFIER, "a name")
    if signature is not None and text is not None and len(coerce) <= 1:
        try:
            template = Template.parse(signature, text, coerce, exact_when, aliases, literal=literal)
        except TemplateError as exc:
            field_name = f"{where}.{exc.field}"
            r.error(items[exc.field], field_name, str(exc))
    return template


def _read_fix(r: _Reader, value: Located, where: str) -> Fix | None:
    items = r.mapping(
        value, where, {"kind", "safety", "reason"} | set().union(*_FIX_FIELDS.values()), {"kind"}
    )
    if items is None:
        return None
    kind = r.choice(items.get("kind"), f"{where}.kind", FIX_KINDS)
    if kind is None:
        return None
    allowed = _FIX_FIELDS[kind] | ({"safety", "reason"} if kind != "manual" else set())
    for key, item in items.items():
        if (
            key != "kind"
            and key not in allowed
            and key in {"safety", "reason"} | set().union(*_FIX_FIELDS.values())
        ):
            r.error(item, f"{where}.{key}", f"not used by a '{kind}' fix")
    for key in sorted(_FIX_REQUIRED.get(kind, set()) - items.keys()):
        r.error(value, where, f"a '{kind}' fix needs '{key}'")
    safety: str | None = None
    reason: str | None = None
    if kind != "manual":
        if "safety" not in items:
            r.error(value, where, "missing required field 'safety'")
        safety = r.choice(items.get("safety"), f"{where}.safety", ("safe", "unsafe"))
        reason = r.text(items.get("reason"), f"{where}.reason")
        if safety == "unsafe" and reason is None and "reason" not in items:
            r.error(value, where, "an unsafe fix needs a 'reason'")
    to = r.text(items.get("to"), f"{where}.to", QUALNAME_PATTERN, "a qualified name")
    mapping = r.text_map(items.get("map"), f"{where}.map", QUALNAME_PATTERN, "a qualified name")
    for api, replacement in mapping.items():
        if not QUALNAME_PATTERN.match(replacement):
            r.error(items["map"], f"{where}.map.{api}", f"{replacement!r} is not a qualified name")
    if kind == "replace" and to is None and not mapping and "to" not in items:
        r.error(value, where, "a 'replace' fix needs 'to' or 'map'")
    method, adds = _read_method(r, items.get("method"), f"{where}.method")
    if kind == "compat-v1" and to is not None and not to.startswith("tensorflow.compat.v1."):
        r.error(items["to"], f"{where}.to", "a compat-v1 fix must point into tensorflow.compat.v1")
    template = (
        _read_template(r, items, where)
        if kind == "call" and "signature" in items and "template" in items
        else None
    )
    positional = r.text_list(
        items.get("positional"), f"{where}.positional", _IDENTIFIER, "an identifier"
    )
    if kind == "keyword" and not items.keys() & {"rename", "positional", "values", "drop"}:
        r.error(value, where, "a 'keyword' fix needs 'rename', 'positional', 'values' or 'drop'")
    graph_safe = False
    if "safe-in-graph-code" in items:
        raw_graph = items["safe-in-graph-code"]
        if not isinstance(raw_graph.value, bool):
            r.error(
                raw_graph,
                f"{where}.safe-in-graph-code",
                f"expected true or false, found {raw_graph.kind()}",
            )
        elif raw_graph.value and safety != "unsafe":
            r.error(
                raw_graph,
                f"{where}.safe-in-graph-code",
                "only an unsafe fix can be safe in graph code",
            )
        else:
            graph_safe = raw_graph.value
    keep = _read_count(r, items.get("keep"), f"{where}.keep")
    max_positional = _read_count(r, items.get("max-positional"), f"{where}.max-positional")
    return Fix(
        kind=cast(FixKind, kind),
        safety=cast(Safety | None, safety),
        reason=reason,
        to=to,
        map=mapping,
        values=r.text_map(items.get("values"), f"{where}.values") if kind != "keyword" else {},
        template=template,
        as_context=_read_context(r, items.get("as-context"), f"{where}.as-context"),
        rename=_read_rename(r, items.get("rename"), f"{where}.rename"),
        positional=positional,
        keep=1 if keep is None else keep,
        max_positional=max_positional,
        literals=_read_literals(r, items.get("values"), f"{where}.values")
        if kind == "keyword"
        else {},
        drop=frozenset(
            r.text_list(items.get("drop"), f"{where}.drop", _IDENTIFIER, "an identifier")
        ),
        safe_in_graph_code=graph_safe,
        method=method,
        adds=adds,
    )


def _read_method(r: _Reader, value: Located | None, where: str) -> tuple[str | None, str]:
    """A `method` fix's source and the name it defines: one `def`, `{to}` in it a name."""
    text = r.text(value, where)
    if text is None or value is None:
        return None, ""
    try:
        tree = ast.parse(textwrap.dedent(text.replace("{to}", "_to")))
    except SyntaxError as error:
        r.error(value, where, f"not Python: {error.msg}")
        return None, ""
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        r.error(value, where, "expected one function definition")
        return None, ""
    return textwrap.dedent(text).strip("\n"), tree.body[0].name


def _read_examples(
    r: _Reader, value: Located | None, where: str, fix: Fix | None
) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if value is None:
        return (), ()
    items = r.mapping(value, where, {"invalid", "valid"}, set())
    if items is None:
        return (), ()
    groups: dict[str, list[Example]] = {"invalid": [], "valid": []}
    for group in ("invalid", "valid"):
        seq = items.get(group)
        if seq is None:
            continue
        if not isinstance(seq.value, list):
            r.error(seq, f"{where}.{group}", f"expected a list, found {seq.kind()}")
            continue
        for i, entry in enumerate(cast(list[Located], seq.value)):
            at = f"{where}.{group}[{i}]"
            allowed = {"code", "fixed"} if group == "invalid" else {"code"}
            fields = r.mapping(entry, at, allowed, {"code"})
            if fields is None:
                continue
            code = r.text(fields.get("code"), f"{at}.code")
            fixed = r.text(fields.get("fixed"), f"{at}.fixed") if "fixed" in fields else None
            if fix is not None and group == "invalid":
                if fix.fixable and fixed is None and "fixed" not in fields:
                    r.error(entry, at, "an example of a fixable rule needs 'fixed'")
                if not fix.fixable and "fixed" in fields:
                    r.error(fields["fixed"], f"{at}.fixed", "a manual rule has no fixed text")
            if code is not None:
                groups[group].append(Example(code=code, fixed=fixed, line=entry.line))
    return tuple(groups["invalid"]), tuple(groups["valid"])


def _read_probe(
    r: _Reader, value: Located | None, where: str, base: Probe | None = None
) -> Probe | None:
    """A probe; a target's probe takes `setup`, `cases`, `old`, `compare` and `tolerance` from
    `base`."""
    if value is None:
        return None
    fields = {"setup", "cases", "differing", "old", "new", "compare", "tolerance"}
    items = r.mapping(value, where, fields, {"new"})
    if items is None:
        return None
    inherited = base or Probe(setup="", old="", new="")
    setup = inherited.setup if "setup" not in items else r.text(items["setup"], f"{where}.setup")
    old = r.text(items.get("old"), f"{where}.old") if "old" in items else inherited.old
    new = r.text(items.get("new"), f"{where}.new")
    compare: tuple[str, ...] = inherited.compare
    if "compare" in items:
        compare = r.text_list(items["compare"], f"{where}.compare")
        for aspect in compare:
            if aspect not in PROBE_ASPECTS:
                r.error(
                    items["compare"],
                    f"{where}.compare",
                    f"{aspect!r} is not one of {', '.join(PROBE_ASPECTS)}",
                )
    cases = inherited.cases
    if "cases" in items:
        cases = r.text_list(items["cases"], f"{where}.cases")
    # What differs is the replacement's own: a target's probe does not inherit it.
    differing = r.text_list(items.get("differing"), f"{where}.differing")
    if differing and not cases:
        r.error(items["differing"], f"{where}.differing", "needs the probe's cases")
    tolerance = inherited.tolerance
    if "tolerance" in items:
        raw = items["tolerance"].value
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw < 0:
            r.error(items["tolerance"], f"{where}.tolerance", "expected a non-negative number")
        else:
            tolerance = float(raw)
    for label, text in (("setup", setup), ("old", old), ("new", new)):
        if text:
            mode = "exec" if label == "setup" else "eval"
            try:
                compile(text, f"<probe {label}>", mode)
            except SyntaxError as exc:
                r.error(items[label], f"{where}.{label}", f"not valid Python: {exc.msg}")
    for label in ("cases", "differing"):
        for index, case in enumerate(cases if label == "cases" else differing):
            try:
                compile(case, "<probe case>", "exec")
            except SyntaxError as exc:
                at = items.get(label) or value
                r.error(at, f"{where}.{label}[{index}]", f"not valid Python: {exc.msg}")
    if setup is None or old is None or new is None:
        return None
    return Probe(
        setup=setup,
        old=old,
        new=new,
        compare=compare,
        tolerance=tolerance,
        cases=cases,
        differing=differing,
    )


_WHEN_FIELDS = {
    "keywords",
    "positional",
    "first-argument",
    "numbers",
    "passed",
    "subclassed",
    "super-calls",
    "through",
    "eager-code",
}


def _read_when(r: _Reader, value: Located | None, where: str) -> When | None:
    if value is None:
        return None
    items = r.mapping(value, where, _WHEN_FIELDS, set())
    if items is None:
        return None
    if not items:
        r.error(value, where, "name 'keywords', 'positional', 'first-argument', 'numbers' or more")
        return None
    listed = items.get("numbers")
    is_list = listed is not None and isinstance(listed.value, list)
    indexes = [i.value for i in cast(list[Located], listed.value)] if listed and is_list else []
    numbers = tuple(i for i in indexes if type(i) is int and i >= 0)
    if listed is not None and (not indexes or len(numbers) != len(indexes)):
        r.error(listed, f"{where}.numbers", "expected a list of argument positions (0 or more)")
    subclassed = r.text_list(
        items.get("subclassed"), f"{where}.subclassed", _IDENTIFIER, "an identifier"
    )
    super_calls = r.text_list(
        items.get("super-calls"), f"{where}.super-calls", _IDENTIFIER, "an identifier"
    )
    if super_calls and not subclassed:
        r.error(items["super-calls"], f"{where}.super-calls", "only with 'subclassed'")
    through = r.text_list(items.get("through"), f"{where}.through", _IDENTIFIER, "an identifier")
    eager_code = False
    if "eager-code" in items:
        if items["eager-code"].value is not True:
            r.error(items["eager-code"], f"{where}.eager-code", "expected true")
        elif len(items) > 1:
            r.error(items["eager-code"], f"{where}.eager-code", "only on its own")
        eager_code = True
    passed = False
    if "passed" in items:
        if items["passed"].value is not True:
            r.error(items["passed"], f"{where}.passed", "expected true")
        passed = True
    first = r.choice(items.get("first-argument"), f"{where}.first-argument", ("string",))
    keywords = r.text_list(items.get("keywords"), f"{where}.keywords", _IDENTIFIER, "an identifier")
    positional: int | None = None
    if "positional" in items:
        raw = items["positional"].value
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            r.error(items["positional"], f"{where}.positional", "expected a count (1 or more)")
        else:
            positional = raw
    return When(
        frozenset(keywords),
        positional,
        cast(Literal["string"] | None, first),
        numbers,
        passed,
        frozenset(subclassed),
        frozenset(super_calls),
        frozenset(through),
        eager_code,
    )


def _read_targets(
    r: _Reader, value: Located | None, where: str, probe: Probe | None, require_examples: bool
) -> dict[str, Override]:
    """Per-target overrides: `skip`, or a mapping of the rule fields that differ."""
    if value is None:
        return {}
    if not isinstance(value.value, dict) or not value.value:
        r.error(value, where, f"expected a mapping of targets, found {value.kind()}")
        return {}
    out: dict[str, Override] = {}
    aliases: dict[str, Located] = {}
    for target, item in cast(dict[str, Located], value.value).items():
        at = f"{where}.{target}"
        if target not in TARGETS:
            r.error(item, at, f"unknown target (known: {', '.join(TARGETS)})")
            continue
        if item.value == SKIP:
            out[target] = Override(skip=True)
            continue
        if item.value in TARGETS and item.value != target:
            out[target] = Override(same_as=cast(MigrationTarget, item.value))
            aliases[target] = item
            continue
        if not isinstance(item.value, dict):
            r.error(
                item,
                at,
                f"expected '{SKIP}', a target or a mapping of rule fields, found {item.kind()}",
            )
            continue
        fields = r.mapping(item, at, _OVERRIDE_FIELDS, set())
        if fields is None:
            continue
        if not fields:
            r.error(
                item, at, f"name the fields that differ ({', '.join(sorted(_OVERRIDE_FIELDS))})"
            )
            continue
        fix = _read_fix(r, fields["fix"], f"{at}.fix") if "fix" in fields else None
        examples = fields.get("examples")
        invalid, valid = _read_examples(r, examples, f"{at}.examples", fix)
        if fix is not None and fix.fixable and require_examples and not invalid:
            r.error(
                examples or item,
                f"{at}.examples",
                "a target with a fix of its own needs invalid examples of it",
            )
        out[target] = Override(
            message=r.text(fields.get("message"), f"{at}.message"),
            explanation=r.text(fields.get("explanation"), f"{at}.explanation"),
            fix=fix,
            probe=_read_probe(r, fields.get("probe"), f"{at}.probe", probe),
            invalid=invalid if examples is not None else None,
            valid=valid if examples is not None else None,
        )
    for target, item in aliases.items():
        other = out[target].same_as
        if other not in out or out[other].same_as is not None or out[other].skip:
            r.error(
                item,
                f"{where}.{target}",
                f"'{other}' must be a target with fields of its own here",
            )
    return out


def _read_rule(r: _Reader, value: Located, where: str, require_examples: bool) -> Rule | None:
    items = r.mapping(value, where, _RULE_FIELDS, _RULE_REQUIRED)
    if items is None:
        return None
    before = len(r.errors)
    code = r.text(items.get("code"), f"{where}.code", CODE_PATTERN, "a code like TFM401")
    name = r.text(items.get("name"), f"{where}.name", NAME_PATTERN, "a kebab-case name")
    apis = r.text_list(items.get("apis"), f"{where}.apis", QUALNAME_PATTERN, "a qualified name")
    status = r.choice(items.get("status"), f"{where}.status", STATUSES)
    since = r.text_map(items.get("since"), f"{where}.since")
    for package, version in since.items():
        if package not in SINCE_PACKAGES:
            r.error(
                items["since"],
                f"{where}.since.{package}",
                f"unknown package (known: {', '.join(SINCE_PACKAGES)})",
            )
        elif not VERSION_PATTERN.match(version):
            r.error(items["since"], f"{where}.since.{package}", f"{version!r} is not a version")
    severity = r.choice(items.get("severity"), f"{where}.severity", SEVERITIES)
    message = r.text(items.get("message"), f"{where}.message")
    explanation = r.text(items.get("explanation"), f"{where}.explanation")
    fix = _read_fix(r, items["fix"], f"{where}.fix") if "fix" in items else None
    invalid, valid = _read_examples(r, items.get("examples"), f"{where}.examples", fix)
    if require_examples and not invalid:
        r.error(
            items.get("examples", value),
            f"{where}.examples",
            "a built-in rule needs at least one invalid example",
        )
    probe = _read_probe(r, items.get("probe"), f"{where}.probe")
    when = _read_when(r, items.get("when"), f"{where}.when")
    targets = _read_targets(r, items.get("targets"), f"{where}.targets", probe, require_examples)
    any_receiver = r.choice(items.get("receiver"), f"{where}.receiver", ("any",)) == "any"
    if any_receiver:
        for api in apis:
            if instance_attribute(api) is None:
                r.error(
                    items["receiver"],
                    f"{where}.receiver",
                    f"{api}: receiver: any needs methods, named as class.method",
                )
    if when is not None and when.through and not any_receiver:
        r.error(items["when"], f"{where}.when.through", "only with 'receiver: any'")
    if fix is not None:
        for api in fix.map:
            if api not in apis:
                r.error(items["fix"], f"{where}.fix.map.{api}", "not one of the rule's apis")
        if fix.kind == "compat-v1" and not fix.to:
            for api in apis:
                if api not in fix.map and not api.startswith("tensorflow."):
                    r.error(
                        items["apis"],
                        f"{where}.apis",
                        f"{api}: a compat-v1 fix without 'to' needs tensorflow.* apis",
                    )
        if message is not None and "{to}" in message:
            for api in apis:
                if fix.to_for(api) is None:
                    r.error(
                        items["message"],
                        f"{where}.message",
                        f"{{to}} needs a replacement for every api; {api} has none",
                    )
                    break
    if len(r.errors) > before:
        return None
    # Every field was validated above: an error would have returned.
    assert code is not None
    assert name is not None
    assert status is not None
    assert severity is not None
    assert message is not None
    assert explanation is not None
    assert fix is not None
    return Rule(
        code=code,
        name=name,
        apis=apis,
        status=cast(Status, status),
        since=since,
        severity=cast(Severity, severity),
        message=message,
        explanation=explanation,
        fix=fix,
        invalid=invalid,
        valid=valid,
        probe=probe,
        when=when,
        origin=f"{r.path}:{value.line}",
        targets=targets,
        any_receiver=any_receiver,
    )


def parse_rules(
    root: Located, path: str, *, builtin: bool, including: tuple[Path, ...] = ()
) -> list[Rule]:
    """Validate a parsed rules file and return its rules, or raise CatalogError.

    Rules of the files named by `include` come first; a rule of this file replaces an included
    one with the same code or name (hand-written rules win over generated tables).
    """
    r = _Reader(path)
    # `x-` keys hold YAML anchors that rules refer to (`cases: *tensors`); they are not read.
    extensions = {key for key in root.value if key.startswith("x-")} if isinstance(
        root.value, dict
    ) else set()  # fmt: skip
    allowed = {"schema", "rules", "include"} | extensions
    top = r.mapping(root, "", allowed, {"schema", "rules"})
    included = _included_rules(r, top.get("include") if top else None, builtin, including)
    rules: list[Rule] = []
    if top is not None:
        schema = top.get("schema")
        if schema is not None and schema.value != 1:
            r.error(schema, "schema", f"unsupported schema {schema.value!r} (this tfmend reads 1)")
        seq = top.get("rules")
        if seq is not None and not isinstance(seq.value, list):
            r.error(seq, "rules", f"expected a list, found {seq.kind()}")
        elif seq is not None:
            seen_codes: dict[str, int] = {}
            seen_names: dict[str, int] = {}
            for i, entry in enumerate(cast(list[Located], seq.value)):
                rule = _read_rule(r, entry, f"rules[{i}]", builtin)
                if rule is None:
                    continue
                for key, seen, label in (
                    (rule.code, seen_codes, "code"),
                    (rule.name, seen_names, "name"),
                ):
                    if key in seen:
                        r.error(
                            entry,
                            f"rules[{i}].{label}",
                            f"duplicate {label} {key!r} (first at line {seen[key]})",
                        )
                    seen[key] = entry.line
                rules.append(rule)
    if r.errors:
        raise CatalogError(r.errors)
    own = {rule.code for rule in rules} | {rule.name for rule in rules}
    kept = [rule for rule in included if rule.code not in own and rule.name not in own]
    return [*kept, *rules]


def _included_rules(
    r: _Reader, value: Located | None, builtin: bool, including: tuple[Path, ...]
) -> list[Rule]:
    """The rules of the files an `include` list names, relative to the including file."""
    if value is None:
        return []
    if not isinstance(value.value, list):
        r.error(value, "include", f"expected a list of file names, found {value.kind()}")
        return []
    here = Path(r.path)
    found: list[Rule] = []
    codes: dict[str, str] = {}
    for i, item in enumerate(cast(list[Located], value.value)):
        where = f"include[{i}]"
        if not isinstance(item.value, str) or not item.value:
            r.error(item, where, f"expected a file name, found {item.kind()}")
            continue
        target = (here.parent / item.value).resolve()
        if target in including or target == here.resolve():
            r.error(item, where, f"{item.value} includes itself")
            continue
        if not target.is_file():
            r.error(item, where, f"no such rules file: {item.value}")
            continue
        try:
            loaded = parse_rules(
                load_located_file(target),
                str(here.parent / item.value),
                builtin=builtin,
                including=(*including, here.resolve()),
            )
        except LocatedError as exc:
            r.errors.append(exc)
            continue
        except CatalogError as exc:
            r.errors.extend(exc.errors)
            continue
        for rule in loaded:
            if rule.code in codes:
                r.error(
                    item, where, f"{item.value}: code {rule.code} is also in {codes[rule.code]}"
                )
                continue
            codes[rule.code] = item.value
            found.append(rule)
    return found


def load_rules_file(path: Path, *, builtin: bool = False) -> list[Rule]:
    """Load and validate one rules file."""
    try:
        root = load_located_file(path)
    except LocatedError as exc:
        raise CatalogError([exc]) from exc
    return parse_rules(root, str(path), builtin=builtin)


def code_order(code: str) -> tuple[str, int, str]:
    """Sort key for rule codes: by prefix, then by number, so TFM101 comes before TFM1000."""
    digits = code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    prefix = code[: len(code) - len(digits)]
    return (prefix, int(digits) if digits.isdigit() else -1, code)


class Catalog:
    """The merged set of rules, indexed by code and by API."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.by_code: dict[str, Rule] = {}
        for rule in rules:
            self.by_code[rule.code] = rule
        self.by_api: dict[str, list[Rule]] = {}
        for rule in self.by_code.values():
            for api in rule.apis:
                self.by_api.setdefault(api, []).append(rule)
        self.instance_attributes: dict[str, list[tuple[str, Rule]]] = {}
        """Attribute name → (class, rule) for APIs like `keras.optimizers.Optimizer.lr`."""
        self.any_receiver: dict[str, list[tuple[str, Rule]]] = {}
        """The same, for rules matching the attribute on any receiver (`receiver: any`)."""
        for api, api_rules in self.by_api.items():
            found = instance_attribute(api)
            if found is not None:
                for rule in api_rules:
                    index = self.any_receiver if rule.any_receiver else self.instance_attributes
                    index.setdefault(found[1], []).append((found[0], rule))

    def rules(self) -> list[Rule]:
        """All rules, by code."""
        return sorted(self.by_code.values(), key=lambda rule: code_order(rule.code))

    def __len__(self) -> int:
        return len(self.by_code)

    def selected(self, keep: Callable[[str], bool]) -> Catalog:
        """A catalog of the rules whose codes `keep` accepts."""
        return Catalog(rule for rule in self.by_code.values() if keep(rule.code))

    def for_target(self, target: MigrationTarget) -> Catalog:
        """The rules as they apply under a migration target."""
        return Catalog(
            found for rule in self.by_code.values() if (found := rule.for_target(target))
        )

    def with_rules(self, extra: Iterable[Rule]) -> Catalog:
        """A new catalog where `extra` adds rules and replaces rules with the same code."""
        return Catalog([*self.by_code.values(), *extra])


@cache
def builtin_catalog() -> Catalog:
    """The catalog shipped with tfmend (loaded once per process, from the user cache when it
    was built before from the same files)."""
    from tfmend.catalog.cached import default_cache_dir, load_cached

    package = Path(__file__).parent
    sources = [*BUILTIN_CATALOG.parent.glob("*.yaml"), *package.glob("*.py")]
    return load_cached(build_builtin_catalog, Catalog, sources, default_cache_dir())


def build_builtin_catalog() -> Catalog:
    """The catalog shipped with tfmend, built from its rule files."""
    return Catalog(load_rules_file(BUILTIN_CATALOG, builtin=True))


DOCS_URL = "https://github.com/tfmend/tfmend/blob/main/docs/rules/{code}.md"


def docs_url(code: str) -> str:
    """The address of a code's docs page."""
    return DOCS_URL.format(code=code)
