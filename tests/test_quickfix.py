"""A quick fix checked locally (quickfix): the same text, edits and errors as applying the plan
and analysing and compiling the whole fixed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.legacy_source import legacy_source
from tests.corpus import KERAS2, TF1, fetch
from tfmend.api import Engine
from tfmend.findings import Finding
from tfmend.fixer import FixError
from tfmend.quickfix import still_used, touched_compile
from tfmend.rewrite.edits import Edit, combine

ROOT = Path(__file__).resolve().parents[1]


def whole_file(engine: Engine, text: str, path: Path | None, finding: Finding) -> object:
    """What the quick fix gave before: the plan applied, unused imports found by analysing the
    fixed text, the whole fixed text compiled (or the error)."""
    assert finding.plan is not None
    origin = finding.origin.text if finding.origin and finding.origin.path is None else None
    try:
        new_text, edits, _ = engine.fixer.apply_plans(text, path, [(finding.plan, origin)], "\n")
        engine.fixer.check_compiles(new_text, text, path)
    except FixError as exc:
        return str(exc)
    return new_text, edits


def local(
    engine: Engine,
    text: str,
    path: Path | None,
    finding: Finding,
    findings: list[Finding],
    starts: list[int] | None,
) -> object:
    """The quick fix now, given the check's findings and the incremental checker's groups."""
    assert finding.plan is not None
    origin = finding.origin.text if finding.origin and finding.origin.path is None else None
    try:
        return engine.fixer.apply_planned(
            text, path, finding.plan, origin, findings=findings, starts=starts
        )
    except FixError as exc:
        return str(exc)


def compare(text: str, path: Path | None, edit_line: str | None = None) -> int:
    """Every planned fix of the text, both ways (after an edit inside a function too, whose
    findings the incremental checker moved); returns how many fixes were compared."""
    engine = Engine()
    checker = engine.incremental(path)
    texts = [text]
    if edit_line is not None:
        texts.append(text.replace(edit_line, edit_line + "  # edited", 1))
    compared = 0
    for current in texts:
        findings = checker.analyse_text(current)[0]
        starts = checker.statement_starts(current)
        assert starts is not None
        for finding in findings:
            if finding.plan is None or not finding.plan.edits:
                continue
            assert local(engine, current, path, finding, findings, starts) == whole_file(
                engine, current, path, finding
            ), (finding.code, finding.span)
            compared += 1
    return compared


def test_every_fix_of_a_legacy_module_is_what_the_whole_file_gives() -> None:
    text = legacy_source(400)
    inside = next(line for line in text.splitlines() if line.startswith("    diff = "))
    assert compare(text, None, inside) > 80


@pytest.mark.parametrize("name", ["examples/legacy_keras.py", "examples/tf1_training/train.py"])
def test_every_fix_of_an_example_is_what_the_whole_file_gives(name: str) -> None:
    path = ROOT / name
    assert compare(path.read_text(encoding="utf-8"), path) > 5


CORPUS_FILES = (
    (KERAS2[4], "keras-rl-0.4.2/rl/agents/sarsa.py"),
    (KERAS2[4], "keras-rl-0.4.2/rl/agents/ddpg.py"),
    (KERAS2[6], "keras-retinanet-0.5.1/keras_retinanet/losses.py"),
    (KERAS2[6], "keras-retinanet-0.5.1/keras_retinanet/layers/filter_detections.py"),
    (TF1[2], "tensorpack/contrib/keras.py"),
    (TF1[0], "tflearn-0.5.0/tflearn/layers/recurrent.py"),
)


@pytest.mark.corpus
@pytest.mark.parametrize(("package", "name"), CORPUS_FILES, ids=[n for _, n in CORPUS_FILES])
def test_every_fix_of_a_corpus_file_is_what_the_whole_file_gives(
    package: tuple[str, str], name: str
) -> None:
    path = fetch(*package) / name
    assert compare(path.read_text(encoding="utf-8"), path) > 0


SOURCE = """\
from keras import backend as K
import tensorflow as tf


def f(x):
    return K.mean(x)


def g(x):
    return K.sum(x)
"""


def _finding(findings: list[Finding], name: str) -> Finding:
    return next(f for f in findings if f.name == name)


def test_an_import_another_finding_uses_stays_without_a_new_analysis() -> None:
    findings = Engine().check_text(SOURCE)
    mean = _finding(findings, "K.mean")
    assert mean.plan is not None
    assert mean.origin is not None
    edits, _ = combine(SOURCE, [mean.plan], "\n")
    assert still_used(SOURCE, mean.origin.text, edits, findings)
    # The last use of an import: only a new analysis tells (it is removed).
    alone = [f for f in findings if f.name != "K.sum"]
    assert not still_used(SOURCE, mean.origin.text, edits, alone)
    # A name of the statement no finding goes through may be unused: ask the analysis.
    two = SOURCE.replace("as K\n", "as K, layers\n")
    two_findings = Engine().check_text(two)
    mean = _finding(two_findings, "K.mean")
    assert mean.plan is not None
    assert mean.origin is not None
    edits, _ = combine(two, [mean.plan], "\n")
    assert not still_used(two, mean.origin.text, edits, two_findings)
    # New text that binds the name: the other use may now resolve to it.
    rebinding = [*edits, Edit(len(two), len(two), "K = 1\n")]
    assert not still_used(SOURCE, "from keras import backend as K", rebinding, findings)


def test_the_last_use_fixed_removes_its_import_as_the_whole_file_does() -> None:
    text = "from keras import backend as K\nimport tensorflow as tf\n\nx = K.mean(tf.ones(3))\n"
    engine = Engine()
    (mean,) = engine.check_text(text)
    assert mean.plan is not None
    new_text, _ = engine.fixer.apply_planned(
        text, None, mean.plan, "from keras import backend as K", findings=[mean], starts=[0]
    )
    assert "backend" not in new_text
    assert (new_text, _) == whole_file(engine, text, None, mean)


def test_only_the_statements_an_edit_touches_are_compiled() -> None:
    starts = [0, SOURCE.index("\n\ndef f") + 3, SOURCE.index("def g")]
    call = SOURCE.index("K.sum(x)")
    good = [Edit(call, call + len("K.sum(x)"), "tf.reduce_sum(x)")]
    new_text = SOURCE[:call] + "tf.reduce_sum(x)" + SOURCE[call + len("K.sum(x)") :]
    assert touched_compile(SOURCE, new_text, good, starts)
    # A repeated keyword parses but does not compile: the whole file is compiled to say why.
    bad = [Edit(call, call + len("K.sum(x)"), "f(a=1, a=2)")]
    broken = SOURCE[:call] + "f(a=1, a=2)" + SOURCE[call + len("K.sum(x)") :]
    assert not touched_compile(SOURCE, broken, bad, starts)
    # Appending at the end of the text is in the last group.
    tail = [Edit(len(SOURCE), len(SOURCE), "f(a=1, a=2)\n")]
    assert not touched_compile(SOURCE, SOURCE + "f(a=1, a=2)\n", tail, starts)
    assert touched_compile(
        SOURCE, SOURCE + "g(1)\n", [Edit(len(SOURCE), len(SOURCE), "g(1)\n")], starts
    )
    # Some future imports change how later statements compile: the whole file then.
    for feature, alone in (("annotations", False), ("division, print_function", True)):
        future = f"from __future__ import {feature}\n" + SOURCE
        shift = len(future) - len(SOURCE)
        moved = [Edit(e.start + shift, e.end + shift, e.text) for e in good]
        fixed = f"from __future__ import {feature}\n" + new_text
        assert touched_compile(future, fixed, moved, [0, *(s + shift for s in starts[1:])]) is alone
