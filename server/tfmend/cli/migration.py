"""The `tfmend report` subcommand: its arguments, and writing the report of a fix run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tfmend.config import ConfigError

if TYPE_CHECKING:  # `tfmend --help` and `check` import this module for its arguments only
    from tfmend.catalog.rules import Catalog
    from tfmend.config import Settings
    from tfmend.resolve.surface import Surface
    from tfmend.results import FileResult

DEFAULT_OUTPUT = {"html": "migration.html", "markdown": "-"}


def add_arguments(sub: argparse.ArgumentParser) -> None:
    """The options of `tfmend report` beyond those every checking command has."""
    sub.add_argument("--format", choices=("html", "markdown"), default="html")
    sub.add_argument(
        "--output",
        default=None,
        metavar="FILE",
        help="where to write the report; `-` for standard output "
        "(default: migration.html for html, standard output for markdown)",
    )
    sub.add_argument(
        "--source-url",
        default=None,
        metavar="TEMPLATE",
        help="link source lines to a code browser, e.g. "
        "'https://github.com/ORG/REPO/blob/SHA/{path}#L{line}' "
        "(default: links relative to the report)",
    )
    sub.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="count unsafe fixes among what `tfmend fix` changes (as `fix --unsafe-fixes`)",
    )


def write_report(
    args: argparse.Namespace,
    results: Sequence[FileResult],
    *,
    catalog: Catalog,
    settings: Settings,
    surface: Surface | None,
) -> int:
    """Write the report of a fix run (results of `Engine.fix_file`); 0 once written."""
    from tfmend.cli.html_report import html_report
    from tfmend.cli.links import SourceLinks
    from tfmend.cli.markdown_report import markdown_report
    from tfmend.cli.summary import summarize

    summary = summarize(
        results,
        paths=[p.as_posix() for p in args.paths],
        catalog=catalog,
        settings=settings,
        surface=surface,
    )
    output = args.output or DEFAULT_OUTPUT[args.format]
    to_stdout = output == "-"
    links = SourceLinks(args.source_url, None if to_stdout else Path(output).resolve().parent)
    render = html_report if args.format == "html" else markdown_report
    text = render(summary, links)
    if to_stdout:
        sys.stdout.write(text)
    else:
        try:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{output}: cannot write the report: {exc.strerror}") from exc
        sys.stderr.write(
            f"Wrote {output}: {summary.kinds.total} findings in {summary.files_with_findings} "
            f"of {summary.files_checked} files; {summary.kinds.manual} need a person.\n"
        )
    return 0
