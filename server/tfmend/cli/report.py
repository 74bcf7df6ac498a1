"""Reporters for `tfmend check`: text, JSON and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from tfmend import __version__
from tfmend.catalog.meta import META_CODES
from tfmend.catalog.rules import DEFAULT_TARGET, Catalog, MigrationTarget, code_order, docs_url
from tfmend.findings import Finding
from tfmend.results import FileResult

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}


def _location(result: FileResult, finding: Finding) -> dict[str, Any]:
    """1-based line and column (code points), with the notebook cell when there is one."""
    start, end = finding.span.start, finding.span.end
    out: dict[str, Any] = {}
    start_line, end_line = start.line, end.line
    if result.notebook is not None:
        cell, start_line = result.notebook.locate(start.line)
        _, end_line = result.notebook.locate(end.line)
        out["cell"] = cell + 1
    out["start"] = {"line": start_line + 1, "column": start.column + 1}
    out["end"] = {"line": end_line + 1, "column": end.column + 1}
    return out


def _display(path: Path) -> str:
    return _relative(path, Path.cwd())


@lru_cache(maxsize=4096)
def _relative(path: Path, cwd: Path) -> str:
    """A path as shown from `cwd` (once per file: a file has many findings)."""
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


TF_KERAS_NOTE = (
    "Target tf-keras keeps Keras 2: install tf_keras (`pip install tf_keras`), and set "
    "TF_USE_LEGACY_KERAS=1 before TensorFlow is imported so that tf.keras is Keras 2 too."
)


def text_report(results: Sequence[FileResult], target: MigrationTarget = DEFAULT_TARGET) -> str:
    """`path:line:col: CODE message [*]` per finding, then a summary naming the target."""
    lines: list[str] = []
    count = fixable = 0
    for result in results:
        for finding in result.findings:
            where = _location(result, finding)
            cell = f"cell {where['cell']}:" if "cell" in where else ""
            mark = (
                " [*]"
                if finding.fix == "safe"
                else (" [*unsafe]" if finding.fix == "unsafe" else "")
            )
            lines.append(
                f"{_display(result.path)}:{cell}{where['start']['line']}:"
                f"{where['start']['column']}: {finding.code} {finding.message}{mark}"
            )
            count += 1
            fixable += finding.fix == "safe"
    if count:
        lines.append(
            f"Found {count} problem{'s' if count != 1 else ''}"
            f" ({fixable} fixable with `tfmend fix`; target {target})."
        )
    else:
        lines.append(f"All checks passed (target {target}).")
    if target == "tf-keras":
        lines.append(TF_KERAS_NOTE)
    return "\n".join(lines) + "\n"


def finding_json(result: FileResult, finding: Finding) -> dict[str, Any]:
    """One finding as a JSON object."""
    out: dict[str, Any] = {
        "path": _display(result.path),
        **_location(result, finding),
        "code": finding.code,
        "message": finding.message,
        "severity": finding.severity,
        "api": finding.api or None,
        "name": finding.name or None,
        "fix": finding.fix,
        "docs": docs_url(finding.code),
    }
    if finding.fix_note:
        out["fix_note"] = finding.fix_note
    if finding.suggestions:
        out["suggestions"] = list(finding.suggestions)
    return out


def json_report(results: Sequence[FileResult]) -> str:
    """A JSON list of findings."""
    findings = [finding_json(r, f) for r in results for f in r.findings]
    return indented_json(findings) + "\n"


def indented_json(value: object, pad: str = "") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, twice as fast (json's indenting encoder
    is pure Python: a third of a `check` answered from the results cache was writing its JSON)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = pad + "  "
        fields = (
            f"{inner}{encode_basestring(k)}: {indented_json(v, inner)}" for k, v in value.items()
        )
        return "{\n" + ",\n".join(fields) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + indented_json(v, inner) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)  # numbers, booleans, None: as json has them


def sarif_report(results: Sequence[FileResult], catalog: Catalog) -> str:
    """A SARIF 2.1.0 log with one run; columns are Unicode code points."""
    used = sorted({f.code for r in results for f in r.findings}, key=code_order)
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    meta = {m.code: m for m in META_CODES}
    for code in used:
        rule = catalog.by_code.get(code)
        if rule is not None:
            name, short, full = rule.name, rule.message, rule.explanation
            level = _SARIF_LEVEL[rule.severity]
        elif code in meta:
            name, short, full, level = (
                meta[code].name,
                meta[code].summary,
                meta[code].explanation,
                "error",
            )
        else:
            name, short, full, level = code.lower(), code, code, "warning"
        index[code] = len(descriptors)
        descriptors.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "helpUri": docs_url(code),
                "defaultConfiguration": {"level": level},
            }
        )
    sarif_results: list[dict[str, Any]] = []
    for result in results:
        uri = _display(result.path)
        for finding in result.findings:
            where = _location(result, finding)
            region = {
                "startLine": where["start"]["line"],
                "startColumn": where["start"]["column"],
                "endLine": where["end"]["line"],
                "endColumn": where["end"]["column"],
            }
            location: dict[str, Any] = {
                "physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}
            }
            if "cell" in where:
                location["logicalLocations"] = [{"name": f"cell {where['cell']}", "kind": "module"}]
            sarif_results.append(
                {
                    "ruleId": finding.code,
                    "ruleIndex": index[finding.code],
                    "level": _SARIF_LEVEL[finding.severity],
                    "message": {"text": finding.message},
                    "locations": [location],
                    "properties": {"fix": finding.fix, "api": finding.api},
                }
            )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfmend",
                        "version": __version__,
                        "informationUri": "https://github.com/tfmend/tfmend",
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def rules_json(catalog: Catalog) -> str:
    """`tfmend rules --format json`: one object per rule."""
    out = [
        {
            "code": rule.code,
            "name": rule.name,
            "applies_to": list(rule.apis),
            "replacements": list(rule.replacements()),
            "fix": rule.fix_safety,
            "status": rule.status,
            "since": dict(rule.since),
            "severity": rule.severity,
            "message": rule.message,
            "docs": docs_url(rule.code),
        }
        for rule in catalog.rules()
    ]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def rules_text(catalog: Catalog) -> str:
    """`tfmend rules`: one line per rule."""
    lines = [
        f"{r.code}  {r.name}  [{r.fix_safety} fix]  {', '.join(r.apis)}" for r in catalog.rules()
    ]
    return "\n".join(lines) + "\n"
