"""Validating fixes against real TensorFlow for tfmend.validateFix: tfmend.validation's Validator
on a thread of its own, progress as $/progress, the summary as window/showMessage."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

from tfmend.lsp.documents import Unit, uri_path
from tfmend.lsp.jobs import INTERACTIVE
from tfmend.resolve.project import JediProject

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer
    from tfmend.resolve.bindings import Chain, ImportBinding
    from tfmend.resolve.module import ParsedModule, ResolvedName
    from tfmend.validate.result import ValidationResult
    from tfmend.validate.validator import Validator

logger = logging.getLogger(__name__)
T = TypeVar("T")


class _OnAnalysisThread(JediProject):
    """The project resolver of an engine used off the analysis thread: jedi still runs there."""

    def __init__(self, inner: JediProject, run: Callable[[Callable[[], Any]], Any]) -> None:
        super().__init__(inner.root)
        self._inner = inner
        self._run = run

    def resolve(
        self, module: ParsedModule, chain: Chain, imported: ImportBinding
    ) -> ResolvedName | None:
        result: ResolvedName | None = self._run(
            lambda: self._inner.resolve(module, chain, imported)
        )
        return result

    def invalidate(self, path: Path | None = None) -> set[Path]:
        result: set[Path] = self._run(lambda: self._inner.invalidate(path))
        return result


class ValidationRunner:
    """Runs tfmend.validation's Validator on a thread of its own, one validation at a time."""

    def __init__(self, ls: TfmendServer) -> None:
        self.ls = ls
        self._validator: Validator | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._earned: dict[str, tuple[str, set[tuple[str, int]]]] = {}
        self.refusal: str | None = None
        """Why validation is refused for every document (a server listening beyond loopback)."""

    def earned(self, uri: str, text: str) -> set[tuple[str, int]]:
        """(code, 0-based line) of the unsafe fixes that passed validation in this text of uri.

        Fix all applies them; any change to the document's text forgets them.
        """
        remembered = self._earned.get(uri)
        if remembered is None or remembered[0] != text:
            self._earned.pop(uri, None)
            return set()
        return remembered[1]

    def _remember(self, uri: str, text: str | None, result: ValidationResult) -> None:
        if text is None:
            return
        passed = {(v.fix.rule, v.fix.line - 1) for v in result.fixes if v.status == "passed"}
        if passed:
            self._earned[uri] = (text, self.earned(uri, text) | passed)

    def enabled_for(self, unit: Unit) -> bool:
        """Whether to offer "Validate this fix" for a unit's findings."""
        if self.refusal is not None or unit.path is None:
            return False
        return self.ls.engines.editor_for(unit.path).validation.enable

    def close(self) -> None:
        """Stop the validation worker process (without waiting for a validation under way)."""
        validator = self._validator
        if validator is not None:
            # close() waits for a running validation: let it do so off the event loop.
            threading.Thread(
                target=validator.close, name="tfmend-validation-close", daemon=True
            ).start()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _on_analysis_thread(self, run: Callable[[], T]) -> T:
        async def submit() -> T:
            return await self.ls.analysis.submit(run, INTERACTIVE)

        return asyncio.run_coroutine_threadsafe(submit(), self.ls.loop).result(timeout=120)

    async def validate(self, uri: str, client_range: types.Range | None) -> dict[str, Any]:
        """Validate the fixes in a range of a document (all of it without a range); the result's
        JSON."""
        from tfmend.validate.result import ValidationResult  # not needed for diagnostics
        from tfmend.validate.validator import Validator

        unit = self.ls.store.unit_of(uri)
        path = unit.path if unit is not None else uri_path(uri)
        doc = self.ls.store.docs.get(uri)
        if self.refusal is not None:
            return self._error(str(path or uri), self.refusal)
        if path is None or not path.is_file():
            return self._error(uri, "validation needs a file saved on disk")
        options = self.ls.engines.editor_for(path).validation
        if not options.enable:
            return self._error(str(path), "validation is turned off (tfmend.validation.enable)")
        text = doc.text if doc is not None and doc.notebook is None else None
        line_range = None
        if client_range is not None:
            offset = 0
            if unit is not None and unit.notebook:
                analysis = await self.ls.checker.current(unit)
                if analysis is not None and uri in unit.members:
                    offset = analysis.starts[unit.members.index(uri)]
            line_range = (client_range.start.line + offset, client_range.end.line + offset)
        engines = self.ls.engines
        shared = await self.ls.analysis.submit(lambda: engines.engine_for(path), INTERACTIVE)
        project = shared.project
        engine = shared.with_project(
            _OnAnalysisThread(project, self._on_analysis_thread) if project else None
        )
        settings = replace(
            options,
            python=(engines.editor_for(path).interpreter or (None,))[0] or shared.settings.python,
        )
        if self._validator is None:
            self._validator = Validator(settings)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="tfmend-validation")
        validator = self._validator
        assert self._executor is not None
        from tfmend.lsp.workspace import Progress

        progress = await Progress.start(self.ls, "tfmend: validating the fix", 0)
        loop = self.ls.loop

        def say(message: str) -> None:
            loop.call_soon_threadsafe(progress.message, message)

        def run() -> ValidationResult:
            validator.configure(settings)
            validator.engine = engine
            return validator.validate(
                path,
                text,
                line_range,
                progress=say,
            )

        try:
            result = await loop.run_in_executor(self._executor, run)
        except Exception as exc:  # the validator failed outright: report, keep serving
            logger.exception("validating %s failed", path)
            result = ValidationResult.cannot(str(path), repr(exc))
        finally:
            progress.end("done")
        self._remember(uri, text, result)
        return self._summarize(result)

    def _error(self, file: str, message: str) -> dict[str, Any]:
        from tfmend.validate.result import ValidationResult

        return self._summarize(ValidationResult.cannot(file, message))

    def _summarize(self, result: ValidationResult) -> dict[str, Any]:
        """Show the engine's verdict: information when it passed, else a warning or error; the
        result's JSON."""
        kind = {
            "passed": types.MessageType.Info,
            "failed": types.MessageType.Warning,
            "unchecked": types.MessageType.Warning,
        }.get(result.status, types.MessageType.Error)
        if result.reason == "no-fix":
            kind = types.MessageType.Info  # a question answered, not a failure
        self.ls.show_message(f"tfmend: {result.summary}", kind)
        return result.to_json()
