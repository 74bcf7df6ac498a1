"""`tfmend report`'s HTML page: one self-contained file (inline CSS and SVG, no script)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from tfmend.catalog.rules import docs_url
from tfmend.cli.charts import COLOURS, KIND_LABELS, Row, bar_chart, share_bar
from tfmend.cli.links import SourceLinks
from tfmend.cli.summary import KINDS, Counts, Group, Item, Summary

TOP_DIRECTORIES = 15
"""Directories drawn in the chart; the table below it lists every one."""

TARGET_NOTES = {
    "tensorflow": "fixed code keeps running on TensorFlow (the `tf.*` calls Keras 2 made)",
    "keras": "fixed code is portable Keras 3 (`keras.ops`, any backend)",
    "tf-keras": "fixed code keeps Keras 2 semantics through the `tf_keras` package",
}

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #1d1d1f; margin: 0 auto; max-width: 1040px; padding: 24px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 36px 0 10px;
  border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; margin: 0 0 18px; }
.checked { background: #f4f6fa; border: 1px solid #dde3ee; border-radius: 6px; padding: 10px 14px; }
.checked dt { font-weight: 600; float: left; width: 150px; } .checked dd { margin: 0 0 4px 150px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 18px 0 8px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; min-width: 128px; }
.card .n { font-size: 28px; font-weight: 650; display: block; }
.card.safe { border-top: 4px solid #2e7d32; } .card.unsafe { border-top: 4px solid #e09b00; }
.card.manual { border-top: 4px solid #c62828; }
.legend span { display: inline-block; margin-right: 18px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: -1px; border-radius: 2px; }
svg.chart { display: block; margin: 8px 0; max-width: 100%; height: auto; }
svg.chart text { font: 12.5px system-ui, "DejaVu Sans", sans-serif; fill: #333; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #fafafa; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; }
pre.line { margin: 2px 0 0; font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace;
  white-space: pre-wrap; color: #444; background: #f7f7f7; padding: 2px 6px; border-radius: 3px; }
.note { color: #6b4e00; font-size: 13px; }
.kind-safe { color: #2e7d32; } .kind-unsafe { color: #a06b00; } .kind-manual { color: #c62828; }
a { color: #0b57d0; text-decoration: none; } a:hover { text-decoration: underline; }
"""


def html_report(summary: Summary, links: SourceLinks) -> str:
    """The whole page."""
    title = "tfmend migration report"
    body = [
        f"<h1>{title}</h1>",
        f'<p class="meta">{" ".join(f"<code>{escape(p)}</code>" for p in summary.paths)} in '
        f"<code>{escape(summary.directory)}</code> · tfmend {escape(summary.version)}"
        f" · {escape(summary.generated)}</p>",
        _checked(summary),
        _cards(summary),
        "<h2>By fix kind</h2>",
        _legend(),
        share_bar(summary.kinds, label=_kinds_label(summary.kinds)),
        _kind_table(summary.kinds),
        _directories(summary.directories),
        _families(summary.families),
        _fix_now(summary),
        _manual(summary.manual, links),
        _unsafe(summary),
        _codes(summary.codes),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No network at all: nothing on this page may load from anywhere.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{title}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _metric(name: str, value: int) -> str:
    return f'<span class="n" data-metric="{name}">{value}</span>'


def _checked(summary: Summary) -> str:
    checked = summary.checked
    keras = escape(checked.keras) + (
        " (tf.keras is Keras 2: TF_USE_LEGACY_KERAS=1)" if checked.legacy_keras else ""
    )
    return (
        '<dl class="checked">'
        f'<dt>Target</dt><dd><code data-field="target">{escape(checked.target)}</code>: '
        f"{_inline_code(TARGET_NOTES.get(checked.target, ''))}</dd>"
        f'<dt>TensorFlow</dt><dd data-field="tensorflow">{escape(checked.tensorflow)}</dd>'
        f'<dt>Keras</dt><dd data-field="keras">{keras}</dd>'
        f"<dt>Versions from</dt><dd>{_inline_code(checked.versions_from)}</dd>"
        "</dl>"
    )


def _inline_code(text: str) -> str:
    """`backquoted` spans of a plain sentence as <code>."""
    pieces = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def _cards(summary: Summary) -> str:
    kinds = summary.kinds
    cards = [
        ("", _metric("findings", kinds.total), "findings"),
        (
            "",
            f"{_metric('files-with-findings', summary.files_with_findings)}",
            f'files with findings, of <b data-metric="files-checked">{summary.files_checked}</b>'
            " checked",
        ),
        ("safe", _metric("safe", kinds.safe), "safe fixes"),
        ("unsafe", _metric("unsafe", kinds.unsafe), "unsafe fixes (review)"),
        ("manual", _metric("manual", kinds.manual), "need a person"),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card {cls}">{number}{text}</div>' for cls, number, text in cards)
        + "</div>"
    )


def _legend() -> str:
    return (
        '<p class="legend">'
        + "".join(
            f'<span><i style="background:{COLOURS[k]}"></i>{KIND_LABELS[k]}</span>' for k in KINDS
        )
        + "</p>"
    )


def _kinds_label(counts: Counts) -> str:
    return "Findings by fix kind: " + ", ".join(
        f"{counts.of(kind)} {KIND_LABELS[kind]}" for kind in KINDS
    )


def _kind_table(counts: Counts) -> str:
    rows = "".join(
        f'<tr data-kind="{kind}"><td class="kind-{kind}">{KIND_LABELS[kind]}</td>'
        f'<td class="n">{counts.of(kind)}</td><td class="n">{_share(counts.of(kind), counts)}</td>'
        "</tr>"
        for kind in KINDS
    )
    return (
        '<table class="kinds"><tr><th>kind</th><th class="n">findings</th>'
        f'<th class="n">share</th></tr>{rows}</table>'
    )


def _share(count: int, counts: Counts) -> str:
    return f"{100 * count / counts.total:.0f}%" if counts.total else "–"


def _fix_now(summary: Summary) -> str:
    applies = "safe and unsafe" if summary.unsafe_fixes else "safe"
    intro = (
        f"<p><code>tfmend fix</code> applies the {applies} fixes: "
        f'<b data-metric="fixes-now">{summary.fixes_now}</b> '
        f"change{'s' if summary.fixes_now != 1 else ''} in "
        f'<b data-metric="files-fixed-now">{summary.files_fixed_now}</b> '
        f"file{'s' if summary.files_fixed_now != 1 else ''}, leaving "
        f'<b data-metric="left-after-fix">{summary.left_after_fix}</b> '
        f"finding{'s' if summary.left_after_fix != 1 else ''}."
        + (
            ""
            if summary.unsafe_fixes
            else " <code>tfmend fix --unsafe-fixes</code> also applies the unsafe ones."
        )
        + "</p>"
    )
    rows = "".join(
        f'<tr data-path="{escape(f.path)}"><td><code>{escape(f.path)}</code></td>'
        f'<td class="n">{f.counts.total}</td><td class="n">{f.fixes}</td>'
        f'<td class="n">{f.left}</td></tr>'
        for f in summary.files
    )
    table = (
        '<table class="files"><tr><th>file</th><th class="n">findings</th>'
        f'<th class="n">fixes now</th><th class="n">left after fix</th></tr>{rows}</table>'
        if summary.files
        else "<p>Nothing to fix.</p>"
    )
    return f"<h2>What <code>tfmend fix</code> changes now</h2>{intro}{table}"


def _location(item: Item) -> str:
    cell = f"cell {item.cell}:" if item.cell is not None else ""
    return f"{item.path}:{cell}{item.line}:{item.column}"


def _manual(items: Sequence[Item], links: SourceLinks) -> str:
    head = (
        f'<h2>Needs a person (<span data-metric="manual-listed">{len(items)}</span>)</h2>'
        "<p>No automatic fix: each of these is rewritten by hand. The rule page says how.</p>"
    )
    if not items:
        return head + "<p>Nothing: every finding has a fix.</p>"
    rows = "".join(
        f'<tr class="manual-item" data-code="{escape(item.code)}">'
        f'<td><a class="source" href="{escape(links.url(item))}">'
        f"<code>{escape(_location(item))}</code></a></td>"
        f'<td><a class="rule" href="{escape(item.docs)}"><code>{escape(item.code)}</code></a>'
        f"<br>{escape(item.rule)}</td>"
        f"<td>{_inline_code(item.message)}"
        f'<pre class="line">{escape(item.source_line.strip())}</pre>'
        + (f'<div class="note">{_inline_code(item.note)}</div>' if item.note else "")
        + "</td></tr>"
        for item in items
    )
    return (
        head + '<table class="manual"><tr><th>where</th><th>rule</th><th>what</th></tr>'
        f"{rows}</table>"
    )


def _unsafe(summary: Summary) -> str:
    by_code: dict[str, list[Item]] = {}
    for item in summary.unsafe:
        by_code.setdefault(item.code, []).append(item)
    head = (
        f'<h2>Unsafe fixes to review (<span data-metric="unsafe-listed">{len(summary.unsafe)}'
        "</span>)</h2><p>These have a fix that may change behaviour; <code>tfmend fix "
        "--unsafe-fixes</code> applies them, <code>tfmend validate</code> runs them against "
        "your TensorFlow.</p>"
    )
    if not by_code:
        return head + "<p>None.</p>"
    rows = "".join(
        f'<tr data-code="{escape(code)}"><td><a class="rule" href="{escape(items[0].docs)}">'
        f"<code>{escape(code)}</code></a></td><td>{escape(items[0].rule)}</td>"
        f'<td class="n">{len(items)}</td><td>{_inline_code(items[0].note)}</td></tr>'
        for code, items in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    return (
        head + '<table class="unsafe"><tr><th>code</th><th>rule</th><th class="n">findings</th>'
        f"<th>why it is unsafe</th></tr>{rows}</table>"
    )


def _group_table(groups: Iterable[Group], cls: str, first: str, extra: bool) -> str:
    header = f"<th>{first}</th>" + ('<th class="n">files</th>' if extra else "")
    header += "".join(f'<th class="n">{KIND_LABELS[k]}</th>' for k in KINDS)
    header += '<th class="n">total</th>'
    rows = []
    for group in groups:
        cells = f"<td>{_group_label(group, cls)}</td>"
        if extra:
            cells += f'<td class="n">{group.files}</td>'
        cells += "".join(f'<td class="n">{group.counts.of(k)}</td>' for k in KINDS)
        cells += f'<td class="n">{group.counts.total}</td>'
        rows.append(f'<tr data-key="{escape(group.key)}">{cells}</tr>')
    return f'<table class="{cls}"><tr>{header}</tr>{"".join(rows)}</table>'


def _group_label(group: Group, cls: str) -> str:
    if cls == "codes":
        return (
            f'<a href="{escape(docs_url(group.key))}"><code>{escape(group.key)}</code></a> '
            f"{escape(group.title)}"
        )
    if cls == "families":
        return f"<code>{escape(group.key)}</code> {escape(group.title)}"
    return f"<code>{escape(group.key)}</code>"


def _families(groups: Sequence[Group]) -> str:
    rows = [Row(g.key, f"{g.key} {g.title}", g.counts) for g in groups]
    return (
        "<h2>By rule family</h2>"
        + bar_chart(rows, label="Findings by rule family", keep="start")
        + _group_table(groups, "families", "family", extra=False)
    )


def _directories(groups: Sequence[Group]) -> str:
    shown = list(groups[:TOP_DIRECTORIES])
    rest = groups[TOP_DIRECTORIES:]
    rows = [Row(g.key, g.key, g.counts) for g in shown]
    if rest:
        others = Counts(
            sum(g.counts.safe for g in rest),
            sum(g.counts.unsafe for g in rest),
            sum(g.counts.manual for g in rest),
        )
        rows.append(Row("", f"{len(rest)} more directories", others))
    return (
        "<h2>By directory</h2>"
        + bar_chart(rows, label="Findings by directory", keep="end")
        + _group_table(groups, "directories", "directory", extra=True)
    )


def _codes(groups: Sequence[Group]) -> str:
    return "<h2>By rule</h2>" + _group_table(groups, "codes", "rule", extra=False)
