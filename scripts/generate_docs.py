"""Generate docs/rules/ (one page per rule, and an index) and the README's rule counts.

Run `python scripts/generate_docs.py` after changing rules.yaml; `--check` exits 1 when the
pages on disk differ from what the catalog generates (CI runs it).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tfmend.catalog.meta import META_CODES, MetaCode
from tfmend.catalog.rules import DEFAULT_TARGET, TARGETS, MigrationTarget, Rule, builtin_catalog

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "rules"
HEADER = (
    "<!-- Generated from rules.yaml by scripts/generate_docs.py; do not edit. "
    "Rebuild with: python scripts/generate_docs.py -->\n"
)
_PACKAGES = {"keras": "Keras", "tensorflow": "TensorFlow"}


def _since(rule: Rule) -> str:
    return ", ".join(f"{_PACKAGES[p]} {v}" for p, v in rule.since.items())


def _code_block(text: str) -> str:
    return f"```python\n{text.rstrip()}\n```\n"


def _fix_safety(rule: Rule) -> str:
    fix = rule.fix
    if not fix.fixable:
        return (
            "There is no automatic fix: no replacement computes the same thing in every "
            "program. The explanation above says how to migrate by hand.\n"
        )
    if fix.safety == "safe":
        return (
            "The fix is safe: the rewritten code computes the same values. `tfmend fix` and "
            "the editor's fix-all apply it.\n"
        )
    return (
        "The fix is **unsafe**: it is applied only with `tfmend fix --unsafe-fixes` or the "
        f"`unsafeFixes` setting, because {fix.reason}\n"
    )


def _variants(rule: Rule) -> list[tuple[list[MigrationTarget], Rule]]:
    """The rule as each migration target reads it, targets reading it alike grouped together."""
    groups: list[tuple[list[MigrationTarget], Rule]] = []
    for target in TARGETS:
        variant = rule.for_target(target)
        if variant is None:
            continue
        for targets, seen in groups:
            if (seen.fix, seen.message, seen.invalid, seen.probe) == (
                variant.fix,
                variant.message,
                variant.invalid,
                variant.probe,
            ):
                targets.append(target)
                break
        else:
            groups.append(([target], variant))
    return groups


def _named(targets: list[MigrationTarget]) -> str:
    names = [f"`{t}`" + (" (the default)" if t == DEFAULT_TARGET else "") for t in targets]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _probe(probe_rule: Rule) -> str:
    probe = probe_rule.probe
    assert probe is not None
    lines = []
    if probe.setup:
        lines.append(f"setup: {probe.setup.strip()}")
    for case in probe.cases:
        lines.append(f"case:  {case}")
    for case in probe.differing:
        lines.append(f"differs: {case}")
    if probe.old:
        lines.append(f"old:   {probe.old}")
    lines.append(f"new:   {probe.new}")
    return "```\n" + "\n".join(lines) + "\n```\n"


def _target_parts(rule: Rule, groups: list[tuple[list[MigrationTarget], Rule]]) -> list[str]:
    """Example, Use instead, Fix safety, Replacements and probes, one entry per target group."""
    parts: list[str] = []
    if rule.invalid:
        parts += ["## Example\n", _code_block(rule.invalid[0].code)]
    skipped = [t for t in TARGETS if rule.for_target(t) is None]
    uses = []
    for targets, variant in groups:
        example = next((e for e in variant.invalid if e.code == rule.invalid[0].code), None)
        if example is not None and example.fixed is not None and example.fixed != example.code:
            uses += [f"Under {_named(targets)}:\n", _code_block(example.fixed)]
    if uses:
        parts += ["## Use instead\n", *uses]
    parts.append("## Fix safety\n")
    for targets, variant in groups:
        text = _fix_safety(variant)
        parts.append(f"Under {_named(targets)}, {text[0].lower()}{text[1:]}")
    if skipped:
        parts.append(f"The rule does not apply under {_named(skipped)}.\n")
    replaced = [(t, v.replacements()) for t, v in groups if v.replacements()]
    if replaced:
        parts.append("## Replacements\n")
        for targets, names in replaced:
            parts.append(f"{_named(targets)}: " + ", ".join(f"`{n}`" for n in names) + "\n")
    probed = [(t, v) for t, v in groups if v.probe is not None]
    if probed:
        parts += [
            "## Validation probe\n",
            "`tfmend validate` checks the replacement against your TensorFlow by comparing "
            f"{', '.join(probed[0][1].probe.compare)} (each `case` is one input; a `differs` "  # type: ignore[union-attr]
            "case shows where an unsafe fix is not exact):\n",
        ]
        for targets, variant in probed:
            parts += [f"Under {_named(targets)}:\n", _probe(variant)]
    return parts


def rule_page(rule: Rule) -> str:
    """The markdown page of one rule."""
    groups = _variants(rule)
    default = rule.for_target(DEFAULT_TARGET) or groups[0][1]
    apis = ", ".join(f"`{api}`" for api in rule.apis[:12])
    if len(rule.apis) > 12:
        apis += f" and {len(rule.apis) - 12} more (see `tfmend rules --format json`)"
    safety = (
        rule.fix_safety
        if not rule.targets
        else " · ".join(
            f"{t}: {v.fix_safety if (v := rule.for_target(t)) is not None else 'does not apply'}"
            for t in TARGETS
        )
    )
    parts = [
        HEADER,
        f"# {rule.code}: {rule.name}\n",
        f"**Applies to:** {apis}  \n"
        f"**Status:** {rule.status} since {_since(rule)} · **Severity:** {rule.severity} · "
        f"**Fix:** {safety}\n",
        "## What it does\n",
        default.render_message(rule.apis[0], rule.apis[0]) + "\n",
        "## Why is this bad?\n",
        rule.explanation.rstrip() + "\n",
    ]
    if rule.targets:
        return "\n".join(parts + _target_parts(rule, groups))
    if rule.invalid:
        parts += ["## Example\n", _code_block(rule.invalid[0].code)]
        fixed = rule.invalid[0].fixed
        if fixed is not None:
            parts += ["## Use instead\n", _code_block(fixed)]
    parts += ["## Fix safety\n", _fix_safety(rule)]
    replacements = rule.replacements()
    if replacements:
        parts += ["## Replacements\n", "".join(f"- `{name}`\n" for name in replacements)]
    if rule.probe is not None:
        parts += [
            "## Validation probe\n",
            "`tfmend validate` checks the replacement against your TensorFlow by comparing "
            f"{', '.join(rule.probe.compare)}:\n",
            _probe(rule),
        ]
    return "\n".join(parts)


def meta_page(meta: MetaCode) -> str:
    """The page of one of tfmend's own codes."""
    return "\n".join([HEADER, f"# {meta.code}: {meta.name}\n", f"{meta.summary}.\n",
                      meta.explanation.rstrip() + "\n"])  # fmt: skip


COUNTS = re.compile(r"[\d,]+ APIs in [\d,]+ rules")
"""The catalog's size in the README's opening paragraph."""


def index_page(rules: list[Rule]) -> str:
    """The table of every code."""
    rows = ["| code | name | applies to | fix (target tensorflow) |", "|---|---|---|---|"]
    for rule in rules:
        applies = f"`{rule.apis[0]}`" + (f" (+{len(rule.apis) - 1})" if len(rule.apis) > 1 else "")
        default = rule.for_target(DEFAULT_TARGET)
        safety = default.fix_safety if default is not None else "does not apply"
        rows.append(f"| [{rule.code}]({rule.code}.md) | {rule.name} | {applies} | {safety} |")
    for meta in META_CODES:
        rows.append(f"| [{meta.code}]({meta.code}.md) | {meta.name} | — | none |")
    return "\n".join([HEADER, "# Rules\n",
                      f"{len(rules)} rules, generated from the catalog `rules.yaml`. "
                      "`[*]` in `tfmend check` output marks findings with a safe fix.\n",
                      "\n".join(rows) + "\n"])  # fmt: skip


def pages() -> dict[Path, str]:
    """Every generated page by path."""
    rules = builtin_catalog().rules()
    out = {OUT / f"{rule.code}.md": rule_page(rule) for rule in rules}
    out.update({OUT / f"{meta.code}.md": meta_page(meta) for meta in META_CODES})
    out[OUT / "README.md"] = index_page(rules)
    out[ROOT / "README.md"] = readme_counts(rules)
    return out


def readme_counts(rules: list[Rule]) -> str:
    """The project README with its "N APIs in M rules" figure made current."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    apis = len({api for rule in rules for api in rule.apis})
    return COUNTS.sub(f"{apis:,} APIs in {len(rules):,} rules", text, count=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the pages are stale")
    args = parser.parse_args()
    wanted = pages()
    existing = set(OUT.glob("*.md")) if OUT.exists() else set()
    stale = sorted(str(p.relative_to(ROOT)) for p, text in wanted.items()
                   if not p.exists() or p.read_text(encoding="utf-8") != text)  # fmt: skip
    extra = sorted(str(p.relative_to(ROOT)) for p in existing - set(wanted))
    if args.check:
        if stale or extra:
            sys.stderr.write(
                "docs/rules or README.md is stale; run: python scripts/generate_docs.py\n"
            )
            for name in stale + extra:
                sys.stderr.write(f"  {name}\n")
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path in extra:
        (ROOT / path).unlink()
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{len(wanted) - 1} pages in {OUT.relative_to(ROOT)}, README.md counts\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
