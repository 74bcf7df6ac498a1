"""The `tfmend` command line: check, fix, report, rules, serve, validate."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tfmend import __version__
from tfmend.catalog.rules import TARGETS, Catalog, CatalogError, MigrationTarget
from tfmend.cli.cache import ResultCache
from tfmend.cli.serve import add_arguments as add_serve_arguments
from tfmend.cli.serve import quiet_warnings
from tfmend.cli.validate import add_catalog_arguments
from tfmend.config import (
    ConfigError,
    Overrides,
    Settings,
    code_prefixes,
    load_settings,
)
from tfmend.results import FileResult
from tfmend.rewrite.graph_mode import in_package
from tfmend.text.files import iter_source_files
from tfmend.text.notebook import NotebookError, read_notebook
from tfmend.text.source import UndecodableError, decode_source
from tfmend.text.writeback import read_snapshot

if TYPE_CHECKING:  # the engine is imported once a file needs analysis (see load_catalog)
    from tfmend.api import Engine
    from tfmend.resolve.surface import Surface

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PARALLEL_THRESHOLD = 24
"""Below this many files, starting worker processes costs more than it saves."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfmend",
        description="Find, explain, fix and validate TensorFlow 1.x and Keras 2 code that breaks "
        "on TensorFlow 2 / Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"tfmend {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
        add_catalog_arguments(sub)
        sub.add_argument(
            "--target",
            choices=TARGETS,
            default=None,
            help="what fixed code runs on (default: the `target` setting, else tensorflow)",
        )
        sub.add_argument("--select", default=None, help="comma-separated code prefixes to report")
        sub.add_argument("--ignore", default=None, help="comma-separated code prefixes to skip")
        sub.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
        sub.add_argument("--no-progress", action="store_true", help="no progress bar")
        sub.add_argument(
            "--python",
            default=None,
            metavar="PY",
            help="the project's interpreter, whose TensorFlow/Keras API surface is checked "
            "(default: the active environment)",
        )
        sub.add_argument(
            "--cache-dir", type=Path, default=None, help="where the API surface index is cached"
        )
        sub.add_argument(
            "--no-surface",
            action="store_true",
            help="do not read the installed API surface; use the rule catalog alone",
        )
        sub.add_argument(
            "--no-cache",
            action="store_true",
            help="analyse every file, neither reading nor writing the results cache",
        )

    check = commands.add_parser("check", help="report problems")
    common(check)
    check.add_argument("--format", choices=("text", "json", "sarif", "gitlab"), default="text")
    check.add_argument("--output", type=Path, default=None, help="write the report to a file")
    check.add_argument(
        "--statistics",
        action="store_true",
        help="count findings per code (text or json), and say how fast files were checked",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")

    fix = commands.add_parser("fix", help="rewrite files in place")
    common(fix)
    fix.add_argument("--diff", action="store_true", help="print a diff instead of writing")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")

    from tfmend.cli.migration import add_arguments as add_report_arguments

    report = commands.add_parser("report", help="write a migration report (HTML or Markdown)")
    common(report)
    add_report_arguments(report)

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--rules", action="append", type=Path, default=[], metavar="FILE")
    rules.add_argument(
        "--test",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="run the examples of the rules in FILE (exit 1 if any fails)",
    )

    add_serve_arguments(commands.add_parser("serve", help="run the language server"))

    from tfmend.cli.validate import add_arguments as add_validate_arguments

    validate = commands.add_parser("validate", help="check fixes against real TensorFlow")
    add_validate_arguments(validate)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    start = (
        args.config
        if getattr(args, "config", None)
        else (args.paths[0] if getattr(args, "paths", None) else Path.cwd())
    )
    select, ignore = getattr(args, "select", None), getattr(args, "ignore", None)
    flags = Overrides(
        select=code_prefixes(select.split(",")) if select else None,
        ignore=code_prefixes(ignore.split(",")) if ignore else None,
        unsafe_fixes=True if getattr(args, "unsafe_fixes", False) else None,
        target=getattr(args, "target", None) or None,
    )
    return flags.over(load_settings(start))


@dataclass(frozen=True)
class _Setup:
    """What every file's check needs, built once and handed to worker processes."""

    settings: Settings
    extra: tuple[Path, ...]
    root: Path
    surface: Surface | None
    cache: ResultCache | None = None
    """The results cache (None: --no-cache, or a command that does not cache)."""
    later: tuple[str | None, Path | None, list[object]] | None = None
    """The surface to load once a file needs analysis (interpreter, cache directory) and the
    versions the cache key assumed for it; None when `surface` is loaded (or not wanted)."""


def _loaded(setup: _Setup) -> _Setup:
    """The setup with its surface loaded (a run from the cache alone never loads it)."""
    if setup.later is None:
        return setup
    python, cache_dir, assumed = setup.later
    surface = _surface(python, cache_dir)
    cache = setup.cache if _surface_key(surface) == assumed else None  # keyed wrongly: no cache
    return replace(setup, surface=surface, cache=cache, later=None)


def _surface_key(surface: Surface | None) -> list[object] | None:
    """What the cache key says of the installed API surface."""
    if surface is None:
        return None
    return [surface.python, sorted(surface.versions.items()), surface.legacy_keras]


def _versions_here(python: str | None) -> list[object] | None:
    """`_surface_key` of this interpreter's surface, read without a worker (None: another
    interpreter, whose worker must say)."""
    from tfmend.worker.client import WorkerError, resolve_python
    from tfmend.worker.tfworker import PACKAGES, installed_version

    try:
        interpreter = resolve_python(python)
    except WorkerError:
        return None
    if interpreter != os.path.abspath(sys.executable):
        return None
    versions = {package: installed_version(package) for package in PACKAGES}
    if versions["tensorflow"] is None:
        return None  # no surface: the run says so
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true", "yes")
    return [interpreter, sorted(versions.items()), legacy]


def load_catalog(settings: Settings, extra: tuple[Path, ...] = ()) -> Catalog:
    """The rule catalog of a run. The engine is imported here, when a command needs it: a run
    answered from the results cache alone never imports it (about a third of such a run)."""
    from tfmend.api import load_catalog as load

    return load(settings, extra)


_worker_engine: Engine | None = None
_worker_cache: ResultCache | None = None


def _init_worker(setup: _Setup) -> None:
    global _worker_engine, _worker_cache  # noqa: PLW0603 - one engine per worker process
    from tfmend.api import Engine, tune_gc

    setup = _loaded(setup)
    _worker_cache = setup.cache
    _worker_engine = Engine.of_project(
        setup.settings, setup.root, extra_rules=setup.extra, surface=setup.surface
    )
    tune_gc()


def _check_one(path: Path) -> FileResult:
    assert _worker_engine is not None
    return _strip(_remembered(_worker_engine.check_file(path)))


def _fix_one(path: Path) -> FileResult:
    assert _worker_engine is not None
    return _strip(_remembered(_worker_engine.fix_file(path)))


def _remembered(result: FileResult) -> FileResult:
    """Store a result's findings (those of the file as read) in the results cache."""
    engine = _worker_engine
    if _worker_cache is not None and result.snapshot is not None and engine is not None:
        read = engine.project.read_for(result.path) if engine.project is not None else set()
        _worker_cache.store(result.path, result.snapshot.digest, result.findings, read)
    return result


def _strip(result: FileResult) -> FileResult:
    """Drop the rule objects before a result crosses a process boundary."""
    result.findings = [replace(f, rule=None) for f in result.findings]
    result.remaining = [replace(f, rule=None) for f in result.remaining]
    result.applied = [replace(f, rule=None) for f in result.applied]
    return result


def _run(
    setup: _Setup,
    paths: list[Path],
    job: Callable[[Path], FileResult],
    *,
    jobs: int | None,
    progress: bool,
) -> list[FileResult]:
    bar = _Progress(len(paths), sys.stderr) if progress and sys.stderr.isatty() else None
    cached = _cached(setup, paths, fixing=job is _fix_one)
    if bar:
        for _ in cached:
            bar.step()
    missed = [p for p in paths if p not in cached]
    if missed:
        # A broken rules file is reported before any work. Cached results need no catalog: the
        # rule files they were found with (their hashes are in the cache key) loaded fine.
        load_catalog(setup.settings, setup.extra)
        setup = _loaded(setup)  # once here, not in each worker
    # Files outside packages last: whether one is a library depends on which project files
    # import it, which each worker then knows of the files it checked without parsing them again.
    missed.sort(key=lambda path: not in_package(path))
    analysed: dict[Path, FileResult] = {}
    workers = jobs or os.cpu_count() or 1
    if missed and (len(missed) < PARALLEL_THRESHOLD or workers == 1):
        _init_worker(setup)
        for path, result in zip(missed, map(job, missed), strict=True):
            analysed[path] = result
            if bar:
                bar.step()
    elif missed:  # the catalog, parsed above, is inherited by forked workers
        from concurrent.futures import ProcessPoolExecutor

        # And so is libcst, imported once here rather than by each worker's first planned fix.
        import tfmend.catalog.render  # noqa: F401

        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(setup,)) as pool:
            # A few files of one directory a task: names of a package's modules are resolved
            # through its other modules and its __init__.py, which the worker then has parsed
            # already (file by file, each worker parsed half the other's files again). Small
            # tasks all the same: the files outside packages come last, and a chunk of the
            # slowest of them left one worker with the tail while the other was idle.
            tasks = _neighbours(missed)
            for task, results in zip(tasks, pool.map(partial(_each, job), tasks), strict=True):
                for path, result in zip(task, results, strict=True):
                    analysed[path] = result
                    if bar:
                        bar.step()
    if bar:
        bar.done()
    return [cached[p] if p in cached else analysed[p] for p in paths]


_NEIGHBOURS = 6
"""Files a worker task checks at most (files of one directory)."""


def _neighbours(paths: list[Path]) -> list[list[Path]]:
    """Consecutive files of the same directory, a few at a time, in their order."""
    tasks: list[list[Path]] = []
    for path in paths:
        if tasks and len(tasks[-1]) < _NEIGHBOURS and tasks[-1][0].parent == path.parent:
            tasks[-1].append(path)
        else:
            tasks.append([path])
    return tasks


def _each(job: Callable[[Path], FileResult], paths: list[Path]) -> list[FileResult]:
    """A worker task: the job of each file."""
    return [job(path) for path in paths]


def _cached(setup: _Setup, paths: list[Path], *, fixing: bool) -> dict[Path, FileResult]:
    """The results the cache holds for unchanged files (for a fix: files it leaves unchanged)."""
    cache = setup.cache
    found: dict[Path, FileResult] = {}
    if cache is None:
        return found
    for path in paths:
        try:
            data, snapshot = read_snapshot(path)
            findings = cache.lookup(path, snapshot.digest)
            if findings is None:
                continue
            if fixing and any(f.fixable(setup.settings.unsafe_fixes) for f in findings):
                continue  # the fix must run
            source = decode_source(data)
            notebook = read_notebook(source.text) if path.suffix == ".ipynb" else None
        except (OSError, UndecodableError, NotebookError):
            continue  # analysed as usual, which reports the error
        found[path] = FileResult(
            path, findings, notebook, source, remaining=findings, snapshot=snapshot
        )
        cache.hits += 1
    return found


class _Progress:
    """A one-line progress bar on a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.count = 0
        self.stream = stream

    def step(self) -> None:
        self.count += 1
        if self.total < 20:
            return
        width = 30
        filled = width * self.count // max(self.total, 1)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} files"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.total >= 20:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def _prepare(args: argparse.Namespace) -> tuple[_Setup, list[Path]]:
    settings = _settings(args)
    extra = tuple(p.resolve() for p in args.rules)
    if args.no_cache or args.command not in ("check", "fix"):
        load_catalog(settings, extra)  # report a broken rules file before any work
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise ConfigError(f"{missing[0]}: no such file or directory")
    root = settings.root or (args.paths[0] if args.paths[0].is_dir() else args.paths[0].parent)
    files = list(iter_source_files(args.paths, settings.exclude, settings.root))
    python = args.python or settings.python
    cached = args.command in ("check", "fix") and not args.no_cache
    # With the results cache, the surface is loaded only when a file is analysed: the cache key
    # needs the installed versions alone, which this interpreter reads without a worker.
    here = _versions_here(python) if cached and not args.no_surface else None
    surface = None if args.no_surface or here else _surface(python, args.cache_dir)
    later = (python, args.cache_dir, here) if here else None
    setup = _Setup(settings, extra, root.resolve(), surface, later=later)
    if cached:
        # Checking the whole project without excludes lists what the layout walk would list.
        whole = not settings.exclude and [p.resolve() for p in args.paths] == [setup.root]
        setup = replace(setup, cache=_results_cache(setup, files if whole else None))
    return setup, files


def _results_cache(setup: _Setup, files: list[Path] | None) -> ResultCache | None:
    """The results cache of this configuration (None when the project is too big to key);
    `files`, when given, are the project's source files."""
    from tfmend.cli.cache import DIRECTORY, layout, rule_files, run_key

    modules = layout(setup.root, files)
    if modules is None:
        return None
    key = run_key(
        parts={
            "settings": repr(replace(setup.settings, cache_dir=None)),
            "root": str(setup.root),
            "layout": modules,
            "surface": setup.later[2] if setup.later else _surface_key(setup.surface),
        },
        rules=rule_files((*setup.settings.extend_rules, *setup.extra)),
    )
    return ResultCache(setup.settings.cache_dir or setup.root / DIRECTORY, key)


def _surface(python: str | None, cache_dir: Path | None) -> Surface | None:
    """The project interpreter's API surface, or None (said once on stderr) without TensorFlow."""
    from tfmend.resolve.surface import SurfaceError, surface_for

    def warn(message: str) -> None:
        sys.stderr.write(f"tfmend: {message}\n")

    try:
        surface = surface_for(python, cache_dir, warn=warn)
    except SurfaceError as exc:
        if python is not None:
            raise ConfigError(str(exc)) from exc
        warn(f"{exc}; checking with the rule catalog alone")
        return None
    if not surface.available:
        warn(f"{surface.reason}; checking with the rule catalog alone")
        return None
    return surface


def _cmd_check(args: argparse.Namespace) -> int:
    from tfmend.cli import report

    if args.statistics and args.format not in ("text", "json"):
        raise ConfigError("--statistics is printed as text or json")
    started = time.monotonic()
    setup, files = _prepare(args)
    results = _run(setup, files, _check_one, jobs=args.jobs, progress=not args.no_progress)
    if args.statistics:
        sys.stderr.write(_speed(len(files), time.monotonic() - started, setup.cache))
    if args.statistics or args.format == "gitlab":
        text = _check_summary(args, setup, results)
    elif args.format == "json":
        text = report.json_report(results)
    elif args.format == "sarif":
        text = report.sarif_report(results, load_catalog(setup.settings, setup.extra))
    else:
        text = report.text_report(results, setup.settings.target)
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{args.output}: cannot write the report: {exc.strerror}") from exc
    else:
        sys.stdout.write(text)
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(r.findings for r in results) else EXIT_CLEAN


def _speed(files: int, seconds: float, cache: ResultCache | None) -> str:
    """`Checked 700 files in 0.52 s (1346 files/s; 690 from the cache).`"""
    rate = files / seconds if seconds > 0 else 0.0
    hits = f"; {cache.hits} from the cache" if cache is not None else "; no cache"
    return (
        f"Checked {files} file{'s' if files != 1 else ''} in {seconds:.2f} s "
        f"({rate:.0f} files/s{hits}).\n"
    )


def _check_summary(args: argparse.Namespace, setup: _Setup, results: list[FileResult]) -> str:
    """`--statistics` and `--format gitlab`: reports built on the findings' summary."""
    from tfmend.cli.gitlab import gitlab_report
    from tfmend.cli.statistics import statistics_json, statistics_text
    from tfmend.cli.summary import items_of

    items = items_of(results, load_catalog(setup.settings, setup.extra), setup.settings.target)
    if args.format == "gitlab":
        return gitlab_report(items)
    render = statistics_json if args.format == "json" else statistics_text
    return render(items, unsafe_fixes=setup.settings.unsafe_fixes)


def _cmd_report(args: argparse.Namespace) -> int:
    from tfmend.cli.migration import write_report

    setup, files = _prepare(args)
    results = _run(setup, files, _fix_one, jobs=args.jobs, progress=not args.no_progress)
    catalog = load_catalog(setup.settings, setup.extra)
    return write_report(
        args, results, catalog=catalog, settings=setup.settings, surface=setup.surface
    )


def _cmd_fix(args: argparse.Namespace) -> int:
    from tfmend.cli import report
    from tfmend.cli.writing import Tally, write_all

    setup, files = _prepare(args)
    results = _run(setup, files, _fix_one, jobs=args.jobs, progress=not args.no_progress)
    if args.diff:
        for result in results:
            if result.fixed_text is not None and result.source is not None:
                _print_diff(result.path, result.source.text, result.fixed_text)
        tally = Tally(results=results)
    else:

        def refix(path: Path) -> FileResult:  # a file edited meanwhile is fixed again here
            if _worker_engine is None:
                _init_worker(setup)
            return _fix_one(path)

        roots = tuple(p if p.is_dir() else p.parent for p in args.paths)
        tally = write_all(results, refix, roots=roots, stderr=sys.stderr)
    fixed = [
        r
        for r in tally.results
        if r.fixed_text is not None and r.source is not None and r.path not in tally.unwritten
    ]
    changed = len(fixed)
    applied = sum(len(r.applied) for r in fixed)
    remaining = [
        replace(r, findings=r.remaining)
        for r in tally.results
        if r.remaining and r.read_error is None
    ]
    if remaining:
        sys.stdout.write(report.text_report(remaining, setup.settings.target))
    verb = "Would fix" if args.diff else "Fixed"
    failed = f"; {tally.failed} file{'s' if tally.failed != 1 else ''} could not be read or written"
    sys.stderr.write(
        f"{verb} {applied} problem{'s' if applied != 1 else ''} in {changed} "
        f"file{'s' if changed != 1 else ''}; "
        f"{sum(len(r.findings) for r in remaining)} remaining"
        f"{failed if tally.failed else ''}.\n"
    )
    if tally.failed:
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    return EXIT_FINDINGS if remaining or tally.changed else EXIT_CLEAN


def _print_diff(path: Path, before: str, after: str) -> None:
    sys.stdout.writelines(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path.as_posix()}",
            tofile=f"b/{path.as_posix()}",
        )
    )


def _cmd_rules(args: argparse.Namespace) -> int:
    from tfmend.cli import report

    catalog = load_catalog(Settings(), tuple(p.resolve() for p in args.rules + args.test))
    if args.test:
        from tfmend.api import Engine
        from tfmend.catalog.rules import load_rules_file
        from tfmend.validate.examples import check_rule, example_targets

        engines: dict[str, Engine] = {}

        def engine_for(target: MigrationTarget) -> Engine:
            if target not in engines:
                engines[target] = Engine(Settings(target=target), catalog=catalog)
            return engines[target]

        failures = [
            f
            for path in args.test
            for rule in load_rules_file(path.resolve())
            for f in check_rule(engine_for, rule)
        ]
        for failure in failures:
            sys.stdout.write(f"{failure}\n")
        count = sum(
            len(variant.invalid) + len(variant.valid)
            for p in args.test
            for rule in load_rules_file(p)
            for _target, variant in example_targets(rule)
        )
        sys.stdout.write(f"{count} examples, {len(failures)} failing\n")
        return EXIT_FINDINGS if failures else EXIT_CLEAN
    sys.stdout.write(
        report.rules_json(catalog) if args.format == "json" else report.rules_text(catalog)
    )
    return EXIT_CLEAN


def _cmd_serve(args: argparse.Namespace) -> int:
    from tfmend.cli.serve import run

    return run(args)


def _cmd_validate(args: argparse.Namespace) -> int:
    from tfmend.cli.validate import run

    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tfmend` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    quiet_warnings()
    handlers = {
        "check": _cmd_check,
        "fix": _cmd_fix,
        "report": _cmd_report,
        "rules": _cmd_rules,
        "serve": _cmd_serve,
        "validate": _cmd_validate,
    }
    try:
        return handlers[args.command](args)
    except CatalogError as exc:
        sys.stderr.writelines(f"tfmend: {error}\n" for error in exc.errors)
        return EXIT_ERROR
    except ConfigError as exc:
        sys.stderr.write(f"tfmend: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Whoever read the output went away (`tfmend check | head`): nothing more to say, and
        # Python's own flush of stdout at exit must not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:  # a bug in tfmend: one line here, the traceback in a file
        from tfmend.cli.crash import report_crash

        report_crash(exc, argv, sys.stderr)
        return EXIT_ERROR
