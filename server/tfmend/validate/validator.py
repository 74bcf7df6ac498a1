"""Validating fixes against real TensorFlow, in the project's interpreter, on a scratch copy.

    validator = Validator(ValidationSettings(python="/path/to/venv/bin/python"))
    result = validator.validate(Path("train.py"), line_range=(41, 41), progress=print)
    validator.close()

`validate` blocks (call it from a thread in an event loop) and returns a ValidationResult
(`tfmend.validate.result`): status, the environment's versions, one entry per check, a verdict
per fix and the summary line. The worker that runs
the checks lives across calls (TensorFlow is imported once) and is restarted when it dies, when a
check times out, or when the interpreter setting changes. See docs/validation.md.
"""

from __future__ import annotations

import os
import shlex
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from tfmend.api import Engine
from tfmend.catalog.rules import Probe, Rule
from tfmend.config import ConfigError, ValidationSettings, load_settings
from tfmend.findings import Finding
from tfmend.fixer import FixError
from tfmend.resolve.module import ParsedModule
from tfmend.text.notebook import NotebookError, read_notebook
from tfmend.text.source import UndecodableError, decode_source
from tfmend.validate.result import (
    NO_PROBE,
    Applied,
    Check,
    ValidationResult,
    fix_verdicts,
    make_check,
    overall_status,
)
from tfmend.validate.scratch import Scratch, ScratchError, project_root
from tfmend.worker.client import (
    InterpreterNotFoundError,
    RequestFailedError,
    WorkerClient,
    WorkerDiedError,
    WorkerError,
    WorkerTimeoutError,
    resolve_python,
)
from tfmend.worker.protocol import Compiled, NamesFound, Probed, Ran

Progress = Callable[[str], None]
T = TypeVar("T")

LOAD_TIMEOUT = 300.0
"""Seconds for the first import of TensorFlow (a cold disk is slow), whatever the check timeout."""
COMMAND_GRACE = 30.0
"""The worker enforces a command's timeout itself; the client waits this much longer."""


@dataclass(frozen=True)
class _Environment:
    """The worker's interpreter and the versions that imported in it."""

    python: str
    interpreter: str
    tensorflow: str | None
    keras: str | None
    tf_keras: str | None


@dataclass
class _Plan:
    """What a validation has to check: the texts and the rules whose fixes were applied."""

    path: Path
    original: str
    fixed: str
    file_before: bytes
    file_after: bytes
    applied: list[Finding]
    rules: list[Rule] = field(default_factory=list)
    notebook: bool = False


class CannotValidateError(Exception):
    """Validation cannot run (no interpreter, no TensorFlow, nothing to fix, ...)."""

    reason = "cannot"


class NothingToValidateError(CannotValidateError):
    """There is no fix where validation was asked for."""

    reason = "no-fix"


class Validator:
    """Validates fixes; one long-lived worker per interpreter. Thread-safe, one call at a time."""

    def __init__(
        self, settings: ValidationSettings | None = None, engine: Engine | None = None
    ) -> None:
        self.settings = settings or ValidationSettings()
        self.engine = engine
        self._worker: WorkerClient | None = None
        self._environment: _Environment | None = None
        self._interpreter: str | None = None
        self._closing = False
        self._lock = threading.Lock()

    # -- public API ------------------------------------------------------------------------------
    def configure(self, settings: ValidationSettings) -> None:
        """New settings; the worker is restarted when its interpreter, memory or GPU changed."""
        with self._lock:
            old = self.settings
            self.settings = settings
            if (old.python, old.memory_mb, old.gpu) != (
                settings.python,
                settings.memory_mb,
                settings.gpu,
            ):
                self._stop_worker()

    @property
    def worker_pid(self) -> int | None:
        """The worker's process id while it runs (for diagnostics)."""
        return self._worker.pid if self._worker is not None else None

    def close(self) -> None:
        """Stop the worker now; a validation in progress ends with its pending checks failed.

        The validator stays usable: the next `validate` starts a new worker.
        """
        self._closing = True
        try:
            worker = self._worker
            if worker is not None:
                worker.kill()  # without the lock: a running request sees the process end
            with self._lock:
                self._stop_worker()
        finally:
            self._closing = False

    def validate(
        self,
        path: Path,
        text: str | None = None,
        line_range: tuple[int, int] | None = None,
        progress: Progress | None = None,
        *,
        unsafe: bool | None = True,
    ) -> ValidationResult:
        """Fix `path` (or the findings in 0-based inclusive `line_range`) and check the fix.

        Every fix is tried, unsafe ones included (validation is how an unsafe fix earns its
        place), unless `unsafe` is False or None (the settings decide). `text` is the editor's
        content of the file when it differs from the disk. The result's status is passed (every
        fix checked at run time and nothing failed), failed, unchecked (nothing failed, but some
        fix had no runtime check) or error (with its message).
        """
        with self._lock:
            started = time.monotonic()
            say = progress or (lambda _text: None)
            result = ValidationResult("error", str(path))
            try:
                self._validate(path, text, line_range, say=say, unsafe=unsafe, result=result)
            except CannotValidateError as exc:
                result.status = "error"
                result.message = str(exc)
                result.reason = exc.reason
            result.duration_ms = round((time.monotonic() - started) * 1000)
            return result.summarized()

    # -- the steps -------------------------------------------------------------------------------
    def _validate(
        self,
        path: Path,
        text: str | None,
        line_range: tuple[int, int] | None,
        *,
        say: Progress,
        unsafe: bool | None,
        result: ValidationResult,
    ) -> None:
        engine = self._engine_for(path)
        plan = self._plan(engine, path, text, line_range, unsafe)
        result.applied = [
            Applied(f.code, f.span.start.line + 1, f.name, f.message, f.fix) for f in plan.applied
        ]
        environment = self._environment_for(engine, say)
        result.python = environment.python
        result.interpreter = environment.interpreter
        result.tensorflow = environment.tensorflow
        result.keras = environment.keras
        result.tf_keras = environment.tf_keras
        checks = result.checks
        checks += self._api_checks(plan, say)
        for rule in plan.rules:
            checks.append(self._probe_check(rule, say))
        checks.append(self._compile_check(plan, say))
        if self.settings.import_check or self.settings.command:
            root, whole = project_root(path, engine.settings.root)
            try:
                with Scratch(root, recursive=whole) as scratch:
                    if self.settings.import_check:
                        checks.append(self._import_check(plan, scratch, say))
                    if self.settings.command:
                        checks.append(self._command_check(plan, scratch, say))
            except ScratchError as exc:
                raise CannotValidateError(str(exc)) from exc
        result.fixes = fix_verdicts(result.applied, checks)
        result.status = overall_status(result.fixes, checks)

    def _engine_for(self, path: Path) -> Engine:
        if self.engine is not None:
            return self.engine
        try:
            return Engine(load_settings(path))
        except ConfigError as exc:
            raise CannotValidateError(str(exc)) from exc

    def _plan(
        self,
        engine: Engine,
        path: Path,
        text: str | None,
        line_range: tuple[int, int] | None,
        unsafe: bool | None,
    ) -> _Plan:
        """The fixed text and the rules involved; CannotValidateError when there is nothing."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            if text is None:
                raise CannotValidateError(f"cannot read {path}: {exc}") from exc
            data = text.encode("utf-8")  # an editor buffer not saved yet
        try:
            source = decode_source(data)
        except UndecodableError as exc:
            raise CannotValidateError(f"cannot decode {path}: {exc}") from exc
        content = source.text if text is None else text
        notebook = None
        module_text = content
        if path.suffix == ".ipynb":
            try:
                notebook = read_notebook(content)
            except NotebookError as exc:
                raise CannotValidateError(f"{path}: {exc}") from exc
            module_text = notebook.text

        def in_range(finding: Finding) -> bool:
            if line_range is None:
                return True
            return line_range[0] <= finding.span.start.line <= line_range[1]

        try:
            fixed = engine.fix_text(
                module_text,
                path,
                unsafe=unsafe,
                select=in_range,
                single_pass=line_range is not None,
            )
        except FixError as exc:
            raise CannotValidateError(f"the fix cannot be computed: {exc}") from exc
        if not fixed.changed:
            where = (
                ""
                if line_range is None
                else (
                    f" on line {line_range[0] + 1}"
                    if line_range[0] == line_range[1]
                    else f" on lines {line_range[0] + 1}-{line_range[1] + 1}"
                )
            )
            raise NothingToValidateError(
                f"nothing to validate: no fixable finding in {path}{where}"
            )
        after = fixed.text if notebook is None else notebook.with_text(fixed.text)
        rules = list({f.rule.code: f.rule for f in fixed.applied if f.rule is not None}.values())
        return _Plan(
            path=path,
            original=module_text,
            fixed=fixed.text,
            file_before=source.encode(content),
            file_after=source.encode(after),
            applied=fixed.applied,
            rules=rules,
            notebook=notebook is not None,
        )

    def _environment_for(self, engine: Engine, say: Progress) -> _Environment:
        """Start the worker when needed and import TensorFlow in it; the versions it reports."""
        python = self.settings.python or engine.settings.python
        try:
            interpreter = resolve_python(python)
        except InterpreterNotFoundError as exc:
            raise CannotValidateError(str(exc)) from exc
        self._interpreter = interpreter
        if self._worker is not None and (
            self._worker.python != interpreter or not self._worker.alive
        ):
            self._stop_worker()
        if self._worker is None or self._environment is None:
            say(f"starting the worker ({interpreter})")
            self._worker = WorkerClient(
                interpreter, memory_mb=self.settings.memory_mb, gpu=self.settings.gpu
            )
            try:
                hello = self._worker.hello(timeout=self.settings.timeout)
                if hello.packages.get("tensorflow") is None:
                    raise CannotValidateError(
                        f"TensorFlow is not installed in {interpreter}: "
                        "validation needs the project's own environment"
                    )
                say("importing TensorFlow")
                loaded = self._worker.load(timeout=max(LOAD_TIMEOUT, self.settings.timeout))
            except WorkerError as exc:
                self._stop_worker()
                raise CannotValidateError(f"cannot start the TensorFlow worker: {exc}") from exc
            except CannotValidateError:
                self._stop_worker()
                raise
            versions = loaded.versions
            if versions.get("tensorflow") is None:
                error = loaded.errors.get("tensorflow", "")
                self._stop_worker()
                raise CannotValidateError(f"TensorFlow does not import in {interpreter}: {error}")
            self._environment = _Environment(
                python=hello.python,
                interpreter=interpreter,
                tensorflow=versions.get("tensorflow"),
                keras=versions.get("keras"),
                tf_keras=versions.get("tf_keras"),
            )
        return self._environment

    def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.close()
        self._worker = None
        self._environment = None

    def _call(
        self,
        method: str,
        parse: Callable[[Any], T],
        params: dict[str, Any],
        say: Progress,
        timeout: float | None = None,
    ) -> tuple[T, None] | tuple[None, str]:
        """(result, None), or (None, what went wrong) after a timeout, a crash or an error."""
        if self._closing:
            return None, "cancelled: the validator was closed"
        worker = self._worker
        if worker is None or not worker.alive:
            # An earlier check killed it: a fresh one imports TensorFlow again on first use.
            assert self._interpreter is not None
            environment = self._environment
            self._stop_worker()
            worker = self._worker = WorkerClient(
                self._interpreter, memory_mb=self.settings.memory_mb, gpu=self.settings.gpu
            )
            self._environment = environment
            say("restarting the worker")
        limit = self.settings.timeout if timeout is None else timeout
        try:
            return worker.call(method, parse, params, timeout=limit, progress=say), None
        except WorkerTimeoutError:
            return None, (
                f"timed out after {self.settings.timeout:g} s; the worker was stopped "
                "and is restarted for the next check"
            )
        except WorkerDiedError as exc:
            return None, f"{exc}\nThe worker is restarted for the next check."
        except RequestFailedError as exc:
            return None, f"the worker failed: {exc}\n{exc.error.traceback}".rstrip()
        except WorkerError as exc:
            return None, str(exc)

    # -- checks ----------------------------------------------------------------------------------
    def _api_checks(self, plan: _Plan, say: Progress) -> list[Check]:
        """Every TF/Keras name the fix brings in exists here (one check per rule)."""
        introduced = sorted(referenced_names(plan.fixed) - referenced_names(plan.original))
        if not introduced:
            return []
        say("checking that the new APIs exist")
        answer, problem = self._call("api", NamesFound.from_json, {"names": introduced}, say)
        by_rule: dict[str | None, list[str]] = {}
        for name in introduced:
            by_rule.setdefault(_rule_introducing(name, plan.rules), []).append(name)
        checks = []
        for code, names in by_rule.items():
            if answer is None:
                checks.append(make_check(code, "api", "failed", str(problem)))
                continue
            found = {name: answer.names[name] for name in names}
            missing = [name for name, info in found.items() if info.exists is False]
            unknown = [name for name, info in found.items() if info.exists is None]
            if missing:
                checks.append(
                    make_check(
                        code, "api", "failed", "missing in this environment: " + ", ".join(missing)
                    )
                )
            elif unknown:
                reasons = {str(found[name].error) for name in unknown}
                checks.append(
                    make_check(
                        code,
                        "api",
                        "skipped",
                        f"cannot check {', '.join(unknown)}: {'; '.join(sorted(reasons))}",
                    )
                )
            else:
                checks.append(make_check(code, "api", "passed", "exists: " + ", ".join(names)))
        return checks

    def _probe_check(self, rule: Rule, say: Progress) -> Check:
        """The rule's old/new comparison."""
        probe = rule.probe
        if probe is None:
            return make_check(rule.code, "probe", "skipped", NO_PROBE)
        say(f"probe of {rule.code}")
        answer, problem = self._call("probe", Probed.from_json, probe_request(probe), say)
        if answer is None:
            return make_check(rule.code, "probe", "failed", str(problem))
        if answer.restart:
            self._stop_worker()  # it left graph mode on: the next check gets a fresh process
        check = make_check(rule.code, "probe", answer.status, answer.detail)
        return replace(
            check,
            old=answer.old or None,
            new=answer.new or None,
            mismatches=answer.mismatches,
            output=answer.output or None,
        )

    def _compile_check(self, plan: _Plan, say: Progress) -> Check:
        """The fixed code compiles under the project's interpreter."""
        say("compiling the fixed file")
        answer, problem = self._call(
            "compile", Compiled.from_json, {"source": plan.fixed, "filename": str(plan.path)}, say
        )
        if answer is None:
            return make_check(None, "compile", "failed", str(problem))
        error = answer.error
        if error is None:
            return make_check(None, "compile", "passed", "the fixed file compiles")
        where = f" (line {error.line})" if error.line else ""
        text = f"\n    {error.text}" if error.text else ""
        return make_check(None, "compile", "failed", f"{error.type}: {error.message}{where}{text}")

    def _import_check(self, plan: _Plan, scratch: Scratch, say: Progress) -> Check:
        """The fixed module imports (its top-level code runs) in a child of the worker."""
        if plan.notebook:
            return make_check(None, "import", "skipped", "a notebook cannot be imported")
        target = scratch.write(plan.path, plan.file_after)
        module = module_name(target, scratch.root)
        say(f"importing {module}")
        answer, problem = self._call(
            "import",
            Ran.from_json,
            {"directory": str(scratch.root), "module": module, "timeout": self.settings.timeout},
            say,
            self.settings.timeout + COMMAND_GRACE,
        )
        scratch.write(plan.path, plan.file_before)
        if answer is None:
            return make_check(None, "import", "failed", str(problem))
        if answer.ok:
            return make_check(None, "import", "passed", f"{module} imports")
        check = make_check(None, "import", "failed", f"import {module}: {answer.error}")
        return replace(check, output=answer.output)

    def _command_check(self, plan: _Plan, scratch: Scratch, say: Progress) -> Check:
        """The command, before the fix and after it, in the scratch copy."""
        assert self.settings.command is not None
        assert self._interpreter is not None
        interpreter = self._interpreter
        outcomes: dict[str, tuple[Ran, None] | tuple[None, str]] = {}
        for label, data in (("before", plan.file_before), ("after", plan.file_after)):
            target = scratch.write(plan.path, data)
            try:
                argv = command_argv(self.settings.command, interpreter, target)
            except ValueError as exc:
                return make_check(None, "command", "failed", f"cannot parse the command: {exc}")
            say(f"running the command {label} the fix")
            outcomes[label] = self._call(
                "run",
                Ran.from_json,
                {
                    "argv": argv,
                    "cwd": str(scratch.root),
                    "timeout": self.settings.timeout,
                    "env": command_env(interpreter),
                },
                say,
                self.settings.timeout + COMMAND_GRACE,
            )
        scratch.write(plan.path, plan.file_before)
        parts = []
        for label, (answer, problem) in outcomes.items():
            if answer is None:
                parts.append(f"{label}: error ({str(problem).splitlines()[0]})")
            elif answer.ok:
                parts.append(f"{label}: passed")
            else:
                parts.append(f"{label}: failed ({answer.error})")
        before, after = outcomes["before"][0], outcomes["after"][0]
        passed = after is not None and after.ok
        check = make_check(None, "command", "passed" if passed else "failed", "; ".join(parts))
        return replace(check, command=self.settings.command, before=before, after=after)


def probe_request(probe: Probe) -> dict[str, Any]:
    """The parameters of the worker's `probe` request for a rule's probe."""
    return {
        "setup": probe.setup,
        "old": probe.old,
        "new": probe.new,
        "compare": list(probe.compare),
        "tolerance": probe.tolerance,
        "cases": list(probe.cases),
        "differing": list(probe.differing),
    }


def _rule_introducing(name: str, rules: Iterable[Rule]) -> str | None:
    """The rule whose fix brings a name in (its replacement, or a prefix/extension of one)."""
    for rule in rules:
        for replacement in rule.replacements():
            if (
                name == replacement
                or name.startswith(replacement + ".")
                or replacement.startswith(name + ".")
            ):
                return rule.code
    return None


def referenced_names(text: str) -> set[str]:
    """Qualified names of the TF/Keras APIs a module uses, through its imports."""
    try:
        module = ParsedModule(text)
    except (SyntaxError, ValueError):
        return set()
    bindings = module.bindings
    names: set[str] = set()
    for chain in bindings.chains:
        resolution = bindings.resolve(chain)
        if resolution is None:
            continue
        for imported in resolution.imports:
            if not imported.tracked:
                continue
            base = imported.target
            if imported.alias.name == "*":
                base = f"{imported.target}.{chain.base}"
            names.add(".".join([base, *chain.attributes]))
    return names


def module_name(path: Path, root: Path) -> str:
    """The dotted module name of a file under a root directory."""
    relative = path.relative_to(root).with_suffix("")
    parts = list(relative.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def command_argv(command: str, interpreter: str, file: Path) -> list[str]:
    """The command's argv: placeholders filled, a leading python meaning the interpreter."""
    argv = [
        part.replace("{file}", str(file)).replace("{python}", interpreter)
        for part in shlex.split(command)
    ]
    if argv and argv[0] in ("python", "python3"):
        argv[0] = interpreter
    return argv


def command_env(interpreter: str) -> dict[str, str]:
    """The interpreter's scripts directory first on PATH, as an activated environment has it."""
    scripts = os.path.dirname(interpreter)
    return {
        "PATH": scripts + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
