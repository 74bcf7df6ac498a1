"""The client of the TensorFlow worker: start it with the project's interpreter, talk JSON lines."""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

from tfmend.worker.protocol import (
    ErrorInfo,
    Failure,
    Hello,
    Loaded,
    ProgressNote,
    Request,
    decode_answer,
)

T = TypeVar("T")

WORKER_SCRIPT = Path(__file__).with_name("tfworker.py")

Progress = Callable[[str], None]
"""Receives one line of progress text ("importing TensorFlow")."""


class WorkerError(Exception):
    """The worker could not answer a request."""


class InterpreterNotFoundError(WorkerError):
    """The configured interpreter does not exist or cannot be run."""


class WorkerDiedError(WorkerError):
    """The worker process ended while a request was pending (a crash, the memory limit, ...)."""


class WorkerTimeoutError(WorkerError):
    """A request did not finish in time; the worker was killed."""


class RequestFailedError(WorkerError):
    """The worker answered with an error (its handler raised)."""

    def __init__(self, error: ErrorInfo) -> None:
        self.error = error
        super().__init__(f"{error.type}: {error.message}")


def default_python() -> str:
    """The active environment's interpreter: $VIRTUAL_ENV, $CONDA_PREFIX, this one, or python3."""
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        prefix = os.environ.get(variable)
        if prefix:
            for candidate in (
                Path(prefix, "bin", "python"),
                Path(prefix, "python.exe"),
                Path(prefix, "Scripts", "python.exe"),
            ):
                if candidate.is_file():
                    return str(candidate)
    if sys.executable:
        return sys.executable
    return shutil.which("python3") or "python3"


def resolve_python(python: str | None) -> str:
    """An absolute interpreter path (symlinks kept: a venv's python is not its base's)."""
    name = python or default_python()
    if os.sep in name or (os.altsep and os.altsep in name):
        path = Path(name).expanduser()
        if not path.is_file() or not os.access(path, os.X_OK):
            raise InterpreterNotFoundError(f"Python interpreter not found: {name}")
        return os.path.abspath(path)
    found = shutil.which(name)
    if found is None:
        raise InterpreterNotFoundError(f"Python interpreter not found on PATH: {name}")
    return os.path.abspath(found)


class WorkerClient:
    """One worker process; requests are serialized. Call `close()` when done."""

    def __init__(
        self,
        python: str | None = None,
        *,
        memory_mb: int | None = None,
        gpu: bool = False,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.python = resolve_python(python)
        self.memory_mb = memory_mb
        self.gpu = gpu
        self.cwd = cwd
        self.env = dict(env or {})
        """Variables added to the worker's environment (TF_USE_LEGACY_KERAS, PYTHONPATH, ...)."""
        self.process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._lock = threading.Lock()
        self._next_id = 0

    # -- life cycle ------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return self.process.pid if self.alive and self.process is not None else None

    def start(self) -> None:
        """Start the process (a no-op while it runs)."""
        if self.alive:
            return
        self._lines = queue.Queue()
        self._stderr.clear()
        argv = [self.python, "-u", str(WORKER_SCRIPT)]
        if self.memory_mb:
            argv += ["--memory-mb", str(self.memory_mb)]
        if self.gpu:
            argv.append("--gpu")
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
                cwd=str(self.cwd) if self.cwd else None,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        except OSError as exc:
            raise InterpreterNotFoundError(f"cannot run {self.python}: {exc}") from exc
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        threading.Thread(
            target=self._pump,
            args=(self.process.stdout, self._lines.put),
            daemon=True,
            name="tfmend-worker-stdout",
        ).start()
        threading.Thread(
            target=self._pump,
            args=(self.process.stderr, self._stderr.append),
            daemon=True,
            name="tfmend-worker-stderr",
        ).start()

    @staticmethod
    def _pump(stream: IO[str], sink: Callable[[Any], None]) -> None:
        for line in stream:
            sink(line)
        sink(None)

    def kill(self) -> None:
        """Kill the process and whatever it started in its process group."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (OSError, AttributeError):  # gone already, or no process groups (Windows)
                process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self.process = None

    def close(self) -> None:
        """End the process: close its stdin, give it a moment, then kill it."""
        process = self.process
        if process is None:
            return
        if process.poll() is None and process.stdin is not None:
            try:
                process.stdin.close()
                process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def stderr_tail(self, lines: int = 20) -> str:
        """The last lines the process wrote to stderr."""
        kept = [line for line in self._stderr if line is not None]
        return "".join(kept[-lines:]).rstrip()

    # -- requests --------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Send one request and wait for its result (starting the process when needed)."""
        with self._lock:
            self.start()
            process = self.process
            assert process is not None
            assert process.stdin is not None
            self._next_id += 1
            request_id = self._next_id
            line = Request(request_id, method, dict(params or {})).encode()
            try:
                process.stdin.write(line + "\n")
                process.stdin.flush()
            except OSError:
                raise self._died(method) from None
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
                try:
                    text = self._lines.get(timeout=remaining)
                except queue.Empty:
                    self.kill()
                    raise WorkerTimeoutError(f"{method} timed out after {timeout:g} s") from None
                if text is None:
                    raise self._died(method)
                # Not protocol, or another request's: cannot happen with fd 1 redirected and one
                # request at a time, but be lenient.
                answer = decode_answer(text)
                if answer is None or answer.id != request_id:
                    continue
                if isinstance(answer, ProgressNote):
                    if progress is not None:
                        progress(answer.text)
                    continue
                if isinstance(answer, Failure):
                    raise RequestFailedError(answer.error)
                return answer.result

    def call(
        self,
        method: str,
        parse: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        progress: Progress | None = None,
    ) -> T:
        """A request whose result `parse` types (a protocol `from_json`); WorkerError when the
        result is out of protocol."""
        result = self.request(method, params, timeout=timeout, progress=progress)
        try:
            return parse(result)
        except (ValueError, TypeError, KeyError) as exc:
            raise WorkerError(f"the worker answered out of protocol: {exc}") from None

    def hello(self, timeout: float | None = None) -> Hello:
        """The `hello` request: the interpreter and its installed packages."""
        return self.call("hello", Hello.from_json, timeout=timeout)

    def load(self, timeout: float | None = None) -> Loaded:
        """The `load` request: import TensorFlow and Keras once."""
        return self.call("load", Loaded.from_json, timeout=timeout)

    def _died(self, method: str) -> WorkerDiedError:
        process = self.process
        code = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = process.wait(timeout=5)
        time.sleep(0.05)  # let the stderr pump catch the last lines
        tail = self.stderr_tail(8)
        self.kill()
        how = describe_exit(code)
        return WorkerDiedError(
            f"the worker died during {method} ({how})" + (f":\n{tail}" if tail else "")
        )


def describe_exit(code: int | None) -> str:
    """`exit code 1`, `killed by SIGSEGV`, ..."""
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
