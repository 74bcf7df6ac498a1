"""A validation's result, typed: its checks, a verdict per fix, and the one summary line.

The validator builds it; `tfmend validate` and the language server only show it (`to_json` is the
JSON both of them print or answer, `summary` the verdict they display).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tfmend.worker.protocol import Ran

NO_PROBE = "no runtime check for this rule"
"""The detail of a rule's skipped probe when the rule has none."""
_RUNTIME_KINDS = ("probe", "import", "command")
"""Checks that run code; api and compile checks alone never make a fix pass."""


@dataclass(frozen=True)
class Applied:
    """A fix the validation applied."""

    rule: str
    line: int
    """1-based."""
    name: str
    message: str
    safety: str

    def to_json(self) -> dict[str, Any]:
        """The fix as printed."""
        return asdict(self)


@dataclass(frozen=True)
class FixVerdict:
    """What the checks say of one applied fix: passed, failed or unchecked, and why."""

    fix: Applied
    status: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        """The verdict as printed: the fix's fields, then its status and detail."""
        return {**self.fix.to_json(), "status": self.status, "detail": self.detail}


@dataclass(frozen=True)
class Check:
    """One check: a rule's (api, probe) or the whole file's (compile, import, command)."""

    rule: str | None
    kind: str
    status: str
    """passed, failed or skipped."""
    detail: str
    docs: str | None = None
    """The rule's docs page, for a failing rule check."""
    old: str | None = None
    new: str | None = None
    mismatches: tuple[str, ...] = ()
    output: str | None = None
    command: str | None = None
    before: Ran | None = None
    after: Ran | None = None

    def to_json(self) -> dict[str, Any]:
        """The check as printed (optional fields only when set)."""
        out: dict[str, Any] = {
            "rule": self.rule,
            "kind": self.kind,
            "status": self.status,
            "detail": self.detail,
        }
        for key in ("docs", "old", "new"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.mismatches:
            out["mismatches"] = list(self.mismatches)
        if self.output is not None:
            out["output"] = self.output
        if self.command is not None:
            out["command"] = self.command
        for label, ran in (("before", self.before), ("after", self.after)):
            if ran is not None:
                out[label] = {
                    "ok": ran.ok,
                    "returncode": ran.returncode,
                    "timed_out": ran.timed_out,
                    "error": ran.error,
                    "output": ran.output,
                }
        return out


def make_check(code: str | None, kind: str, status: str, detail: str) -> Check:
    """One check; a failing rule check carries the rule's docs link."""
    if status == "failed" and code is not None:
        from tfmend.catalog.rules import docs_url

        docs = docs_url(code)
        return Check(code, kind, status, f"{detail}\nSee {docs}", docs=docs)
    return Check(code, kind, status, detail)


@dataclass
class ValidationResult:
    """A validation: status passed (every fix checked at run time, nothing failed), failed,
    unchecked (nothing failed, some fix had no runtime check) or error (could not validate)."""

    status: str
    file: str
    python: str | None = None
    interpreter: str | None = None
    tensorflow: str | None = None
    keras: str | None = None
    tf_keras: str | None = None
    applied: list[Applied] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    fixes: list[FixVerdict] = field(default_factory=list)
    message: str | None = None
    """Why it could not validate (status error)."""
    reason: str | None = None
    """`no-fix` when there was nothing to validate, `cannot` for other errors."""
    duration_ms: int = 0
    summary: str = ""
    """The one-line verdict every client shows (see `verdict_text`)."""

    @classmethod
    def cannot(cls, file: str, message: str, reason: str | None = None) -> ValidationResult:
        """A validation that could not run, with its summary."""
        return cls("error", file, message=message, reason=reason).summarized()

    def summarized(self) -> ValidationResult:
        """This result with its summary made."""
        return replace(self, summary=verdict_text(self))

    def to_json(self) -> dict[str, Any]:
        """The result as `tfmend validate --format json` prints it and the server answers it."""
        out: dict[str, Any] = {
            "status": self.status,
            "file": self.file,
            "python": self.python,
            "interpreter": self.interpreter,
            "tensorflow": self.tensorflow,
            "keras": self.keras,
            "tf_keras": self.tf_keras,
            "applied": [fix.to_json() for fix in self.applied],
            "checks": [check.to_json() for check in self.checks],
            "fixes": [fix.to_json() for fix in self.fixes],
        }
        if self.message is not None:
            out["message"] = self.message
        if self.reason is not None:
            out["reason"] = self.reason
        out["duration_ms"] = self.duration_ms
        out["summary"] = self.summary
        return out


def fix_verdicts(applied: list[Applied], checks: list[Check]) -> list[FixVerdict]:
    """One verdict per applied fix: passed, failed (with the failing details) or unchecked.

    A fix fails when a check of its rule or a whole-file check fails; it passes when its own
    probe passed, or when a whole-file run (import, command) passed; otherwise it is unchecked.
    """
    whole = [check for check in checks if check.rule is None]
    whole_failed = [check for check in whole if check.status == "failed"]
    whole_ran = any(check.kind in _RUNTIME_KINDS and check.status == "passed" for check in whole)
    verdicts = []
    for fix in applied:
        own = [check for check in checks if check.rule == fix.rule]
        failed = [check for check in own if check.status == "failed"] + whole_failed
        ran = whole_ran or any(
            check.kind in _RUNTIME_KINDS and check.status == "passed" for check in own
        )
        if failed:
            status = "failed"
            detail = "; ".join(f"{check.kind}: {check.detail.splitlines()[0]}" for check in failed)
        elif ran:
            status, detail = "passed", ""
        else:
            status = "unchecked"
            probe = next((check for check in own if check.kind == "probe"), None)
            detail = probe.detail.splitlines()[0] if probe is not None else NO_PROBE
        verdicts.append(FixVerdict(fix, status, detail))
    return verdicts


def overall_status(fixes: list[FixVerdict], checks: list[Check]) -> str:
    """failed if anything failed, passed if every fix passed, unchecked otherwise."""
    if any(check.status == "failed" for check in checks) or any(
        fix.status == "failed" for fix in fixes
    ):
        return "failed"
    if fixes and all(fix.status == "passed" for fix in fixes):
        return "passed"
    return "unchecked"


def check_counts(checks: list[Check]) -> str:
    """ "4 checks run: 3 passed, 1 failed; 1 skipped" — what actually ran."""
    ran = [check for check in checks if check.status != "skipped"]
    passed = sum(1 for check in ran if check.status == "passed")
    failed = len(ran) - passed
    skipped = len(checks) - len(ran)
    text = f"{len(ran)} check{'s' if len(ran) != 1 else ''} run: {passed} passed, {failed} failed"
    return text + (f"; {skipped} skipped" if skipped else "")


def verdict_text(result: ValidationResult) -> str:
    """The one-line verdict every client shows, made here so that they all say the same."""
    name = Path(result.file).name
    if result.status == "error":
        return f"cannot validate {name}: {result.message or 'unknown error'}"
    fixes = result.fixes
    counts = check_counts(result.checks)
    label = "the fix" if len(fixes) == 1 else f"{len(fixes)} fixes"
    if result.status == "passed":
        return f"validation passed for {label} in {name}: {counts}"
    if result.status == "failed":
        failed = [fix for fix in fixes if fix.status == "failed"]
        what = "; ".join(f"{fix.fix.rule} line {fix.fix.line}: {fix.detail}" for fix in failed)
        return f"validation failed for {label} in {name}: {counts}; {what}"
    unchecked = [fix for fix in fixes if fix.status == "unchecked"]
    what = "; ".join(f"{fix.fix.rule} line {fix.fix.line}: {fix.detail}" for fix in unchecked)
    return f"validation incomplete for {label} in {name}: {counts}; not checked: {what}"
