"""Fuzzing the language server over stdio: random incremental edits (out-of-range, reversed and
overlapping ranges included), changes to documents that are not open, hostile command
arguments, positions in each encoding a client can negotiate (UTF-16, UTF-8, UTF-32). The server
answers (errors allowed), never dies, and what it finally publishes for a document is what
`tfmend check` reports for its final text."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.fuzzing import FIGURES, parses, salted_programs, scaled
from tests.lsp.harness import (
    PYPROJECT,
    RULES,
    TIMEOUT,
    Fields,
    Session,
    TestClient,
    diagnostic_fields,
    start,
)
from tfmend.catalog.meta import SYNTAX_ERROR
from tfmend.cli.main import main

pytestmark = pytest.mark.fuzz

INSERTS = (
    "",
    "x",
    "\n",
    "\r\n",
    "\r",
    "K.mean(x)\n",
    "y = K.old_mean(x)",
    "tf.Session()",
    "tf.placeholder(tf.float32)\n",
    "import tensorflow as tf\n",
    "from keras import backend as K\n",
    "é",
    "😋",
    "    ",
    "\t",
    "(",
    ")",
    "# c\n",
    '"""',
    "\\\n",
)
"""Text the edits insert: legacy code, line breaks of every kind, non-ASCII, broken syntax."""

COMMANDS = (
    "tfmend.fixAll",
    "tfmend.validateFix",
    "tfmend.reload",
    "tfmend.checkWorkspace",
    "tfmend.noSuchCommand",
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(("uri", "range", "start", "end", "line", "character"))
            | st.text(max_size=3),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
"""Any JSON value, keyed like command arguments often enough to reach their parsing."""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lines_of(text: str) -> list[str]:
    """Lines as LSP counts them, endings kept; the last one (maybe empty) has none."""
    lines = _LINE.findall(text)
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")
    return lines


ENCODINGS = ("utf-16", "utf-8", "utf-32")
"""The position encodings a client can negotiate (LSP 3.17)."""

_UNIT_BYTES = {"utf-16": ("utf-16-le", 2), "utf-8": ("utf-8", 1), "utf-32": ("utf-32-le", 4)}


def units(text: str, encoding: str = "utf-16") -> int:
    """The length of text in the code units of a position encoding."""
    codec, size = _UNIT_BYTES[encoding]
    return len(text.encode(codec, "surrogatepass")) // size


def offset(text: str, position: types.Position, encoding: str) -> int:
    """The string index of an LSP position, clamped as the protocol says: past the last line is
    the end of the text, past the end of a line is its end."""
    lines = lines_of(text)
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[: position.line])
    visible = lines[position.line].rstrip("\r\n")
    count = 0
    for index, char in enumerate(visible):
        if count >= position.character:
            return start + index
        count += units(char, encoding)
    return start + len(visible)


def apply(text: str, range_: types.Range, new: str, encoding: str) -> str:
    """What a client means by replacing a range (a reversed range is the same range)."""
    start, end = sorted((offset(text, range_.start, encoding), offset(text, range_.end, encoding)))
    return text[:start] + new + text[end:]


@st.composite
def positions(draw: st.DrawFn, text: str, encoding: str) -> types.Position:
    """A position in the text, or past the end of a line or of the text."""
    lines = lines_of(text)
    kind = draw(st.sampled_from(("inside", "inside", "inside", "past-line", "past-text")))
    if kind == "past-text":
        line = draw(st.integers(len(lines), len(lines) + 3) | st.just(2**31 - 1))
        return types.Position(line=line, character=draw(st.integers(0, 2**31 - 1)))
    line = draw(st.integers(0, len(lines) - 1))
    visible = lines[line].rstrip("\r\n")
    if kind == "past-line":
        past = units(visible, encoding) + draw(st.integers(1, 500))
        return types.Position(line=line, character=past)
    column = draw(st.integers(0, len(visible)))
    return types.Position(line=line, character=units(visible[:column], encoding))


@dataclass
class Fuzzer:
    """One server for a whole fuzz test; each example works on documents of its own."""

    client: TestClient
    root: Path
    encoding: str
    session: Session | None = None
    cases: int = 0
    expected: Path = field(default_factory=Path)

    async def ensure_started(self) -> Session:
        if self.session is None:
            # No validation: a command must not start TensorFlow in a worker.
            options = {"validation": {"enable": False}}
            capabilities = types.ClientCapabilities(
                general=types.GeneralClientCapabilities(
                    position_encodings=[types.PositionEncodingKind(self.encoding)]
                )
            )
            self.session = await start(self.client, self.root, capabilities, options)
            assert self.session.encoding == self.encoding
        return self.session

    async def answered(self, method: str, params: Any) -> None:
        """Send a request; any answer, error included, will do, but one must come."""
        try:
            await asyncio.wait_for(self.client.protocol.send_request_async(method, params), TIMEOUT)
        except JsonRpcException:
            FIGURES["requests answered with an error"] += 1
        assert self.client._server is not None
        assert self.client._server.returncode is None, "the server died"


async def _step(fuzz: Fuzzer, session: Session, data: st.DataObject, uri: str) -> None:
    """One random action on the document `uri`."""
    action = data.draw(
        st.sampled_from(
            (
                "edit",
                "edit",
                "edit",
                "edit",
                "whole",
                "stray",
                "reopen",
                "command",
                "command",
                "hover",
            )
        )
    )
    encoding = fuzz.encoding
    if action == "edit":
        edits = []
        text = session.texts[uri]
        for _ in range(data.draw(st.integers(1, 3))):
            # Each change applies to the text the previous one left (they may overlap).
            range_ = types.Range(
                start=data.draw(positions(text, encoding)), end=data.draw(positions(text, encoding))
            )
            new = "".join(data.draw(st.lists(st.sampled_from(INSERTS), max_size=3)))
            edits.append((range_, new))
            text = apply(text, range_, new, encoding)
        session.versions[uri] += 1
        session.texts[uri] = text
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=session.versions[uri]
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=r, text=t) for r, t in edits
                ],
            )
        )
        FIGURES["edits replayed"] += len(edits)
    elif action == "whole":
        session.replace_all(uri, data.draw(salted_programs()))
        FIGURES["edits replayed"] += 1
    elif action == "stray":
        # A change to a document that is not open (never opened, or closed).
        stray = session.uri(f"stray{fuzz.cases}.py")
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=stray, version=7),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=3, character=1),
                            end=types.Position(line=0, character=0),
                        ),
                        text="K.mean(x)",
                    )
                ],
            )
        )
        FIGURES["edits replayed"] += 1
    elif action == "reopen":
        # Closed, changed while closed, opened again with the text the editor has.
        session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=99),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
            )
        )
        session.versions[uri] += 1
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri,
                    language_id="python",
                    version=session.versions[uri],
                    text=session.texts[uri],
                )
            )
        )
    elif action == "command":
        command = data.draw(st.sampled_from(COMMANDS))
        arguments = data.draw(
            st.lists(JSON, max_size=3)
            | st.builds(lambda r: [{"uri": uri, "range": r}], JSON)
            | st.builds(lambda r: [uri, r], JSON)
            | st.just([{"uri": uri}])
        )
        await fuzz.answered(
            types.WORKSPACE_EXECUTE_COMMAND,
            types.ExecuteCommandParams(command=command, arguments=arguments),
        )
        FIGURES["commands sent"] += 1
    else:
        position = data.draw(positions(session.texts[uri], encoding))
        await fuzz.answered(
            types.TEXT_DOCUMENT_HOVER,
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position
            ),
        )


def expected_diagnostics(fuzz: Fuzzer, text: str) -> list[tuple[str, int, int, int, int, str]]:
    """What `tfmend check --format json` reports for a text (code, range in the fuzzer's position
    encoding, message)."""
    fuzz.expected.mkdir(exist_ok=True)
    (fuzz.expected / "tfmend-rules.yaml").write_text(RULES, encoding="utf-8")
    (fuzz.expected / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    source = fuzz.expected / "final.py"
    source.write_bytes(text.encode("utf-8"))
    report = fuzz.expected / "report.json"
    code = main(["check", str(source), "--no-surface", "--format", "json", "--output", str(report)])
    assert code in (0, 1)
    lines = lines_of(text)

    def client_column(line: int, column: int) -> int:
        if line >= len(lines):
            return column - 1
        return units(lines[line][: column - 1], fuzz.encoding)

    return sorted(
        (
            item["code"],
            item["start"]["line"] - 1,
            client_column(item["start"]["line"] - 1, item["start"]["column"]),
            item["end"]["line"] - 1,
            client_column(item["end"]["line"] - 1, item["end"]["column"]),
            item["message"],
        )
        for item in json.loads(report.read_text(encoding="utf-8"))
    )


def published(found: list[types.Diagnostic]) -> list[Fields]:
    """The same fields of published diagnostics (a manual rule's note taken off the message)."""
    return sorted(
        (*fields[:5], re.sub(r" \(no automatic fix: .*\)$", "", fields[5], flags=re.DOTALL))
        for fields in diagnostic_fields(found)
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
@scaled(12)
@given(data=st.data())
async def test_random_edits_and_hostile_requests(
    client: TestClient, workspace_root: Path, tmp_path: Path, encoding: str, data: st.DataObject
) -> None:
    fuzz = FUZZERS.get(id(client))
    if fuzz is None or fuzz.client is not client:
        fuzz = Fuzzer(client, workspace_root, encoding, expected=tmp_path / "x")
        FUZZERS[id(client)] = fuzz
    session = await fuzz.ensure_started()
    fuzz.cases += 1
    FIGURES["documents fuzzed over LSP"] += 1
    uri = session.open(f"case{fuzz.cases}.py", data.draw(salted_programs()))
    for _ in range(data.draw(st.integers(1, 12))):
        await _step(fuzz, session, data, uri)
    final = session.versions[uri]
    got = await session.diagnostics(uri, version=final)
    # Once the server has answered a request sent after that publish, no later one can come.
    await fuzz.answered(
        types.TEXT_DOCUMENT_HOVER,
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=0),
        ),
    )
    last = client.publishes(uri)[-1]
    assert last.version == final
    assert published(got) == published(list(last.diagnostics))
    text = session.texts[uri]
    expected = expected_diagnostics(fuzz, text)
    if parses(text):
        assert published(got) == expected
        FIGURES["final texts compared with check"] += 1
    else:
        # While a file does not parse, the findings of its last version that parsed stay,
        # moved along by the edits, beside the syntax error (docs/language-server.md).
        syntax = [d for d in published(got) if d[0] == SYNTAX_ERROR.code]
        assert syntax == [d for d in expected if d[0] == SYNTAX_ERROR.code]
        lines = lines_of(text)
        for _code, line, column, end_line, end_column, _message in published(got):
            assert (line, column) <= (end_line, end_column) < (len(lines), 0)
            assert column <= units(lines[line].rstrip("\r\n"), encoding)
            assert end_column <= units(lines[end_line].rstrip("\r\n"), encoding)
    session.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # Workspace checks read every file: keep the workspace as small as the example.
    (session.root / f"case{fuzz.cases}.py").unlink()


FUZZERS: dict[int, Fuzzer] = {}
"""The fuzzer of the running test, by its client (hypothesis runs every example on one)."""
