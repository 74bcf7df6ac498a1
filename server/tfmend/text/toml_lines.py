"""The line each key of a TOML document is set on, for messages that point at a setting."""

from __future__ import annotations

import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGNMENT = re.compile(rf"^\s*({_DOTTED})\s*=")


def _keys(dotted: str) -> tuple[str, ...]:
    """The keys of a dotted key, unquoted by TOML's own rules (`a."b.c"` is a, b.c)."""
    try:
        table = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return ()
    parts: list[str] = []
    while isinstance(table, dict) and len(table) == 1:
        key, table = next(iter(table.items()))
        parts.append(key)
    return tuple(parts)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line where each table and key (as its full path of keys) first appears.

    A line scan, not a parser: it runs on text tomllib has accepted, and a line inside a
    multi-line string that looks like `key = ...` may be taken for a key.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _keys(header.group(1))
            path: tuple[str, ...] = table
        else:
            assignment = _ASSIGNMENT.match(line)
            if not assignment:
                continue
            path = table + _keys(assignment.group(1))
        for end in range(1, len(path) + 1):
            lines.setdefault(path[:end], number)
    return lines


def line_of(text: str, path: tuple[str, ...]) -> int:
    """The line of a key, else of its nearest enclosing key or table that is written out."""
    lines = key_lines(text)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1
