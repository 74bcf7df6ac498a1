"""Where a report links a finding's source line: beside the report, or a code browser's page."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tfmend.cli.summary import Item


@dataclass(frozen=True)
class SourceLinks:
    """Links to source lines.

    With a template (`https://github.com/o/r/blob/SHA/{path}#L{line}`), `{path}` is the path as
    `check` prints it (relative to the working directory) and `{line}` the 1-based line; without
    one, links are relative to the report's directory, so the report opens the files beside it.
    """

    template: str | None
    report_dir: Path | None
    """The directory the report is written to (None: the working directory)."""

    def url(self, item: Item) -> str:
        """The address of an item's source line."""
        if self.template:
            return self.template.replace("{path}", quote(item.path)).replace(
                "{line}", str(item.line)
            )
        target = Path(item.path)
        if not target.is_absolute():
            target = Path.cwd() / target
        start = (self.report_dir or Path.cwd()).resolve()
        try:
            relative = os.path.relpath(target.resolve(), start)
        except ValueError:  # another drive (Windows)
            return target.resolve().as_uri()
        return f"{quote(Path(relative).as_posix())}#L{item.line}"
