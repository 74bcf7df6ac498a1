"""The worker protocol: each line kind round-trips, and the worker speaks it without tfmend."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tfmend.worker.client import WORKER_SCRIPT
from tfmend.worker.protocol import (
    ErrorInfo,
    Failure,
    Hello,
    Loaded,
    ProgressNote,
    Reply,
    Request,
    decode_answer,
    encode_answer,
)


def test_requests_round_trip() -> None:
    request = Request(3, "probe", {"new": "tf.zeros(2)"})
    assert json.loads(request.encode()) == {
        "id": 3,
        "method": "probe",
        "params": {"new": "tf.zeros(2)"},
    }
    assert Request.decode(request.encode()) == request


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("not json", "Expecting value"),
        ("[]", "an object with a method"),
        ('{"id": 1}', "an object with a method"),
        ('{"id": 1, "method": "x", "params": [1]}', "params must be an object"),
    ],
)
def test_malformed_requests_are_rejected(line: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        Request.decode(line)


@pytest.mark.parametrize(
    ("answer", "line"),
    [
        (ProgressNote(1, "importing TensorFlow"), '{"id": 1, "progress": "importing TensorFlow"}'),
        (Reply(2, {"ok": True}), '{"id": 2, "result": {"ok": true}}'),
        (
            Failure(3, ErrorInfo("KeyError", "'new'", "Traceback ...")),
            '{"id": 3, "error": {"type": "KeyError", "message": "\'new\'", '
            '"traceback": "Traceback ..."}}',
        ),
        (
            Failure(None, ErrorInfo("BadRequest", "not json")),
            '{"id": null, "error": {"type": "BadRequest", "message": "not json"}}',
        ),
    ],
)
def test_answers_round_trip_on_the_wire(answer: object, line: str) -> None:
    assert encode_answer(answer) == line  # type: ignore[arg-type]
    assert decode_answer(line) == answer


def test_lines_that_are_not_answers_are_none() -> None:
    assert decode_answer("TensorFlow says hello") is None
    assert decode_answer('{"id": 1}') is None


def test_method_results_round_trip() -> None:
    hello = Hello("3.11.7", "/usr/bin/python3", "linux", 42, {"tensorflow": None}, True, 512,
                  False, False)  # fmt: skip
    assert Hello.from_json(json.loads(json.dumps(hello.to_json()))) == hello
    loaded = Loaded({"tensorflow": "2.21.0", "keras": None}, {"keras": "No module"}, 1200)
    assert Loaded.from_json(json.loads(json.dumps(loaded.to_json()))) == loaded
    with pytest.raises(ValueError, match="not a hello result"):
        Hello.from_json({"python": "3.11"})


def test_the_worker_speaks_the_protocol_without_tfmend() -> None:
    # -S: no site-packages, so neither tfmend nor TensorFlow can be imported by the script.
    process = subprocess.run(
        [sys.executable, "-S", str(WORKER_SCRIPT)],
        input=Request(1, "hello").encode() + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    answer = decode_answer(process.stdout.splitlines()[0])
    assert isinstance(answer, Reply)
    assert answer.id == 1
    hello = Hello.from_json(answer.result)
    assert hello.executable == sys.executable
    assert hello.packages == {"tensorflow": None, "keras": None, "tf_keras": None}
