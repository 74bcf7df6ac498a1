"""What the command line does with an internal error: one line on stderr, the report in a file."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence
from typing import TextIO

from tfmend import __version__


def crash_report(exc: BaseException, argv: Sequence[str]) -> str:
    """The text of a crash report: versions, the command line, the traceback."""
    return "".join(
        [
            f"tfmend {__version__} on Python {platform.python_version()} ({sys.executable}), "
            f"{platform.platform()}\n",
            f"command: tfmend {' '.join(argv)}\n",
            f"directory: {os.getcwd()}\n\n",
            *traceback.format_exception(exc),
        ]
    )


def report_crash(exc: BaseException, argv: Sequence[str], stderr: TextIO) -> None:
    """Write the report to a temporary file and say so in one line (no traceback on stderr)."""
    first = str(exc).strip().splitlines()
    what = f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__
    try:
        descriptor, name = tempfile.mkstemp(prefix="tfmend-crash-", suffix=".txt")
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(crash_report(exc, argv))
    except OSError as error:
        where = f"no report could be written ({error.strerror or error})"
    else:
        where = f"the full report is in {name}"
    stderr.write(f"tfmend: internal error ({what}); {where}\n")
