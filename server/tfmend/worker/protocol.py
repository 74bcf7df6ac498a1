"""The worker protocol: each JSON line between tfmend and its TensorFlow worker as a dataclass.

Both sides use this file: tfmend imports it, and `tfworker.py`, run as a script by the project's
interpreter (which has no tfmend), loads it from beside itself. Stdlib only, Python 3.8 and later.

    -> Request      {"id": 1, "method": "probe", "params": {...}}
    <- ProgressNote {"id": 1, "progress": "importing TensorFlow"}      (any number, optional)
    <- Reply        {"id": 1, "result": {...}}
       or Failure   {"id": 1, "error": {"type": ..., "message": ..., "traceback": ...}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Request:
    """One call of a worker method."""

    id: int | None
    method: str
    params: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        """The request as one protocol line (without its line break)."""
        return json.dumps({"id": self.id, "method": self.method, "params": self.params})

    @classmethod
    def decode(cls, line: str) -> Request:
        """Parse a request line (ValueError when it is not one)."""
        message = json.loads(line)
        if not isinstance(message, dict) or not isinstance(message.get("method"), str):
            raise ValueError("a request is an object with a method")
        params = message.get("params") or {}
        if not isinstance(params, dict):
            raise ValueError("params must be an object")
        request_id = message.get("id")
        return cls(request_id if isinstance(request_id, int) else None, message["method"], params)


@dataclass(frozen=True)
class ErrorInfo:
    """Why a request failed: the exception's type and message, and where it was raised."""

    type: str
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class ProgressNote:
    """What the current request is doing, while it runs."""

    id: int | None
    text: str


@dataclass(frozen=True)
class Reply:
    """A method's result (JSON: what each method returns is documented by its handler)."""

    id: int | None
    result: Any


@dataclass(frozen=True)
class Failure:
    """A request that could not be answered."""

    id: int | None
    error: ErrorInfo


Answer = Union[ProgressNote, Reply, Failure]  # noqa: UP007 - evaluated, on Python 3.8 too
"""What the worker writes."""


def encode_answer(answer: Answer) -> str:
    """An answer as one protocol line (values JSON cannot hold are written as text)."""
    if isinstance(answer, ProgressNote):
        message: dict[str, Any] = {"id": answer.id, "progress": answer.text}
    elif isinstance(answer, Reply):
        message = {"id": answer.id, "result": answer.result}
    else:
        error = answer.error
        reason = {"type": error.type, "message": error.message}
        if error.traceback:
            reason["traceback"] = error.traceback
        message = {"id": answer.id, "error": reason}
    return json.dumps(message, default=str)


def decode_answer(line: str) -> Answer | None:
    """Parse an answer line (None when the line is not one)."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    request_id = message.get("id")
    request_id = request_id if isinstance(request_id, int) else None
    if "progress" in message:
        return ProgressNote(request_id, str(message["progress"]))
    if "error" in message:
        error = message["error"] if isinstance(message["error"], dict) else {}
        return Failure(
            request_id,
            ErrorInfo(
                str(error.get("type", "Error")),
                str(error.get("message", "")),
                str(error.get("traceback") or ""),
            ),
        )
    if "result" in message:
        return Reply(request_id, message["result"])
    return None


@dataclass(frozen=True)
class Hello:
    """The `hello` method's result: the interpreter and what it has installed (nothing imported)."""

    python: str
    executable: str
    platform: str
    pid: int
    packages: dict[str, str | None]
    """Installed version of tensorflow, keras and tf_keras (None: not installed)."""
    legacy_keras: bool
    """Whether TF_USE_LEGACY_KERAS is set (tf.keras is then tf_keras)."""
    memory_limit_mb: int | None
    gpu: bool
    loaded: bool
    """Whether TensorFlow is imported already."""

    def to_json(self) -> dict[str, Any]:
        """The result as sent."""
        return {
            "python": self.python,
            "executable": self.executable,
            "platform": self.platform,
            "pid": self.pid,
            "packages": dict(self.packages),
            "legacy_keras": self.legacy_keras,
            "memory_limit_mb": self.memory_limit_mb,
            "gpu": self.gpu,
            "loaded": self.loaded,
        }

    @classmethod
    def from_json(cls, data: Any) -> Hello:
        """The result as received (ValueError when it is not one)."""
        if not isinstance(data, dict) or not isinstance(data.get("packages"), dict):
            raise ValueError(f"not a hello result: {data!r}")
        memory = data.get("memory_limit_mb")
        return cls(
            python=str(data.get("python", "")),
            executable=str(data.get("executable", "")),
            platform=str(data.get("platform", "")),
            pid=int(data.get("pid") or 0),
            packages={str(k): None if v is None else str(v) for k, v in data["packages"].items()},
            legacy_keras=bool(data.get("legacy_keras")),
            memory_limit_mb=None if memory is None else int(memory),
            gpu=bool(data.get("gpu")),
            loaded=bool(data.get("loaded")),
        )


@dataclass(frozen=True)
class Loaded:
    """The `load` method's result: the versions that imported, and why the others did not."""

    versions: dict[str, str | None]
    errors: dict[str, str]
    duration_ms: int

    def to_json(self) -> dict[str, Any]:
        """The result as sent."""
        return {
            "versions": dict(self.versions),
            "errors": dict(self.errors),
            "duration_ms": self.duration_ms,
        }

    @classmethod
    def from_json(cls, data: Any) -> Loaded:
        """The result as received (ValueError when it is not one)."""
        if not isinstance(data, dict) or not isinstance(data.get("versions"), dict):
            raise ValueError(f"not a load result: {data!r}")
        return cls(
            versions={str(k): None if v is None else str(v) for k, v in data["versions"].items()},
            errors={str(k): str(v) for k, v in (data.get("errors") or {}).items()},
            duration_ms=int(data.get("duration_ms") or 0),
        )
