"""The planner: each finding carries whether its fix applies here and the edits it makes."""

from __future__ import annotations

from tfmend.api import Engine
from tfmend.rewrite.edits import Edit, Plan, apply_edits

SOURCE = """\
from keras import backend as K
import tensorflow as tf
x = K.mean(a)
y = K.mean(*b)
z = tf.placeholder(tf.float32)
"""


def test_findings_carry_their_planned_edits() -> None:
    mean, starred, placeholder = Engine().check_text(SOURCE)
    assert (mean.code, mean.fix, starred.fix, placeholder.code) == (
        "TFM401",
        "safe",
        "none",
        "TFM110",
    )
    call = SOURCE.index("K.mean(a)")
    assert mean.plan == Plan(
        (
            Edit(
                call,
                call + len("K.mean(a)"),
                "tf.reduce_mean(tf.cast(a, keras.config.floatx()) if a.dtype == tf.bool else a)",
            ),
        ),
        imports=("import keras",),
        insert_at=SOURCE.index("x = "),
    )
    # What cannot be rewritten says why, and plans nothing.
    assert starred.plan is None
    assert starred.fix_note == "the call passes *args or **kwargs"
    # A tf.compat.v1 fix also puts the file in graph mode, after its imports.
    assert placeholder.plan is not None
    assert placeholder.plan.statements == ("tf.compat.v1.disable_eager_execution()",)
    name = SOURCE.index("tf.placeholder")
    assert placeholder.plan.edits == (
        Edit(name, name + len("tf.placeholder"), "tf.compat.v1.placeholder"),
    )


def test_a_quick_fix_of_planned_edits_equals_fixing_that_finding() -> None:
    engine = Engine()
    findings, analysed = engine.analyse_text(SOURCE)
    mean = findings[0]
    assert mean.plan is not None
    new_text, edits, applied = engine.fixer.apply_plans(SOURCE, None, [(mean.plan, None)], "\n")
    assert applied == [0]
    assert apply_edits(SOURCE, edits) == new_text
    fixed = engine.fix_text(
        SOURCE, select=lambda f: f.span == mean.span, single_pass=True, analysed=analysed
    )
    assert new_text == fixed.text
    assert "import keras\nx = tf.reduce_mean(" in new_text
