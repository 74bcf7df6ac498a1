"""Jupyter notebooks: code cells joined into one module, findings mapped back, fixes split back."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_SEPARATOR = "#tfmend-cell-boundary"
_MAGIC = "#tfmend-magic:"


class NotebookError(Exception):
    """The notebook is not valid JSON in the nbformat shape."""


@dataclass
class Notebook:
    """A parsed notebook and its code cells as one virtual module."""

    data: dict[str, Any]
    indent: int
    code_cells: list[int]
    """Indices into data["cells"] of the code cells, in order."""
    text: str
    """The code cells joined by separator lines, magics commented out."""
    cell_starts: list[int]
    """The line in `text` where each code cell starts."""
    trailing_newline: bool

    def locate(self, line: int) -> tuple[int, int]:
        """(cell number among all cells, line within it) of a line of the virtual module."""
        index = 0
        for i, start in enumerate(self.cell_starts):
            if start <= line:
                index = i
        return self.code_cells[index], line - self.cell_starts[index]

    def with_text(self, text: str) -> str:
        """The notebook JSON with the code cells replaced from a fixed virtual module."""
        sources = split_cells(text, len(self.code_cells))
        cells = self.data["cells"]
        for cell_index, source in zip(self.code_cells, sources, strict=True):
            if isinstance(cells[cell_index].get("source"), list):
                cells[cell_index]["source"] = source.splitlines(keepends=True)
            else:
                cells[cell_index]["source"] = source
        out = json.dumps(self.data, indent=self.indent, ensure_ascii=False)
        return out + ("\n" if self.trailing_newline else "")


def join_cells(sources: list[str]) -> tuple[str, list[int]]:
    """Code cells as one module (magics commented out) and the line where each cell starts."""
    pieces: list[str] = []
    starts: list[int] = []
    line = 0
    for source in sources:
        starts.append(line)
        piece = _mask(source) + "\n" + _SEPARATOR + "\n"
        pieces.append(piece)
        line += piece.count("\n")
    joined = "".join(pieces)
    # The last separator is dropped so the module ends with the last cell.
    if joined.endswith(_SEPARATOR + "\n"):
        joined = joined[: -len(_SEPARATOR) - 1]
    return joined, starts


def split_cells(text: str, count: int) -> list[str]:
    """The cell sources of a module made by join_cells (after fixing), magics restored."""
    parts = text.split(_SEPARATOR + "\n")
    if len(parts) != count:
        raise NotebookError("fixed code no longer splits into the notebook's cells")
    return [_unmask(part[:-1] if part.endswith("\n") else part) for part in parts]


def _mask(source: str) -> str:
    """Comment out IPython magics and shell escapes so the cell parses as Python."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            lines.append(f"{line[: len(line) - len(stripped)]}{_MAGIC}{stripped}")
        else:
            lines.append(line)
    return "\n".join(lines)


def _unmask(source: str) -> str:
    return re.sub(rf"^(\s*){re.escape(_MAGIC)}", r"\1", source, flags=re.MULTILINE)


def read_notebook(raw: str) -> Notebook:
    """Parse notebook JSON and build its virtual module."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("no 'cells' list: not an nbformat 4 notebook")
    indent_match = re.search(r"\n( +)\S", raw)
    indent = len(indent_match.group(1)) if indent_match else 1
    code_cells: list[int] = []
    sources: list[str] = []
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(piece, str) for piece in source):
            source = "".join(source)
        elif not isinstance(source, str):
            raise NotebookError(f"cell {index + 1}: its source is not text or a list of lines")
        code_cells.append(index)
        sources.append(source)
    text, starts = join_cells(sources)
    return Notebook(data, indent, code_cells, text, starts, raw.endswith("\n"))
