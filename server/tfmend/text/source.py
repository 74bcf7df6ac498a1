"""Source text: decoding with encoding, BOM and line endings kept; positions."""

from __future__ import annotations

import codecs
import io
import itertools
import re
import tokenize
from bisect import bisect_right
from dataclasses import dataclass

_NEWLINE = re.compile(r"\r\n|\r|\n")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Where str.splitlines splits besides \\r\\n, \\r and \\n."""


def split_lines(text: str) -> list[str]:
    """The lines of a text split at \\r\\n, \\r and \\n, each with its ending; the last line
    has none (it is empty after a final line break)."""
    if _OTHER_BREAKS.search(text) is None:  # then str.splitlines, in C, splits where this does
        lines = text.splitlines(keepends=True)
        if not lines or lines[-1].endswith(("\n", "\r")):
            lines.append("")
        return lines
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def line_starts(lines: list[str]) -> list[int]:
    """The offset where each of `split_lines`' lines starts."""
    return [0, *itertools.accumulate(map(len, lines[:-1]))]


class UndecodableError(Exception):
    """The bytes are not text in the encoding the file declares."""


@dataclass(frozen=True)
class DecodedSource:
    """A file's text and what is needed to write it back byte-for-byte alike."""

    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Encode new text the way the original was encoded."""
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode_source(data: bytes) -> DecodedSource:
    """Decode Python source bytes honouring a BOM and a PEP 263 coding cookie."""
    if b"\x00" in data[:8192]:
        raise UndecodableError("binary file (contains NUL bytes)")
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # detect_encoding rejects undecodable first lines; say what is wrong with the bytes.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as decode_error:
            raise UndecodableError(f"not valid utf-8: {decode_error}") from exc
        raise UndecodableError(str(exc)) from exc
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UndecodableError(f"not valid {encoding}: {exc}") from exc
    return DecodedSource(text=text, encoding=encoding, bom=bom)


def dominant_newline(text: str) -> str:
    """The line ending used by the first line break of the text (\\n when there is none)."""
    match = _NEWLINE.search(text)
    return match.group(0) if match else "\n"


class LineIndex:
    """Converts between offsets, (line, column) in code points, and ast's UTF-8 byte columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.starts = line_starts(split_lines(text))

    def line_text(self, line: int) -> str:
        """The text of a 0-based line, without its ending."""
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset(self, line: int, column: int) -> int:
        """Offset of a (0-based line, code point column); clamped to the text."""
        if line >= len(self.starts):
            return len(self.text)
        return min(self.starts[line] + column, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        """(0-based line, code point column) of an offset."""
        line = bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def from_ast(self, lineno: int, col_offset: int) -> tuple[int, int]:
        """(0-based line, code point column) from ast's 1-based line and UTF-8 byte column."""
        line = lineno - 1
        if self.ascii:
            return line, col_offset
        text = self.line_text(line)
        if text.isascii():
            return line, col_offset
        return line, len(text.encode("utf-8")[:col_offset].decode("utf-8", errors="replace"))

    @property
    def line_count(self) -> int:
        """Number of lines (a trailing newline starts an empty last line)."""
        return len(self.starts)
