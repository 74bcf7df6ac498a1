"""The analysis thread: every engine call runs here, one at a time (jedi is not thread-safe)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
logger = logging.getLogger(__name__)

INTERACTIVE = 0
"""A request the user waits for: code actions, hover, commands, pulled diagnostics."""
EDITING = 1
"""Diagnostics of an open document after an edit."""
BACKGROUND = 2
"""Files that are not open: the workspace check."""


@dataclass(order=True)
class _Job:
    priority: int
    sequence: int
    run: Callable[[], Any] = field(compare=False)
    future: asyncio.Future[Any] | None = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class AnalysisThread:
    """A single thread that runs submitted callables by priority, then submission order.

    A job whose future is cancelled before it starts is skipped; a running job finishes (the
    engine has no safe point to stop at) and its result is dropped.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._sequence = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, name="tfmend-analysis", daemon=True)
        self._thread.start()

    def submit(self, run: Callable[[], T], priority: int) -> asyncio.Future[T]:
        """Queue `run`; the returned future (of the event loop) gets its result or exception."""
        future: asyncio.Future[T] = self._loop.create_future()
        if self._stopped:
            future.cancel()
            return future
        job = _Job(priority, next(self._sequence), run, future)

        def on_done(done: asyncio.Future[T]) -> None:
            if done.cancelled():
                job.cancelled = True

        future.add_done_callback(on_done)
        self._queue.put(job)
        return future

    def stop(self) -> None:
        """Drop queued jobs and let the thread end after its current job."""
        self._stopped = True
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            job.cancelled = True
            if job.future is not None and not job.future.done():
                self._loop.call_soon_threadsafe(job.future.cancel)
        self._queue.put(_Job(-1, -1, lambda: None, None))

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            if job.future is None:
                return
            if job.cancelled:
                continue
            try:
                result = job.run()
            except Exception as exc:  # handed to the awaiting coroutine, which logs it
                self._deliver(job, None, exc)
            except BaseException as exc:  # never let the thread die
                self._deliver(job, None, RuntimeError(f"analysis aborted: {exc!r}"))
            else:
                self._deliver(job, result, None)

    def _deliver(self, job: _Job, result: object, error: BaseException | None) -> None:
        future = job.future
        assert future is not None

        def settle() -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        try:
            self._loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the event loop is closed: the server is exiting
            logger.debug("dropping a result: the event loop is closed")
