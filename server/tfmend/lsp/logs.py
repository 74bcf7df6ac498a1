"""Logging: stderr, window/logMessage by level, and $/logTrace while the client has tracing on
($/setTrace)."""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer

LEVELS = {
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}
_MESSAGE_TYPES = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ClientHandler(logging.Handler):
    """Forwards tfmend's log records to the client, from any thread, on the event loop."""

    def __init__(self, ls: TfmendServer) -> None:
        super().__init__(logging.DEBUG)
        self.ls = ls
        self.threshold = logging.INFO
        """The least level sent as window/logMessage."""
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "busy", False):
            return  # sending a message logged something: do not loop
        try:
            text = record.getMessage()
            if record.exc_info:
                text = f"{text}\n{logging.Formatter().formatException(record.exc_info)}"
            loop = self.ls.loop_or_none
            if loop is None or loop.is_closed():
                return
            if self.ls.on_loop():
                self._send(record.levelno, text)
            else:
                loop.call_soon_threadsafe(self._send, record.levelno, text)
        except Exception:  # logging must never take the server down
            self.handleError(record)

    def _send(self, level: int, text: str) -> None:
        if self.ls.protocol.writer is None:
            return
        self._local.busy = True
        try:
            if level >= self.threshold:
                kind = next(
                    (t for floor, t in _MESSAGE_TYPES if level >= floor), types.MessageType.Log
                )
                self.ls.window_log_message(types.LogMessageParams(type=kind, message=text))
            trace = self.ls.protocol.trace
            if trace == types.TraceValue.Verbose or (
                trace == types.TraceValue.Messages and level >= logging.INFO
            ):
                first, _, rest = text.partition("\n")
                verbose = rest if trace == types.TraceValue.Verbose and rest else None
                self.ls.log_trace(types.LogTraceParams(message=first, verbose=verbose))
        finally:
            self._local.busy = False


def configure(ls: TfmendServer, level: str) -> ClientHandler:
    """Send tfmend's logs to stderr and the client; pygls' own chatter stays on stderr only."""
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers = [stderr]
    root.setLevel(logging.WARNING)
    logging.getLogger("pygls").setLevel(logging.WARNING)
    client = ClientHandler(ls)
    ours = logging.getLogger("tfmend")
    ours.addHandler(client)
    ours.propagate = True
    set_level(ls, client, level)
    return client


def set_level(ls: TfmendServer, client: ClientHandler, level: str) -> None:
    """Apply a log level (error, warning, info, debug) and the client's trace setting."""
    threshold = LEVELS.get(level, logging.INFO)
    client.threshold = threshold
    # The client shows window/logMessage; repeating those lines on stderr would show each twice
    # in editors that also display stderr (VS Code's output channel). stderr keeps warnings,
    # errors and, at debug level, everything.
    on_stderr = threshold if threshold <= logging.DEBUG else max(threshold, logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(on_stderr)
    trace = ls.protocol.trace
    effective = threshold
    if trace == types.TraceValue.Verbose:
        effective = logging.DEBUG
    elif trace == types.TraceValue.Messages:
        effective = min(threshold, logging.INFO)
    logging.getLogger("tfmend").setLevel(effective)
