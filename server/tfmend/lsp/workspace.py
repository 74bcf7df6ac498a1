"""The whole project: files that are not open, checked in the background with $/progress on
start-up and on workspace/didChangeWatchedFiles; re-exports rechecked when their source changes."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path

from tfmend.api import file_finding
from tfmend.catalog.meta import RULE_CRASHED
from tfmend.lsp.checker import Placer
from tfmend.lsp.convert import Lines, Related, diagnostic
from tfmend.lsp.documents import PYTHON_SUFFIXES, Unit, uri_path
from tfmend.lsp.jobs import BACKGROUND, INTERACTIVE
from tfmend.text.files import iter_source_files

if TYPE_CHECKING:
    from pygls.workspace import PositionCodec

    from tfmend.lsp.base import TfmendServer
    from tfmend.lsp.engines import Engines

logger = logging.getLogger(__name__)

WATCHED = ("**/*.py", "**/*.pyi", "**/pyproject.toml", "**/*.yaml", "**/*.yml")
PROGRESS_EVERY = 0.2
"""Seconds between progress reports."""


@dataclass
class FileReport:
    """The diagnostics of a file that is not open."""

    uri: str
    path: Path
    diagnostics: list[types.Diagnostic]
    serial: int = 0


def check_closed(engines: Engines, path: Path, codec: PositionCodec) -> list[types.Diagnostic]:
    """Check a file from disk (on the analysis thread)."""
    try:
        result = engines.engine_for(path).check_file(path)
    except Exception as exc:  # one file must not stop the workspace check
        logger.exception("tfmend failed on %s", path)
        finding = file_finding(RULE_CRASHED.code, f"tfmend failed on this file: {exc!r}")
        start = types.Position(line=0, character=0)
        return [diagnostic(finding, types.Range(start=start, end=start), None)]
    lines = Lines(result.source.text if result.source is not None else "")
    uri = from_fs_path(str(path)) or path.as_uri()
    placer = Placer([uri], [0], codec)
    out = []
    for finding in result.findings:
        origin = placer.origin(finding)
        related = None
        if origin is not None and origin.uri != uri:  # the same file: hover says it
            where = origin.range
            if where is None and origin.span is not None:
                where = lines.range_to_client(codec, origin.span)
            if where is not None:
                related = Related(origin.uri, where, origin.message)
        out.append(diagnostic(finding, lines.range_to_client(codec, finding.span), related))
    return out


class WorkspaceChecker:
    """Checks the workspace's files that are not open and keeps their diagnostics."""

    def __init__(self, ls: TfmendServer) -> None:
        self.ls = ls
        self.reports: dict[str, FileReport] = {}
        self._task: asyncio.Task[None] | None = None
        self._scanned: asyncio.Event | None = None
        self._serial = 0
        self._change_event: asyncio.Event | None = None
        self._changes = 0

    async def wait_changed(self) -> None:
        """Wait until a file's diagnostics change."""
        if self._change_event is None:
            self._change_event = asyncio.Event()
        self._change_event.clear()
        await self._change_event.wait()

    def _notify(self) -> None:
        self._changes += 1
        if self._change_event is not None:
            self._change_event.set()

    @property
    def scanned(self) -> asyncio.Event:
        """Set once a full check of the workspace has finished."""
        if self._scanned is None:
            self._scanned = asyncio.Event()
        return self._scanned

    def start(self) -> None:
        """Check the whole workspace again, in the background (cancelling a running check)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self.scanned.clear()
        self._task = self.ls.loop.create_task(self._scan())

    def stop(self) -> None:
        """Cancel a running check."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _files(self) -> list[Path]:
        files: list[Path] = []
        for folder in list(self.ls.engines.folders.values()):
            if not folder.is_dir():
                continue
            settings = self.ls.engines.settings_for(folder / "__init__.py")
            root = settings.root or folder
            files.extend(
                path
                for path in iter_source_files([folder], settings.exclude, root)
                if path.suffix in PYTHON_SUFFIXES
            )
        return list(dict.fromkeys(files))

    async def _scan(self) -> None:
        started = time.perf_counter()
        try:
            files = await asyncio.to_thread(self._files)
        except Exception:
            logger.exception("cannot list the workspace's files")
            self.scanned.set()
            return
        progress = await Progress.start(self.ls, "tfmend: checking the workspace", len(files))
        seen: set[str] = set()
        try:
            for index, path in enumerate(files):
                if progress.cancelled():
                    logger.info("workspace check cancelled by the client")
                    break
                uri = from_fs_path(str(path)) or path.as_uri()
                seen.add(uri)
                if self.ls.store.unit_at(path) is None:
                    await self.check(path, BACKGROUND)
                progress.report(index + 1, path.name)
            else:
                for uri in [u for u in self.reports if u not in seen]:
                    self.clear(uri)
        finally:
            progress.end(f"{len(files)} files checked")
        logger.info(
            "checked %d workspace files in %.1f s", len(files), time.perf_counter() - started
        )
        self.scanned.set()
        await self.ls.refresh_pulled()

    async def check(self, path: Path, priority: int) -> FileReport | None:
        """Check a file that is not open from disk and publish its diagnostics."""
        engines, codec = self.ls.engines, self.ls.codec
        try:
            found = await self.ls.analysis.submit(
                lambda: check_closed(engines, path, codec), priority
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("checking %s failed", path)
            return None
        if self.ls.store.unit_at(path) is not None:
            return None  # opened meanwhile: the open document's own check wins
        uri = from_fs_path(str(path)) or path.as_uri()
        previous = self.reports.get(uri)
        self._serial += 1
        report = FileReport(uri, path, found, self._serial)
        if not found and previous is None:
            return report
        if previous is not None and previous.diagnostics == found:
            return previous
        self.reports[uri] = report
        self._notify()
        if not self.ls.pull_mode:
            self.ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=found)
            )
        return report

    def clear(self, uri: str) -> None:
        """Forget a file's diagnostics (it was deleted or left the workspace)."""
        if self.reports.pop(uri, None) is None:
            return
        self._notify()
        if not self.ls.pull_mode:
            self.ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def file_changed(self, path: Path) -> None:
        """A file changed on disk: check it and the files that import names through it."""
        self.ls.loop.create_task(self._changed(path))

    async def _changed(self, path: Path) -> None:
        engines = self.ls.engines
        changes = self._changes
        affected = await self.ls.analysis.submit(lambda: engines.invalidate(path), INTERACTIVE)
        targets = (
            [path, *sorted(affected - {path.resolve()})] if path.exists() else sorted(affected)
        )
        if not path.exists():
            self.clear(from_fs_path(str(path)) or path.as_uri())
        rechecked_open = False
        for target in targets:
            unit = self.ls.store.unit_at(target)
            if unit is not None:
                if target.resolve() != path.resolve():
                    unit.generation += 1
                    self.ls.checker.schedule(unit, now=True)
                    rechecked_open = True
            elif target.suffix in PYTHON_SUFFIXES and target.exists():
                await self.check(target, BACKGROUND)
        if affected:
            logger.info("%s changed: checked %d dependent files again", path.name, len(affected))
        if rechecked_open or self._changes != changes:
            await self.ls.refresh_pulled()

    def edited(self, path: Path, text: str | None) -> None:
        """An open file's unsaved text changed (None: it closed): recheck its importers."""
        self.ls.loop.create_task(self._edited(path, text))

    async def _edited(self, path: Path, text: str | None) -> None:
        engines = self.ls.engines
        affected = await self.ls.analysis.submit(lambda: engines.set_text(path, text), INTERACTIVE)
        for target in sorted(affected - {path.resolve()}):
            unit = self.ls.store.unit_at(target)
            if unit is not None:
                unit.generation += 1
                self.ls.checker.schedule(unit)
            elif target.suffix in PYTHON_SUFFIXES and target.exists():
                await self.check(target, BACKGROUND)

    def document_closed(self, unit: Unit) -> None:
        """An open file was closed: show what is on disk, or nothing."""
        path = unit.path
        if (
            path is not None
            and not unit.notebook
            and path.exists()
            and any(
                folder.resolve() in path.resolve().parents
                for folder in self.ls.engines.folders.values()
            )
        ):
            self.ls.loop.create_task(self.check_and_publish_closed(path))
        else:
            for uri in unit.members:
                if not self.ls.pull_mode:
                    self.ls.text_document_publish_diagnostics(
                        types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
                    )

    async def check_and_publish_closed(self, path: Path) -> None:
        """Re-check a just-closed file and publish even when it is clean."""
        uri = from_fs_path(str(path)) or path.as_uri()
        self.reports.pop(uri, None)
        report = await self.check(path, BACKGROUND)
        if report is not None and not report.diagnostics and not self.ls.pull_mode:
            self.ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )


class Progress:
    """A work done progress ($/progress), or nothing when the client cannot show one."""

    def __init__(self, ls: TfmendServer, token: str | None, total: int) -> None:
        self.ls = ls
        self.token = token
        self.total = total
        self._last = 0.0

    @classmethod
    async def start(cls, ls: TfmendServer, title: str, total: int) -> Progress:
        """Create the token and begin."""
        if not ls.client_supports("window.work_done_progress"):
            return cls(ls, None, total)
        token = f"tfmend-{uuid.uuid4()}"
        try:
            # Shielded: if this check is cancelled (a newer one starts, as when Neovim sends its
            # settings right after `initialized`), the client's answer must still find a live
            # future, or pygls reports the cancelled one to the user as a server error.
            await asyncio.shield(ls.work_done_progress.create_async(token))
        except Exception as exc:  # the client refused: work without progress
            logger.debug("window/workDoneProgress/create failed: %s", exc)
            return cls(ls, None, total)
        ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=title, cancellable=True, message=f"0/{total} files", percentage=0
            ),
        )
        return cls(ls, token, total)

    def cancelled(self) -> bool:
        """Whether the client cancelled the work."""
        if self.token is None:
            return False
        future = self.ls.work_done_progress.tokens.get(self.token)
        return future is not None and future.cancelled()

    def report(self, done: int, message: str) -> None:
        """Report progress (at most every PROGRESS_EVERY seconds, and at the end)."""
        if self.token is None:
            return
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY and done < self.total:
            return
        self._last = now
        percentage = 100 * done // self.total if self.total else 100
        self.ls.work_done_progress.report(
            self.token,
            types.WorkDoneProgressReport(
                message=f"{done}/{self.total} files: {message}", percentage=percentage
            ),
        )

    def message(self, text: str) -> None:
        """Report a step of work of unknown length."""
        if self.token is not None:
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=text)
            )

    def end(self, message: str) -> None:
        """End the progress."""
        if self.token is None:
            return
        self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self.ls.work_done_progress.tokens.pop(self.token, None)


async def watch_files(ls: TfmendServer) -> None:
    """Ask the client to send workspace/didChangeWatchedFiles (when it registers dynamically)."""
    if not ls.client_supports("workspace.did_change_watched_files.dynamic_registration"):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
    )
    registration = types.Registration(
        id="tfmend-watched-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:  # without watching, saves of open files still propagate
        logger.info("cannot watch files: %s", exc)


def register(server: TfmendServer) -> None:
    """Register the watched-files handler."""

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(
        ls: TfmendServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        reload = False
        for change in params.changes:
            path = uri_path(change.uri)
            if path is None:
                continue
            if path.name == "pyproject.toml" or path.resolve() in ls.engines.rule_files():
                reload = True
                continue
            if path.suffix not in PYTHON_SUFFIXES:
                continue
            if change.type == types.FileChangeType.Deleted:
                ls.project.clear(change.uri)
            ls.project.file_changed(path)
        if reload:
            logger.info("configuration or rule files changed: checking again")
            await ls.reload()
