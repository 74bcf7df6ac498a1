"""`tfmend check --statistics`: how many findings each code has, and how many `fix` handles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from tfmend.cli.summary import Counts, Item


@dataclass(frozen=True)
class CodeCount:
    """The findings of one code."""

    code: str
    name: str
    counts: Counts
    fixable: int
    """Those `tfmend fix` applies with the current settings."""


def code_counts(items: Sequence[Item], *, unsafe_fixes: bool) -> list[CodeCount]:
    """Per code, most findings first, then by code."""
    by_code: dict[str, list[Item]] = {}
    for item in items:
        by_code.setdefault(item.code, []).append(item)
    out = []
    for code, members in by_code.items():
        counts = Counts.of_kinds(m.kind for m in members)
        fixable = counts.safe + (counts.unsafe if unsafe_fixes else 0)
        out.append(CodeCount(code, members[0].rule, counts, fixable))
    return sorted(out, key=lambda c: (-c.counts.total, c.code))


def _marker(row: CodeCount) -> str:
    if row.fixable == row.counts.total:
        return "[*]"
    return "[~]" if row.fixable else "[ ]"


def statistics_text(items: Sequence[Item], *, unsafe_fixes: bool) -> str:
    """One line per code (`count  code  [*] name`), then what `fix` would do."""
    rows = code_counts(items, unsafe_fixes=unsafe_fixes)
    if not rows:
        return "All checks passed.\n"
    count_width = max(len(str(r.counts.total)) for r in rows)
    code_width = max(len(r.code) for r in rows)
    lines = [
        f"{r.counts.total:>{count_width}}  {r.code:<{code_width}}  {_marker(r)} {r.name}"
        for r in rows
    ]
    total = Counts(
        sum(r.counts.safe for r in rows),
        sum(r.counts.unsafe for r in rows),
        sum(r.counts.manual for r in rows),
    )
    fixable = total.safe + (total.unsafe if unsafe_fixes else 0)
    parts = [f"{fixable} fixable with `tfmend fix`"]
    if total.unsafe and not unsafe_fixes:
        parts.append(f"{total.unsafe} more with `tfmend fix --unsafe-fixes`")
    parts.append(f"{total.manual} to fix by hand")
    plural = "s" if total.total != 1 else ""
    lines.append(f"Found {total.total} problem{plural}: {', '.join(parts)}.")
    lines.append("[*] all fixable, [~] some, [ ] none, with the current settings.")
    return "\n".join(lines) + "\n"


def statistics_json(items: Sequence[Item], *, unsafe_fixes: bool) -> str:
    """A JSON list: code, name, count, fixable_count, and the count of each fix kind."""
    rows = code_counts(items, unsafe_fixes=unsafe_fixes)
    out = [
        {
            "code": r.code,
            "name": r.name,
            "count": r.counts.total,
            "fixable_count": r.fixable,
            "fix": {"safe": r.counts.safe, "unsafe": r.counts.unsafe, "manual": r.counts.manual},
        }
        for r in rows
    ]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
