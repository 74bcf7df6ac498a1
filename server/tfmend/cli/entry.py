"""The `tfmend` command and `python -m tfmend`: `serve` goes straight to the language server,
whose start an editor waits for, without loading the rest of the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tfmend` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        from tfmend.cli.serve import main as serve

        return serve(args[1:])
    from tfmend.cli.main import main as command_line

    return command_line(args)
