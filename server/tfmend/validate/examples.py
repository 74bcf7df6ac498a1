"""Running a rule's examples: the invalid ones must be flagged and fix to exactly `fixed`."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from tfmend.api import Engine
from tfmend.catalog.rules import DEFAULT_TARGET, TARGETS, Example, MigrationTarget, Rule
from tfmend.fixer import FixError


@dataclass(frozen=True)
class ExampleFailure:
    """One way an example does not hold."""

    rule: Rule
    example: Example
    problem: str
    target: MigrationTarget = DEFAULT_TARGET

    def __str__(self) -> str:
        where = self.rule.origin.rsplit(":", 1)[0]
        return (
            f"{where}:{self.example.line}: {self.rule.code} {self.rule.name} "
            f"(target {self.target}): {self.problem}"
        )


def _diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        "expected (fixed)",
        "actual",
    )
    return "".join(lines)


def check_invalid(engine: Engine, rule: Rule, example: Example) -> list[str]:
    """Problems with an invalid example (empty when it holds)."""
    findings = engine.check_text(example.code)
    codes = [f.code for f in findings]
    if rule.code not in codes:
        return [f"the invalid example is not flagged (found: {', '.join(codes) or 'nothing'})"]
    # A safe rule's fix can be unsafe at one use (an argument whose dtype the source hides).
    unsafe = any(f.code == rule.code and f.fix == "unsafe" for f in findings)
    try:
        result = engine.fix_text(example.code, unsafe=unsafe or rule.fix_safety == "unsafe")
    except FixError as exc:
        return [f"the fix fails: {exc}"]
    if example.fixed == example.code:
        # A use the rule flags but leaves for the user (e.g. an argument the rewrite cannot map).
        flagged = [f for f in engine.check_text(example.code) if f.code == rule.code]
        if any(f.fix != "none" for f in flagged) or result.text != example.code:
            return ["a use left for the user must be flagged without a fix, and stay unchanged"]
        return []
    if example.fixed is None:
        if rule.code not in [f.code for f in engine.check_text(result.text)]:
            return ["a manual rule's finding disappeared after fixing"]
        return []
    problems = []
    if result.text != example.fixed:
        problems.append("the fix differs from 'fixed':\n" + _diff(example.fixed, result.text))
    try:
        compile(result.text, f"<{rule.code} fixed>", "exec")
    except SyntaxError as exc:
        return [*problems, f"the fixed code does not compile: {exc.msg}"]
    if rule.code in [f.code for f in engine.check_text(result.text)]:
        problems.append("the fixed code is still flagged")
    if engine.fix_text(result.text, unsafe=True).text != result.text:
        problems.append("fixing the fixed code changes it again")
    return problems


def check_valid(engine: Engine, rule: Rule, example: Example) -> list[str]:
    """Problems with a valid example (empty when it holds)."""
    if rule.code in [f.code for f in engine.check_text(example.code)]:
        return ["the valid example is flagged"]
    return []


def example_targets(rule: Rule) -> list[tuple[MigrationTarget, Rule]]:
    """The targets to run a rule's examples under, with the rule as it reads under each.

    A target with examples of its own runs those; the rule's own examples run once, under the
    default target when it uses them, else under the first target that does.
    """
    own = [t for t in TARGETS if (o := rule.targets.get(t)) is not None and o.invalid is not None]
    shared = [t for t in TARGETS if t not in own and not _skipped(rule, t) and not _alias(rule, t)]
    chosen = own + ([DEFAULT_TARGET if DEFAULT_TARGET in shared else shared[0]] if shared else [])
    return [(t, variant) for t in TARGETS if t in chosen and (variant := rule.for_target(t))]


def _alias(rule: Rule, target: MigrationTarget) -> bool:
    """Whether the target reads the rule as another target does (its examples run there)."""
    override = rule.targets.get(target)
    return override is not None and override.same_as is not None


def _skipped(rule: Rule, target: MigrationTarget) -> bool:
    override = rule.targets.get(target)
    return override is not None and override.skip


def check_rule(engine_for: Callable[[MigrationTarget], Engine], rule: Rule) -> list[ExampleFailure]:
    """Every failing example of a rule, under each target it has examples for."""
    failures = []
    for target, variant in example_targets(rule):
        engine = engine_for(target)
        for example in variant.invalid:
            problems = check_invalid(engine, variant, example)
            failures += [ExampleFailure(variant, example, p, target) for p in problems]
        for example in variant.valid:
            problems = check_valid(engine, variant, example)
            failures += [ExampleFailure(variant, example, p, target) for p in problems]
    return failures
