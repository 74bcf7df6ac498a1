"""The engine facade: one API for the CLI and the language server (check, fix, per file)."""

from __future__ import annotations

import ast
import gc
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tfmend.analyze import Analyzer
from tfmend.catalog.meta import RULE_CRASHED, SYNTAX_ERROR, UNDECODABLE
from tfmend.catalog.rules import Catalog, CatalogError, builtin_catalog, load_rules_file
from tfmend.config import Settings
from tfmend.findings import Finding, Position, Span
from tfmend.fixer import Fixer, FixError, FixResult
from tfmend.incremental import IncrementalChecker
from tfmend.resolve.module import ParsedModule
from tfmend.resolve.project import ImportIndex, JediProject
from tfmend.resolve.surface import Surface
from tfmend.results import FileResult
from tfmend.text.notebook import NotebookError, read_notebook
from tfmend.text.source import LineIndex, UndecodableError, decode_source
from tfmend.text.writeback import read_snapshot
from tfmend.versions import Versions


def tune_gc() -> None:
    """Collect garbage for a process that checks many big files (the server, check, fix).

    Each check allocates a whole syntax tree and frees it by reference counting; the cyclic
    collector's full passes over the long-lived catalog and caches only add pauses (10-100 ms on
    a 2,000-line file, a third of a fix of 20,000 lines). Freeze what exists now and collect
    young objects less often.
    """
    builtin_catalog()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def versions_of(surface: Surface, default: Versions) -> Versions:
    """The versions an environment has (TF_USE_LEGACY_KERAS included)."""
    return Versions(
        tensorflow=surface.versions.get("tensorflow") or default.tensorflow,
        keras=surface.versions.get("keras") or default.keras,
        legacy_keras=surface.legacy_keras,
    )


def load_catalog(
    settings: Settings,
    extra_files: tuple[Path, ...] = (),
    *,
    skip: Callable[[Path, CatalogError | OSError], None] | None = None,
) -> Catalog:
    """The built-in catalog with the project's rule files merged in (CatalogError if broken);
    with `skip`, a broken or unreadable file is handed to it and left out instead (an editor
    keeps checking with the other rules)."""
    catalog = builtin_catalog()
    for path in (*settings.extend_rules, *extra_files):
        try:
            catalog = catalog.with_rules(load_rules_file(path))
        except (CatalogError, OSError) as exc:
            if skip is None:
                raise
            skip(path, exc)
    return catalog


def syntax_finding(error: SyntaxError, text: str) -> Finding:
    """The TFM901 finding for a syntax error, at its position."""
    lines = LineIndex(text)
    line = max((error.lineno or 1) - 1, 0)
    line = min(line, lines.line_count - 1)
    line_text = lines.line_text(line)
    column = max((error.offset or 1) - 1, 0)
    column = min(column, len(line_text))
    end = Position(line, min(column + 1, len(line_text))) if line_text else Position(line, column)
    return Finding(
        code=SYNTAX_ERROR.code,
        message=f"Syntax error: {error.msg}; the file is not checked until it parses",
        severity="error",
        span=Span(Position(line, column), end),
    )


def file_finding(code: str, message: str) -> Finding:
    """A finding about the whole file, placed at its start."""
    return Finding(
        code=code, message=message, severity="error", span=Span(Position(0, 0), Position(0, 0))
    )


class Engine:
    """Checks and fixes Python sources against the catalog under one set of settings."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        catalog: Catalog | None = None,
        project: JediProject | None = None,
        surface: Surface | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.catalog = catalog if catalog is not None else load_catalog(self.settings)
        self.project = project
        self.surface = surface if surface is not None and surface.available else None
        versions = self.settings.versions
        if self.surface is not None and not self.settings.versions_from_config:
            versions = versions_of(self.surface, versions)
        if self.settings.target == "tf-keras":
            # Code kept on Keras 2 runs with TF_USE_LEGACY_KERAS=1: `tf.keras` is tf_keras there.
            versions = replace(versions, legacy_keras=True)
        # Unselected rules never match, so another rule on the same API still can.
        selected = self.catalog.for_target(self.settings.target).selected(self.settings.reports)
        self.analyzer = Analyzer(selected, versions, project, self.surface)
        self.imports = ImportIndex(project.root) if project is not None else None
        """Which project files import which modules (for telling libraries from programs)."""
        imports = self.imports
        self.analyzer.imported = imports.imported if imports else None
        self.fixer = Fixer(self.analyzer, exported=imports.imported_from if imports else None)

    @classmethod
    def of_project(
        cls,
        settings: Settings,
        root: Path,
        *,
        extra_rules: tuple[Path, ...] = (),
        surface: Surface | None = None,
    ) -> Engine:
        """The engine of the project at `root`: the catalog with its rule files merged in (and
        `extra_rules`), names resolved through its files, the installed surface when given."""
        catalog = load_catalog(settings, extra_rules)
        return cls(settings, catalog=catalog, project=JediProject(root), surface=surface)

    def with_project(self, project: JediProject | None) -> Engine:
        """This engine (settings, catalog, surface) resolving names through another project
        object (one that runs jedi on another thread, say)."""
        return Engine(self.settings, catalog=self.catalog, project=project, surface=self.surface)

    # -- text ------------------------------------------------------------------------------------
    def parse(self, text: str, path: Path | None = None) -> ParsedModule | Finding:
        """The parsed module, or the TFM901 finding when it does not parse."""
        try:
            return ParsedModule(text, path)
        except SyntaxError as exc:
            return syntax_finding(exc, text)
        except ValueError as exc:  # source with NUL characters
            return file_finding(UNDECODABLE.code, f"Cannot parse: {exc}")
        except (RecursionError, MemoryError) as exc:  # expressions nested too deeply to parse
            return file_finding(
                RULE_CRASHED.code, f"The file is too deeply nested to analyse: {exc!r}"
            )

    def incremental(self, path: Path | None = None) -> IncrementalChecker:
        """A checker of successive texts of one file that re-analyses only what edits touched."""
        return IncrementalChecker(self, path)

    def check_text(self, text: str, path: Path | None = None) -> list[Finding]:
        """Findings for Python source text, filtered by the settings."""
        return self._analysed(text, path)[0]

    def analyse_text(
        self, text: str, path: Path | None = None
    ) -> tuple[list[Finding], tuple[ParsedModule, list[Finding]] | None]:
        """The reported findings, and the module with all its findings for `fix_text`'s
        `analysed` (None when the text was not analysed)."""
        return self._analysed(text, path)

    def _analysed(
        self, text: str, path: Path | None, parsed: ParsedModule | Finding | None = None
    ) -> tuple[list[Finding], tuple[ParsedModule, list[Finding]] | None]:
        """The reported findings, and the module with all its findings (None: not analysed)."""
        if parsed is None:
            parsed = self.parse(text, path)
        if isinstance(parsed, Finding):
            return [parsed], None
        try:
            findings = self.analyzer.analyze(parsed)
        except Exception as exc:  # one broken rule or odd construct must not stop a whole run
            return [file_finding(RULE_CRASHED.code, f"tfmend failed on this file: {exc!r}")], None
        return [f for f in findings if self.settings.reports(f.code, path)], (parsed, findings)

    def fix_text(
        self,
        text: str,
        path: Path | None = None,
        *,
        unsafe: bool | None = None,
        select: Callable[[Finding], bool] | None = None,
        single_pass: bool = False,
        analysed: tuple[ParsedModule, list[Finding]] | None = None,
    ) -> FixResult:
        """Apply the fixes of reported findings (and `select`ed ones) to text.

        `analysed` is the text's module and findings when the caller has them (one analysis less).
        """
        allow_unsafe = self.settings.unsafe_fixes if unsafe is None else unsafe

        def chosen(finding: Finding) -> bool:
            if not self.settings.reports(finding.code, path):
                return False
            return select(finding) if select is not None else True

        if analysed is None:
            try:
                ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return FixResult(text)
        return self.fixer.fix(
            text, path, chosen, unsafe=allow_unsafe, single_pass=single_pass, analysed=analysed
        )

    # -- files -----------------------------------------------------------------------------------
    def check_file(self, path: Path) -> FileResult:
        """Findings of a .py file or a notebook (cells mapped back by the reporters)."""
        return self._check_file(path)[0]

    def _check_file(
        self, path: Path
    ) -> tuple[FileResult, tuple[ParsedModule, list[Finding]] | None]:
        result = FileResult(path)
        try:
            data, result.snapshot = read_snapshot(path)
        except OSError as exc:
            result.read_error = exc
            result.findings = [file_finding(UNDECODABLE.code, f"Cannot read the file: {exc}")]
            return result, None
        try:
            result.source = decode_source(data)
        except UndecodableError as exc:
            result.findings = [file_finding(UNDECODABLE.code, f"Cannot decode the file: {exc}")]
            return result, None
        text = result.source.text
        if path.suffix == ".ipynb":
            try:
                result.notebook = read_notebook(text)
            except NotebookError as exc:
                result.findings = [file_finding(UNDECODABLE.code, f"Not a notebook: {exc}")]
                return result, None
            text = result.notebook.text
        # A file names were resolved through was parsed then: the same text parses the same.
        shared = self.project.parsed(path, text) if self.project is not None else None
        result.findings, analysed = self._analysed(text, path, shared)
        if analysed is not None and self.project is not None:
            self.project.offer(path, analysed[0])
        if analysed is not None and self.imports is not None and result.snapshot is not None:
            self.imports.note(path, result.snapshot.mtime_ns, analysed[0].tree)
        return result, analysed

    def fix_file(self, path: Path, *, unsafe: bool | None = None) -> FileResult:
        """The fixed content of a file; the caller writes it (writeback.write_fixed)."""
        result, analysed = self._check_file(path)
        if result.source is None or any(
            f.code in (SYNTAX_ERROR.code, UNDECODABLE.code) for f in result.findings
        ):
            result.remaining = result.findings
            return result
        text = result.notebook.text if result.notebook else result.source.text
        try:
            fixed = self.fix_text(text, path, unsafe=unsafe, analysed=analysed)
        except FixError as exc:
            result.remaining = [file_finding(RULE_CRASHED.code, str(exc)), *result.findings]
            return result
        result.applied = fixed.applied
        if fixed.findings is not None:  # the fixer's last round analysed the final text
            result.remaining = [f for f in fixed.findings if self.settings.reports(f.code, path)]
        else:
            result.remaining = self.check_text(fixed.text, path)
        if fixed.changed:
            if result.notebook is not None:
                try:
                    result.fixed_text = result.notebook.with_text(fixed.text)
                except NotebookError as exc:
                    result.remaining = [file_finding(RULE_CRASHED.code, str(exc))]
                    return result
            else:
                result.fixed_text = fixed.text
        return result
