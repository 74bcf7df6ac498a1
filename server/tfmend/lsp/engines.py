"""Which settings and which engine check a file: workspace folders, pyproject.toml and editor
settings, with rule files loaded once and broken ones reported once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tfmend.api import Engine, load_catalog
from tfmend.catalog.rules import Catalog, CatalogError
from tfmend.config import ConfigError, Settings, load_settings
from tfmend.lsp.settings import EditorSettings, apply, editor_settings, merge
from tfmend.resolve.project import JediProject
from tfmend.resolve.surface import Surface, SurfaceError, surface_for

logger = logging.getLogger(__name__)


class Engines:
    """Settings per file and an engine per distinct settings; engines are used on the worker."""

    def __init__(self, show_error: Callable[[str], None]) -> None:
        self.show_error = show_error
        """Shows a message to the user (thread-safe)."""
        self.folders: dict[str, Path] = {}
        """Workspace folder uri → its directory."""
        self.init_options: dict[str, Any] = {}
        self.client_settings: dict[str | None, dict[str, Any]] = {}
        """workspace/configuration answers by scope uri (None: the global scope)."""
        self._editor: dict[str | None, EditorSettings] = {}
        self._lock = threading.Lock()
        self._pyproject: dict[Path, Settings] = {}
        self._engines: dict[str, Engine] = {}
        self._projects: dict[Path, JediProject] = {}
        self._catalogs: dict[tuple[Path, ...], Catalog] = {}
        self._reported: set[str] = set()
        self._warned: set[str] = set()
        self._last_warnings: list[str] = []
        self.use_surface = True
        """Whether engines get the installed API surface (`tfmend serve --no-surface`: never)."""
        self.cache_dir: Path | None = None
        """Where the surface index is cached (None: the user cache directory)."""
        self.on_surface: Callable[[], None] | None = None
        """Called from the loading thread once a surface is ready (the server checks again)."""
        self._surfaces: dict[str | None, Surface | None] = {}
        """Interpreter setting → its surface (None: unavailable, said once)."""
        self._loading: set[str | None] = set()

    # -- settings (event loop) -------------------------------------------------------------------
    def refresh(self) -> None:
        """Retype the editor settings of every scope (warning about bad values); drop engines."""
        editor: dict[str | None, EditorSettings] = {}
        warnings: list[str] = []
        for scope in (None, *self.folders):
            layers = [("workspace/configuration", self.client_settings.get(None, {}))]
            if scope is not None:
                layers.append(("workspace/configuration", self.client_settings.get(scope, {})))
            layers.append(("initializationOptions", self.init_options))
            merged: dict[str, Any] = {}
            for source, raw in layers:
                warnings += editor_settings(raw, source)[1]
                merged = merge(merged, raw)
            editor[scope] = editor_settings(merged, "settings")[0]
        unique = list(dict.fromkeys(warnings))
        if unique != self._last_warnings:  # the same settings fetched again warn once
            for warning in unique:
                logger.warning("%s", warning)
        self._last_warnings = unique
        with self._lock:
            self._editor = editor
            self._pyproject.clear()
            self._engines.clear()
            self._catalogs.clear()
            self._warned.clear()

    def folder_for(self, path: Path | None) -> tuple[str | None, Path | None]:
        """The workspace folder (uri, directory) holding a file, the innermost one."""
        if path is None:
            return None, None
        resolved = path.resolve()
        best: tuple[str | None, Path | None] = (None, None)
        for uri, given in self.folders.items():
            folder = given.resolve()
            if (resolved == folder or folder in resolved.parents) and (
                best[1] is None or len(folder.parts) > len(best[1].parts)
            ):
                best = (uri, folder)
        return best

    def editor_for(self, path: Path | None) -> EditorSettings:
        """The editor settings that apply to a file."""
        uri, _ = self.folder_for(path)
        with self._lock:
            return self._editor.get(uri) or self._editor.get(None) or EditorSettings()

    def settings_for(self, path: Path | None) -> Settings:
        """Editor settings over the nearest pyproject.toml's [tool.tfmend] over the defaults."""
        _, folder = self.folder_for(path)
        start = path.parent if path is not None else folder
        base = Settings()
        if start is not None:
            with self._lock:
                cached = self._pyproject.get(start)
            if cached is None:
                try:
                    cached = load_settings(start)
                except ConfigError as exc:
                    self._warn_once(f"{exc}; using the defaults")
                    cached = Settings()
                with self._lock:
                    self._pyproject[start] = cached
            base = cached
        return apply(self.editor_for(path), base, folder)

    def _warn_once(self, message: str) -> None:
        with self._lock:
            if message in self._warned:
                return
            self._warned.add(message)
        logger.warning("%s", message)

    # -- engines (analysis thread) ---------------------------------------------------------------
    def engine_for(self, path: Path | None) -> Engine:
        """The engine for a file under its settings (built on first use)."""
        settings = self.settings_for(path)
        surface = self.surface_of(settings.python)
        key = f"{settings!r} {surface is not None}"
        with self._lock:
            engine = self._engines.get(key)
        if engine is not None:
            return engine
        _, folder = self.folder_for(path)
        root = folder or settings.root or (path.parent if path is not None else Path.cwd())
        project = self.project_for(root)
        engine = Engine(settings, catalog=self._catalog(settings), project=project, surface=surface)
        with self._lock:
            self._engines[key] = engine
        return engine

    def surface_of(self, python: str | None) -> Surface | None:
        """The interpreter's API surface once loaded; the first call starts loading it.

        Loading imports TensorFlow in a worker (seconds, minutes on a cold cache): diagnostics go
        out without the surface first and again through `on_surface` once it is there.
        """
        if not self.use_surface:
            return None
        with self._lock:
            if python in self._surfaces:
                return self._surfaces[python]
            if python in self._loading:
                return None
            self._loading.add(python)
        threading.Thread(
            target=self._load_surface, args=(python,), name="tfmend-surface", daemon=True
        ).start()
        return None

    def _load_surface(self, python: str | None) -> None:
        surface: Surface | None
        try:
            surface = surface_for(python, self.cache_dir, warn=self._warn_once)
        except SurfaceError as exc:
            self._warn_once(f"{exc}; checking with the rule catalog alone")
            surface = None
        except Exception:  # a broken environment must not take the server down
            logger.exception("tfmend: reading the installed API surface failed")
            surface = None
        if surface is not None and not surface.available:
            self._warn_once(f"{surface.reason}; checking with the rule catalog alone")
            surface = None
        with self._lock:
            self._surfaces[python] = surface
            self._loading.discard(python)
        if surface is not None:
            logger.info("tfmend: the API surface of %s is loaded", surface.python)
            if self.on_surface is not None:
                self.on_surface()

    def project_for(self, root: Path) -> JediProject:
        """The re-export resolver of a project root (one per root, shared by its engines)."""
        root = root.resolve()
        with self._lock:
            project = self._projects.get(root)
            if project is None:
                project = self._projects[root] = JediProject(root)
            return project

    def invalidate(self, path: Path | None = None) -> set[Path]:
        """Forget re-exports resolved through `path` (or all); the files to check again."""
        with self._lock:
            projects = list(self._projects.values())
        affected: set[Path] = set()
        for project in projects:
            affected |= project.invalidate(path)
        return affected

    def set_text(self, path: Path, text: str | None) -> set[Path]:
        """Resolve re-exports through an open file's unsaved text (None: its saved file)."""
        with self._lock:
            projects = list(self._projects.values())
        affected: set[Path] = set()
        for project in projects:
            affected |= project.set_text(path, text)
        return affected

    def rule_files(self) -> set[Path]:
        """The project rule files in use."""
        with self._lock:
            return {path.resolve() for files in self._catalogs for path in files}

    def _catalog(self, settings: Settings) -> Catalog:
        """The catalog with the settings' rule files (cached by the files)."""
        files = settings.extend_rules
        with self._lock:
            cached = self._catalogs.get(files)
        if cached is not None:
            return cached
        catalog = load_catalog(settings, skip=self._skipped)
        with self._lock:
            self._catalogs[files] = catalog
        return catalog

    def _skipped(self, path: Path, error: CatalogError | OSError) -> None:
        if isinstance(error, CatalogError):
            self._report(
                f"tfmend: the rules file {path} is broken and was skipped; the other "
                f"rules still apply.\n{error}"
            )
        else:
            self._report(f"tfmend: cannot read the rules file {path} ({error}); it was skipped.")

    def _report(self, message: str) -> None:
        logger.error("%s", message)
        with self._lock:
            if message in self._reported:
                return
            self._reported.add(message)
        self.show_error(message)
