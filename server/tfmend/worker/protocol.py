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
from dataclasses import asdict, dataclass, field
from typing import Any, Union

CHECK_TIMEOUT = 60.0
"""Seconds an `import` or `run` may take when the request does not say (the default of
`ValidationSettings.timeout` too: one number for both sides)."""


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


def _text(data: dict[str, Any], key: str) -> str | None:
    """A field that is text or absent (None)."""
    value = data.get(key)
    return None if value is None else str(value)


def _object(data: Any, what: str, key: str) -> dict[str, Any]:
    """`data` when it is a JSON object holding `key` (ValueError otherwise)."""
    if not isinstance(data, dict) or key not in data:
        raise ValueError(f"not a {what} result: {data!r}")
    return data


@dataclass(frozen=True)
class Probed:
    """The `probe` method's result: how a rule's old and new code compared."""

    status: str
    """passed, failed or skipped (no oracle for the old API)."""
    detail: str
    old: str | None = None
    """The old code's value as shown, when it gave one."""
    new: str | None = None
    mismatches: tuple[str, ...] = ()
    output: str = ""
    """What user code printed."""
    restart: bool = False
    """The probe left graph mode on: the process is unfit for the next one."""

    def to_json(self) -> dict[str, Any]:
        """The result as sent."""
        out: dict[str, Any] = {"status": self.status, "detail": self.detail}
        if self.old is not None:
            out["old"] = self.old
        if self.new is not None:
            out["new"] = self.new
        if self.mismatches:
            out["mismatches"] = list(self.mismatches)
        out["output"] = self.output
        out["restart"] = self.restart
        return out

    @classmethod
    def from_json(cls, data: Any) -> Probed:
        """The result as received (ValueError when it is not one)."""
        data = _object(data, "probe", "status")
        return cls(
            status=str(data["status"]),
            detail=str(data.get("detail", "")),
            old=_text(data, "old"),
            new=_text(data, "new"),
            mismatches=tuple(str(m) for m in data.get("mismatches") or ()),
            output=str(data.get("output") or ""),
            restart=bool(data.get("restart")),
        )


@dataclass(frozen=True)
class NameFound:
    """Whether one dotted name exists; exists is None when its package does not import."""

    exists: bool | None
    kind: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as sent."""
        return asdict(self)


@dataclass(frozen=True)
class NamesFound:
    """The `api` method's result: each asked name, found or not."""

    names: dict[str, NameFound]

    def to_json(self) -> dict[str, Any]:
        """The result as sent."""
        return {"names": {name: found.to_json() for name, found in self.names.items()}}

    @classmethod
    def from_json(cls, data: Any) -> NamesFound:
        """The result as received (ValueError when it is not one)."""
        names = _object(data, "api", "names")["names"]
        if not isinstance(names, dict) or not all(isinstance(v, dict) for v in names.values()):
            raise ValueError(f"not an api result: {data!r}")
        return cls(
            {
                str(name): NameFound(
                    None if info.get("exists") is None else bool(info["exists"]),
                    _text(info, "kind"),
                    _text(info, "error"),
                )
                for name, info in names.items()
            }
        )


@dataclass(frozen=True)
class CompileError:
    """Why a source does not compile; line, column and text for a syntax error."""

    type: str
    message: str
    line: int | None = None
    column: int | None = None
    text: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The error as sent (position fields only for a syntax error)."""
        out: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.line is not None or self.text is not None:
            out.update(line=self.line, column=self.column, text=self.text)
        return out


@dataclass(frozen=True)
class Compiled:
    """The `compile` method's result."""

    error: CompileError | None = None

    @property
    def ok(self) -> bool:
        """Whether the source compiles."""
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        """The result as sent."""
        return {"ok": self.ok, "error": None if self.error is None else self.error.to_json()}

    @classmethod
    def from_json(cls, data: Any) -> Compiled:
        """The result as received (ValueError when it is not one)."""
        data = _object(data, "compile", "ok")
        if data["ok"]:
            return cls()
        error = data.get("error")
        if not isinstance(error, dict):
            raise ValueError(f"not a compile result: {data!r}")
        line, column = error.get("line"), error.get("column")
        return cls(
            CompileError(
                str(error.get("type", "Error")),
                str(error.get("message", "")),
                None if line is None else int(line),
                None if column is None else int(column),
                _text(error, "text"),
            )
        )


@dataclass(frozen=True)
class Ran:
    """The `run` and `import` methods' result: a child process's outcome."""

    ok: bool
    returncode: int | None
    timed_out: bool
    output: str
    error: str
    """Why it failed (its last traceback line, the timeout, the signal); empty when it passed."""
    duration_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        """The result as sent."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Ran:
        """The result as received (ValueError when it is not one)."""
        data = _object(data, "run", "ok")
        code = data.get("returncode")
        return cls(
            ok=bool(data["ok"]),
            returncode=None if code is None else int(code),
            timed_out=bool(data.get("timed_out")),
            output=str(data.get("output") or ""),
            error=str(data.get("error") or ""),
            duration_ms=int(data.get("duration_ms") or 0),
        )
