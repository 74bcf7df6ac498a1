"""`tfmend check --format gitlab`: a GitLab code quality report (the Code Climate subset)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence

from tfmend.cli.summary import Item

SEVERITY = {"error": "major", "warning": "minor", "info": "info", "hint": "info"}
"""GitLab's severities are info, minor, major, critical and blocker."""


def _fingerprint(item: Item, occurrence: int) -> str:
    """Stable while lines move: the file, the code, the line's text, and which repeat it is."""
    key = "\0".join((item.path, item.code, item.source_line.strip(), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def gitlab_report(items: Sequence[Item]) -> str:
    """A JSON list of issues, one per finding."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for item in items:
        repeat = (item.path, item.code, item.source_line.strip())
        seen[repeat] += 1
        where = f" (cell {item.cell})" if item.cell is not None else ""
        issues.append(
            {
                "description": f"{item.code} {item.message}{where}",
                "check_name": item.code,
                "fingerprint": _fingerprint(item, seen[repeat]),
                "severity": SEVERITY[item.severity],
                "location": {"path": item.path, "lines": {"begin": item.line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
