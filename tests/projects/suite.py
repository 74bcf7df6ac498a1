"""Run each project's entry points on the original code and after `tfmend fix --unsafe-fixes`.

A project is copied twice into a scratch directory (its packages' code and its entry points):
`original/` runs as downloaded, `fixed/` runs after the fix. Entry points run in a subprocess of
the given interpreter (TensorFlow 2.21, Keras 3) with a timeout; a failure is reported by its
exception and the innermost frame in the project's code, and whether tfmend has a finding there.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.corpus import cache_dir, fetch
from tests.projects.manifest import Project

RUNNER = Path(__file__).with_name("runner.py")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WHERE = re.compile(r" \((?:/|[A-Za-z]:\\)[^)]*\)$")
"""The ` (/path/to/module.py)` an ImportError appends: the installation, not the cause."""
KERAS_WRAPPER = "Exception encountered when calling"
"""Keras 3 wraps an error raised in `call()` under this line; the cause is on the next one."""


@dataclass(frozen=True)
class Outcome:
    """How one run of an entry point ended."""

    ok: bool
    error: str = ""
    """`Type: first line of the message`, when it failed."""
    location: str = ""
    """`path:line` of the innermost frame in the project's code, when it failed there."""


@dataclass(frozen=True)
class EntryResult:
    """One entry point before and after the fix."""

    script: str
    original: Outcome
    fixed: Outcome
    flagged: bool
    """Whether a finding (after the fix) covers the line the fixed run failed on."""


@dataclass(frozen=True)
class ProjectResult:
    """One project: its size, tfmend's findings on the original, and its entry points."""

    name: str
    files: int
    findings: dict[str, int]
    """Counts by fix kind: safe, unsafe, none (manual)."""
    entries: tuple[EntryResult, ...]


def _package_dir(tree: Path, module: str) -> Path:
    """The shallowest `module/` package in an unpacked archive."""
    found = sorted(tree.rglob(f"{module}/__init__.py"), key=lambda path: len(path.parts))
    return found[0].parent


def copy_project(project: Project, target: Path) -> Path:
    """The project's packages and entry points, side by side in `target`."""
    target.mkdir(parents=True)
    for package in project.packages:
        tree = fetch(package.requirement, package.kind, package.sha256, everything=True)
        shutil.copytree(_package_dir(tree, package.module), target / package.module)
    for script in project.scripts():
        shutil.copy2(script, target / script.name)
    return target


def dependencies(project: Project, python: str) -> Path | None:
    """A cached `pip install --target` directory with the project's pure-Python requirements."""
    if not project.requirements:
        return None
    wanted = "\n".join(project.requirements) + "\n"
    key = hashlib.sha256(f"{python}\n{wanted}".encode()).hexdigest()[:16]
    base = cache_dir() / "project-deps"
    target = base / f"{project.name}-{key}"
    base.mkdir(parents=True, exist_ok=True)
    with (base / f"{project.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel runs install it once
        marker = target / "requirements.txt"
        if marker.exists():
            return target
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
             *project.requirements],
            check=True, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        marker.write_text(wanted)
    return target


def _first_line(message: str) -> str:
    lines = [line.strip() for line in ANSI.sub("", message).splitlines()]
    useful = [line for line in lines if line and not line.startswith(KERAS_WRAPPER)]
    return WHERE.sub("", useful[0])[:160].replace("`", "'") if useful else ""


def run_entry(python: str, root: Path, script: str, deps: Path | None, timeout: float) -> Outcome:
    """Run one entry point in `root`, the project's copy first on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_USE_LEGACY_KERAS", "TF_KERAS")}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1", PYTHONDONTWRITEBYTECODE="1")
    paths = [str(root)] + ([str(deps)] if deps else [])
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "result.json"
        try:
            subprocess.run(
                [python, str(RUNNER), str(result), str(root / script), *paths],
                cwd=root, env=env, capture_output=True, timeout=timeout, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return Outcome(False, f"timeout after {timeout:g} s")
        if not result.exists():
            return Outcome(False, "the interpreter ended without a result (crashed)")
        outcome: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    if outcome["ok"]:
        return Outcome(True)
    location = ""
    for filename, line in reversed(outcome["frames"]):
        path = Path(filename).resolve()
        if path.is_relative_to(root.resolve()):
            location = f"{path.relative_to(root.resolve()).as_posix()}:{line}"
            break
    return Outcome(False, f"{outcome['type']}: {_first_line(outcome['message'])}", location)


def tfmend(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real `tfmend` command, run with this interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "tfmend", *args, "--no-progress", "."],
        cwd=cwd, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


def findings(root: Path) -> list[dict[str, Any]]:
    """`tfmend check --format json` on a project copy."""
    check = tfmend("check", "--format", "json", "--exit-zero", cwd=root)
    if check.returncode != 0:
        raise RuntimeError(f"tfmend check failed: {check.stderr}")
    found: list[dict[str, Any]] = json.loads(check.stdout)
    return found


def _flagged(location: str, found: list[dict[str, Any]]) -> bool:
    if not location:
        return False
    path, line = location.rsplit(":", 1)
    return any(
        f["path"] == path and f["start"]["line"] <= int(line) <= f["end"]["line"] for f in found
    )


def run_project(
    project: Project, workdir: Path, python: str = sys.executable, timeout: float = 300
) -> ProjectResult:
    """Every entry point of a project on the original and on the fixed copy."""
    deps = dependencies(project, python)
    original = copy_project(project, workdir / "original")
    fixed = copy_project(project, workdir / "fixed")
    before = findings(original)
    fix = tfmend("fix", "--unsafe-fixes", cwd=fixed)
    if fix.returncode not in (0, 1):
        raise RuntimeError(f"tfmend fix failed: {fix.stderr}")
    after = findings(fixed)
    entries = []
    for script in project.entry_points:
        ran = run_entry(python, original, script, deps, timeout)
        repaired = run_entry(python, fixed, script, deps, timeout)
        flagged = not repaired.ok and _flagged(repaired.location, after)
        entries.append(EntryResult(script, ran, repaired, flagged))
    counts = Counter(f["fix"] for f in before)
    return ProjectResult(
        project.name,
        sum(1 for _ in original.rglob("*.py")),
        {kind: counts[kind] for kind in ("safe", "unsafe", "none")},
        tuple(entries),
    )


def table(results: list[ProjectResult]) -> str:
    """A Markdown table: one row per entry point."""
    rows = [
        "| project | files | findings safe / unsafe / manual | entry point | original "
        "| after fix | first failure after fix | flagged |",
        "|---|--:|--:|---|---|---|---|---|",
    ]
    for result in results:
        counts = " / ".join(str(result.findings[kind]) for kind in ("safe", "unsafe", "none"))
        for entry in result.entries:
            failure = flagged = ""
            if not entry.fixed.ok:
                where = f" at `{entry.fixed.location}`" if entry.fixed.location else ""
                failure = f"`{entry.fixed.error}`{where}".replace("|", "\\|")
                flagged = "yes" if entry.flagged else "no"
            rows.append(
                f"| {result.name} | {result.files} | {counts} | {entry.script} "
                f"| {_verdict(entry.original)} | {_verdict(entry.fixed)} | {failure} | {flagged} |"
            )
    return "\n".join(rows)


def _verdict(outcome: Outcome) -> str:
    return "works" if outcome.ok else "fails"
