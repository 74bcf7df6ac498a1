"""`tfmend serve`: the language server's arguments and start, apart from the rest of the command
line so that an editor's start of the server loads no more than the server needs."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tfmend.lsp.codecache import CodeCache


def quiet_warnings() -> None:
    """User code full of old escape sequences must not flood the output while it is parsed."""
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    warnings.filterwarnings(
        "ignore", message="invalid escape sequence", category=DeprecationWarning
    )


def add_arguments(serve: argparse.ArgumentParser) -> None:
    """The options of `tfmend serve`."""
    from tfmend.config import LOG_LEVELS

    serve.add_argument(
        "--tcp",
        default=None,
        metavar="HOST:PORT",
        help="listen on TCP instead of stdio (loopback by default)",
    )
    serve.add_argument(
        "--allow-remote-validation",
        action="store_true",
        help="with --tcp beyond loopback, still accept tfmend.validateFix (it runs code)",
    )
    serve.add_argument("--log-level", default="info", choices=LOG_LEVELS)
    serve.add_argument(
        "--no-surface",
        action="store_true",
        help="do not read the installed API surface; use the rule catalog alone",
    )
    serve.add_argument(
        "--cache-dir", type=Path, default=None, help="where the API surface index is cached"
    )


def start() -> CodeCache:
    """Make the imports ahead cheaper: before any of lsprotocol, pygls or libcst is imported."""
    # Importing the server makes some 85,000 tracked objects that live as long as it: the cyclic
    # collector's passes over them while they are made cost a few hundredths of a second of CPU
    # (tune_gc sets the same thresholds and freezes them once the catalog is loaded).
    gc.set_threshold(50_000, 50, 100)
    from tfmend.lsp import codecache

    return codecache.install()


def run(args: argparse.Namespace) -> int:
    """Serve until the client says `exit`; the process exit code."""
    cache = start()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        # Ended as by default, once the bytecode compiled so far is kept: an editor that quits
        # (or a client that stops a server that did not exit) may end it seconds after its start.
        def terminated(signum: int, frame: object) -> None:
            cache.save()
            os._exit(128 + signum)

        signal.signal(signal.SIGTERM, terminated)
    from tfmend.lsp.server import run as serve

    try:
        return serve(
            tcp=args.tcp,
            log_level=args.log_level,
            surface=not args.no_surface,
            cache_dir=args.cache_dir,
            allow_remote_validation=args.allow_remote_validation,
        )
    finally:
        cache.save()


def main(argv: Sequence[str]) -> int:
    """`tfmend serve ARGS`."""
    start()
    parser = argparse.ArgumentParser(prog="tfmend serve", description="run the language server")
    add_arguments(parser)
    args = parser.parse_args(argv)
    quiet_warnings()
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
