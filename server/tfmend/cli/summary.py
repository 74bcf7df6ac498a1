"""A migration's figures: the findings of a tree counted the ways a team reads them."""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, TypeVar

from tfmend import __version__
from tfmend.api import versions_of
from tfmend.catalog.families import family_of
from tfmend.catalog.meta import META_CODES
from tfmend.catalog.rules import Catalog, MigrationTarget, Severity
from tfmend.cli.report import finding_json
from tfmend.config import Settings
from tfmend.findings import Finding
from tfmend.resolve.surface import Surface
from tfmend.results import FileResult
from tfmend.text.source import LineIndex

K = TypeVar("K", bound=Hashable)

FixKind = Literal["safe", "unsafe", "manual"]
KINDS: tuple[FixKind, ...] = ("safe", "unsafe", "manual")


def kind_of(fix: str) -> FixKind:
    """A finding's `fix` (`safe`, `unsafe`, `none`) as the report names it."""
    if fix == "safe":
        return "safe"
    return "unsafe" if fix == "unsafe" else "manual"


@dataclass(frozen=True)
class Counts:
    """Findings counted by fix kind."""

    safe: int = 0
    unsafe: int = 0
    manual: int = 0

    @property
    def total(self) -> int:
        """All findings."""
        return self.safe + self.unsafe + self.manual

    def of(self, kind: FixKind) -> int:
        """The count of one kind."""
        return {"safe": self.safe, "unsafe": self.unsafe, "manual": self.manual}[kind]

    @staticmethod
    def of_kinds(kinds: Iterable[FixKind]) -> Counts:
        """Counts of a sequence of kinds."""
        counted = Counter(kinds)
        return Counts(counted["safe"], counted["unsafe"], counted["manual"])


@dataclass(frozen=True)
class Item:
    """One finding as the report lists it; positions as `check --format json` prints them."""

    path: str
    """As `check` displays it: relative to the working directory when under it."""
    line: int
    column: int
    cell: int | None
    code: str
    rule: str
    """The rule's name (`keras-backend-mean`)."""
    message: str
    severity: Severity
    kind: FixKind
    docs: str
    source_line: str
    """The text of the line the finding is on."""
    note: str = ""
    """Why a rule's fix does not apply here, or why the fix is unsafe."""


@dataclass(frozen=True)
class Group:
    """Findings of one directory, family or code."""

    key: str
    title: str
    counts: Counts
    files: int = 0
    """Files with findings in the group (directories)."""


@dataclass(frozen=True)
class FileFixes:
    """What `tfmend fix` does to one file with findings."""

    path: str
    counts: Counts
    fixes: int
    """Fixes it applies with the current settings."""
    left: int
    """Findings left afterwards."""


@dataclass(frozen=True)
class Checked:
    """What the code was checked against."""

    target: str
    tensorflow: str
    keras: str
    legacy_keras: bool
    versions_from: str
    """Where the versions come from, as a sentence fragment."""
    surface: str | None
    """The interpreter whose installed API surface was read, or None (the catalog alone)."""


@dataclass(frozen=True)
class Summary:
    """Everything a migration report shows."""

    paths: tuple[str, ...]
    directory: str
    """The working directory, which the paths are relative to."""
    files_checked: int
    items: tuple[Item, ...]
    kinds: Counts
    families: tuple[Group, ...]
    directories: tuple[Group, ...]
    codes: tuple[Group, ...]
    files: tuple[FileFixes, ...]
    fixes_now: int
    """Fixes `tfmend fix` applies now, with the current settings."""
    files_fixed_now: int
    left_after_fix: int
    unsafe_fixes: bool
    """Whether the settings let `tfmend fix` apply unsafe fixes."""
    checked: Checked
    version: str = __version__
    generated: str = field(
        default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    )

    @property
    def files_with_findings(self) -> int:
        """Files that have at least one finding."""
        return len(self.files)

    @property
    def manual(self) -> tuple[Item, ...]:
        """The findings that need a person: no automatic fix."""
        return tuple(item for item in self.items if item.kind == "manual")

    @property
    def unsafe(self) -> tuple[Item, ...]:
        """The findings whose fix needs `--unsafe-fixes` and a review."""
        return tuple(item for item in self.items if item.kind == "unsafe")


def summarize(
    results: Sequence[FileResult],
    *,
    paths: Sequence[str],
    catalog: Catalog,
    settings: Settings,
    surface: Surface | None,
) -> Summary:
    """The figures of a fix run (`Engine.fix_file` results: findings, applied, remaining)."""
    items = items_of(results, catalog, settings.target)
    files = tuple(
        FileFixes(
            path=str(finding_json(result, result.findings[0])["path"]),
            counts=Counts.of_kinds(kind_of(f.fix) for f in result.findings),
            fixes=len(result.applied),
            left=len(result.remaining),
        )
        for result in results
        if result.findings
    )
    return Summary(
        paths=tuple(paths),
        directory=str(Path.cwd()),
        files_checked=len(results),
        items=items,
        kinds=Counts.of_kinds(item.kind for item in items),
        families=_groups(items, lambda i: family_of(i.code), lambda f: (f.prefix, f.title)),
        directories=_directories(items),
        codes=_groups(items, lambda i: (i.code, i.rule), lambda code_name: code_name),
        files=files,
        fixes_now=sum(len(r.applied) for r in results),
        files_fixed_now=sum(1 for r in results if r.fixed_text is not None),
        left_after_fix=sum(len(r.remaining) for r in results),
        unsafe_fixes=settings.unsafe_fixes,
        checked=_checked(settings, surface),
    )


def items_of(
    results: Sequence[FileResult], catalog: Catalog, target: MigrationTarget
) -> tuple[Item, ...]:
    """Every finding of a run as a report lists it, in `check`'s order."""
    rules = catalog.for_target(target)
    names = {meta.code: meta.name for meta in META_CODES}
    names.update({rule.code: rule.name for rule in rules.rules()})
    reasons = {rule.code: rule.fix.reason for rule in rules.rules() if rule.fix.reason}
    items: list[Item] = []
    for result in results:
        if result.findings:
            lines = _lines_of(result)
            items.extend(_item(result, f, lines, names, reasons) for f in result.findings)
    return tuple(items)


def _lines_of(result: FileResult) -> LineIndex:
    """The line table of the text the findings' positions refer to."""
    if result.notebook is not None:
        return LineIndex(result.notebook.text)
    return LineIndex(result.source.text if result.source is not None else "")


def _item(
    result: FileResult,
    finding: Finding,
    lines: LineIndex,
    names: Mapping[str, str],
    reasons: Mapping[str, str],
) -> Item:
    shown = finding_json(result, finding)
    line = finding.span.start.line
    source_line = lines.line_text(line) if line < lines.line_count else ""
    kind = kind_of(finding.fix)
    note = finding.fix_note or (reasons.get(finding.code, "") if kind == "unsafe" else "")
    return Item(
        path=shown["path"],
        line=shown["start"]["line"],
        column=shown["start"]["column"],
        cell=shown.get("cell"),
        code=finding.code,
        rule=names.get(finding.code, finding.code.lower()),
        message=finding.message,
        severity=finding.severity,
        kind=kind,
        docs=shown["docs"],
        source_line=source_line,
        note=note,
    )


def _groups(
    items: Sequence[Item],
    key_of: Callable[[Item], K],
    describe: Callable[[K], tuple[str, str]],
) -> tuple[Group, ...]:
    """Findings grouped by a key (described as key text and title), most first, then by key."""
    grouped: dict[K, list[Item]] = defaultdict(list)
    for item in items:
        grouped[key_of(item)].append(item)
    groups = [
        Group(*describe(key), Counts.of_kinds(m.kind for m in members))
        for key, members in grouped.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.counts.total, g.key)))


def _directories(items: Sequence[Item]) -> tuple[Group, ...]:
    """Findings per directory of the files they are in, most first."""
    grouped: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        grouped[posixpath.dirname(item.path) or "."].append(item)
    groups = [
        Group(
            directory,
            directory,
            Counts.of_kinds(m.kind for m in members),
            files=len({m.path for m in members}),
        )
        for directory, members in grouped.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.counts.total, g.key)))


def _checked(settings: Settings, surface: Surface | None) -> Checked:
    """The target, and the versions as the engine takes them (see `api.Engine`)."""
    versions = settings.versions
    read = f"the API surface installed for `{surface.python}` was read" if surface else ""
    if settings.versions_from_config:
        versions_from = "`versions` in pyproject.toml" + (f"; {read}" if read else "")
    elif surface is not None:
        versions = versions_of(surface, versions)
        versions_from = f"the environment of `{surface.python}` (its API surface was read)"
    else:
        versions_from = (
            "tfmend's defaults (no TensorFlow in the checking environment: the rule catalog alone)"
        )
    return Checked(
        target=settings.target,
        tensorflow=versions.tensorflow,
        keras=versions.keras,
        legacy_keras=versions.legacy_keras,
        versions_from=versions_from,
        surface=surface.python if surface is not None else None,
    )
