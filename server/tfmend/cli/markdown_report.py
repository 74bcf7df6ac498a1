"""`tfmend report --format markdown`: the report as a pull-request comment (GitHub Markdown)."""

from __future__ import annotations

from collections.abc import Sequence

from tfmend.catalog.rules import docs_url
from tfmend.cli.charts import KIND_LABELS
from tfmend.cli.links import SourceLinks
from tfmend.cli.summary import KINDS, Group, Item, Summary

MAX_CHARS = 65_536
"""The most a GitHub comment holds."""
MAX_LISTED = 50
"""Findings listed one by one in each list (fewer when the comment would exceed MAX_CHARS)."""
MAX_GROUPS = 30
"""Directories and rules listed (families are few)."""


def _cell(text: str) -> str:
    """Text that cannot break a table row."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inline code that may itself hold backquotes."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_report(summary: Summary, links: SourceLinks) -> str:
    """The comment: totals, what `tfmend fix` does now, what needs a person, the breakdowns;
    within a comment's size, listing fewer findings one by one when needed."""
    listed = MAX_LISTED
    text = _render(summary, links, listed)
    while len(text) > MAX_CHARS and listed > 0:
        listed //= 2
        text = _render(summary, links, listed)
    return text


def _render(summary: Summary, links: SourceLinks, listed: int) -> str:
    kinds = summary.kinds
    checked = summary.checked
    out = [
        "## tfmend migration report",
        "",
        f"**{kinds.total}** finding{'s' if kinds.total != 1 else ''} in "
        f"**{summary.files_with_findings}** of {summary.files_checked} files: "
        f"**{kinds.safe}** safe fix{'es' if kinds.safe != 1 else ''}, "
        f"**{kinds.unsafe}** unsafe, **{kinds.manual}** need{'s' if kinds.manual == 1 else ''} "
        "a person.",
        "",
        f"Target `{checked.target}`, TensorFlow {checked.tensorflow}, Keras {checked.keras}"
        + (" (TF_USE_LEGACY_KERAS=1)" if checked.legacy_keras else "")
        + f"; versions from {checked.versions_from}. tfmend {summary.version}.",
        "",
        f"`tfmend fix{' --unsafe-fixes' if summary.unsafe_fixes else ''}` changes "
        f"{summary.fixes_now} place{'s' if summary.fixes_now != 1 else ''} in "
        f"{summary.files_fixed_now} file{'s' if summary.files_fixed_now != 1 else ''} now, "
        f"leaving {summary.left_after_fix}.",
        "",
        "| kind | findings |",
        "|---|---:|",
        *(f"| {KIND_LABELS[kind]} | {kinds.of(kind)} |" for kind in KINDS),
        "",
    ]
    out += _items("Needs a person", summary.manual, links, listed)
    out += _items("Unsafe fixes to review", summary.unsafe, links, listed)
    out += _groups("By rule family", "family", summary.families, len(summary.families))
    out += _groups("By directory", "directory", summary.directories, MAX_GROUPS)
    out += _groups("By rule", "rule", summary.codes, MAX_GROUPS, link=True)
    return "\n".join(out).rstrip("\n") + "\n"


def _items(title: str, items: Sequence[Item], links: SourceLinks, listed: int) -> list[str]:
    if not items:
        return []
    out = [
        "<details>",
        f"<summary><b>{title} ({len(items)})</b></summary>",
        "",
        "| where | rule | what |",
        "|---|---|---|",
    ]
    for item in items[:listed]:
        cell = f"cell {item.cell}:" if item.cell is not None else ""
        where = f"[{_cell(item.path)}:{cell}{item.line}]({links.url(item)})"
        what = _cell(item.message + (f" — {item.note}" if item.note else ""))
        out.append(f"| {where} | [{item.code}]({item.docs}) {item.rule} | {what} |")
    if len(items) > listed:
        out.append(f"\n… and {len(items) - listed} more (`tfmend report` lists them all).")
    out += ["", "</details>", ""]
    return out


def _groups(
    title: str, first: str, groups: Sequence[Group], limit: int, *, link: bool = False
) -> list[str]:
    if not groups:
        return []
    out = [
        "<details>",
        f"<summary><b>{title}</b></summary>",
        "",
        f"| {first} | " + " | ".join(KIND_LABELS[k] for k in KINDS) + " | total |",
        "|---|" + "---:|" * (len(KINDS) + 1),
    ]
    for group in groups[:limit]:
        label = _code(group.key)
        if link:
            label = f"[{label}]({docs_url(group.key)})"
        if group.title and group.title != group.key:
            label += f" {_cell(group.title)}"
        counts = " | ".join(str(group.counts.of(k)) for k in KINDS)
        out.append(f"| {label} | {counts} | {group.counts.total} |")
    if len(groups) > limit:
        out.append(f"\n… and {len(groups) - limit} more.")
    out += ["", "</details>", ""]
    return out
