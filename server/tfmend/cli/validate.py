"""The `tfmend validate` subcommand: its arguments, the run, the text form of a result."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tfmend.catalog.rules import TARGETS
from tfmend.config import Overrides, ValidationSettings

if TYPE_CHECKING:
    from tfmend.validate.result import ValidationResult

EXIT_CODES = {"passed": 0, "failed": 1, "error": 2, "unchecked": 3}
DEFAULTS = ValidationSettings()


def add_catalog_arguments(sub: argparse.ArgumentParser) -> None:
    """`--rules` and `--config`: where the rules and the settings come from (every command)."""
    sub.add_argument(
        "--rules",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="an extra rules file (may be repeated)",
    )
    sub.add_argument(
        "--config", type=Path, default=None, help="read [tool.tfmend] from this pyproject.toml"
    )


def add_arguments(sub: argparse.ArgumentParser) -> None:
    """The options of `tfmend validate`."""
    sub.add_argument("path", type=Path, metavar="PATH", help="the file whose fixes to validate")
    sub.add_argument(
        "--target",
        choices=TARGETS,
        default=None,
        help="what fixed code runs on (default: the `target` setting, else tensorflow)",
    )
    sub.add_argument(
        "--line",
        type=int,
        default=None,
        metavar="N",
        help="only the fixes of findings on line N (1-based)",
    )
    sub.add_argument(
        "--python",
        default=None,
        metavar="PY",
        help="the project's interpreter (default: the active environment)",
    )
    sub.add_argument(
        "--command",
        dest="check_command",  # `command` is the subcommand's name in the parent parser
        default=None,
        metavar="CMD",
        help="run before and after the fix in a scratch copy, e.g. "
        "'pytest -x tests' or 'python {file}'",
    )
    sub.add_argument(
        "--timeout",
        type=float,
        default=DEFAULTS.timeout,
        metavar="S",
        help=f"seconds per check (default: {DEFAULTS.timeout:g})",
    )
    sub.add_argument(
        "--memory-mb",
        type=int,
        default=DEFAULTS.memory_mb or 0,
        metavar="MB",
        help=f"address-space limit of the worker, 0 for none (default: {DEFAULTS.memory_mb or 0})",
    )
    sub.add_argument("--import-check", action="store_true", help="also import the fixed module")
    sub.add_argument("--gpu", action="store_true", help="let TensorFlow see GPUs")
    sub.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="accepted for compatibility: validation tries every fix, unsafe ones included",
    )
    add_catalog_arguments(sub)
    sub.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    """Validate and print the result: exit 0 passed, 1 failed, 2 could not validate, 3 some fix
    had no runtime check (and nothing failed)."""
    from tfmend.api import Engine
    from tfmend.config import load_settings
    from tfmend.validate.scratch import project_root
    from tfmend.validate.validator import Validator

    flags = Overrides(unsafe_fixes=True if args.unsafe_fixes else None, target=args.target)
    settings = flags.over(load_settings(args.config or args.path))
    extra = tuple(p.resolve() for p in args.rules)
    root, _whole = project_root(args.path, settings.root)
    engine = Engine.of_project(settings, root, extra_rules=extra)
    validator = Validator(
        ValidationSettings(
            python=args.python or settings.python,
            timeout=args.timeout,
            memory_mb=args.memory_mb or None,
            import_check=args.import_check,
            command=args.check_command,
            gpu=args.gpu,
        ),
        engine,
    )
    line_range = None if args.line is None else (args.line - 1, args.line - 1)
    progress = _progress if sys.stderr.isatty() else None
    try:
        result = validator.validate(args.path, line_range=line_range, progress=progress)
    finally:
        validator.close()
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(result_text(result))
    return EXIT_CODES[result.status]


def _progress(text: str) -> None:
    sys.stderr.write(f"tfmend: {text}\n")
    sys.stderr.flush()


_MARKS = {"passed": "ok", "failed": "FAILED", "skipped": "skipped", "unchecked": "unchecked"}


def result_text(result: ValidationResult) -> str:
    """One line per check, details indented under it, then the engine's verdict."""
    lines: list[str] = []
    if result.tensorflow:
        lines.append(
            f"Validated in {result.interpreter} (Python {result.python}, TensorFlow "
            f"{result.tensorflow}, Keras {result.keras or '-'}, "
            f"tf_keras {result.tf_keras or '-'})"
        )
    for applied in result.applied:
        unsafe = " (unsafe)" if applied.safety == "unsafe" else ""
        lines.append(f"fix {applied.rule} at {result.file}:{applied.line}: {applied.name}{unsafe}")
    for check in result.checks:
        label = f"{check.kind} {check.rule}" if check.rule else check.kind
        detail = check.detail.splitlines() or [""]
        lines.append(f"  {_MARKS.get(check.status, check.status):>7}  {label}: {detail[0]}")
        lines.extend(f"{'':11}{line}" for line in detail[1:])
        if check.status == "failed" and check.kind == "command":
            output = check.after.output if check.after is not None else ""
            tail = [line for line in output.splitlines() if line.strip()][-15:]
            lines.extend(f"{'':11}| {line}" for line in tail)
    fixes = result.fixes
    if len(fixes) > 1 or any(fix.status != "passed" for fix in fixes):
        lines.append("per fix:")
        for fix in fixes:
            why = f": {fix.detail}" if fix.detail else ""
            lines.append(
                f"  {_MARKS[fix.status]:>9}  {fix.fix.rule} line {fix.fix.line} {fix.fix.name}{why}"
            )
    seconds = result.duration_ms / 1000
    summary = result.summary
    lines.append(f"{summary[0].upper()}{summary[1:]} ({seconds:.1f} s)")
    return "\n".join(lines) + "\n"
