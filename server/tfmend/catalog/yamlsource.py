"""YAML loading that keeps the line of every value and rejects duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's composer is several times faster on the large built-in catalog
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class LocatedError(Exception):
    """A problem at a line of a file, rendered as ``file:line: field: message``."""

    def __init__(self, path: str, line: int, field: str, message: str) -> None:
        self.path = path
        self.line = line
        # A key with a line break in it must not break the message in two.
        self.field = "".join(c if c.isprintable() else repr(c)[1:-1] for c in field)
        self.message = message
        where = f"{self.field}: " if field else ""
        super().__init__(f"{path}:{line}: {where}{message}")


@dataclass(frozen=True)
class Located:
    """A YAML value and the 1-based line it starts on; mappings and lists hold Located items."""

    value: Any
    line: int

    def kind(self) -> str:
        """The YAML kind of the value, for messages."""
        if isinstance(self.value, dict):
            return "a mapping"
        if isinstance(self.value, list):
            return "a list"
        if self.value is None:
            return "empty"
        if isinstance(self.value, str):
            return "a string"
        if isinstance(self.value, bool):
            return "a boolean"
        if isinstance(self.value, (int, float)):
            return "a number"
        return f"a {type(self.value).__name__}"


_constructor = yaml.constructor.SafeConstructor()


def _convert(node: yaml.Node, path: str, field: str) -> Located:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        items: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = _constructor.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise LocatedError(path, key_line, field, f"key {key!r} is not a string")
            if key in items:
                first = items[key].line
                raise LocatedError(
                    path, key_line, field, f"duplicate key {key!r} (first at line {first})"
                )
            child = f"{field}.{key}" if field else key
            items[key] = _convert(value_node, path, child)
        return Located(items, line)
    if isinstance(node, yaml.SequenceNode):
        return Located(
            [_convert(item, path, f"{field}[{i}]") for i, item in enumerate(node.value)], line
        )
    try:
        return Located(_constructor.construct_object(node, deep=True), line)
    except (ValueError, OverflowError) as exc:  # a date such as 2001-13-99
        raise LocatedError(path, line, field, f"cannot read {node.value!r}: {exc}") from exc


def load_located(text: str, path: str) -> Located:
    """Parse YAML text into Located values; syntax errors become LocatedError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            raise LocatedError(path, 1, "", "the file is empty")
        return _convert(node, path, "")
    except yaml.MarkedYAMLError as exc:  # syntax, or a value no safe constructor makes
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise LocatedError(path, line, "", f"YAML syntax: {exc.problem or exc}") from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, at an index
        line = text.count("\n", 0, exc.position) + 1
        raise LocatedError(path, line, "", f"YAML: {exc.reason} (#x{exc.character:04x})") from exc


def load_located_file(path: Path) -> Located:
    """Read and parse a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LocatedError(str(path), 1, "", f"cannot read: {exc}") from exc
    return load_located(text, str(path))
