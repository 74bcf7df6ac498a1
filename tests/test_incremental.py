"""The incremental check (what the language server runs after an edit) equals a full check of
the current text after every edit of seeded random edit sequences over real files: insertions,
deletions, line joins and splits, edits inside functions and of import lines, half-typed lines
that do not parse."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from benchmarks.legacy_source import legacy_source
from tests.corpus import KERAS2, TF1, fetch
from tests.fuzzing import FIGURES
from tfmend.api import Engine
from tfmend.findings import Finding

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # `\\` typed in strings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))

INSIDE = (
    "x = K.mean(x)",
    "y = tf.placeholder(tf.float32)",
    "return K.sum(x, axis=1)",
    "self.z = K.epsilon()",
    "pass",
    "print(x)",
    "K.set_value(opt.lr, 0.1)",
    "with tf.Session() as sess: sess.run(x)",
)
"""Statements inserted at the indentation of a line inside a block."""
TOP = ("K.mean(z)", "tf.Session()", "y = 1", "def helper(v):\n    return K.abs(v)", "# note")
IMPORTS = ("import keras", "from keras import backend as K", "import tensorflow as tf")
BROKEN = ("(", "x = ", "def", '"""', "\\", "]")


def random_edit(text: str, rng: random.Random) -> str:
    """One edit of the kinds an editor sends while someone types."""
    lines = text.split("\n")
    k = rng.randrange(len(lines))
    line = lines[k]
    indent = line[: len(line) - len(line.lstrip())]
    kind = rng.choice(
        ("inside", "inside", "inside", "token", "token", "insert", "delete", "join", "split",
         "import", "broken")
    )  # fmt: skip
    if kind == "inside" and indent:
        lines.insert(k + 1, indent + rng.choice(INSIDE))
    elif kind == "token" and line.strip():
        column = rng.randrange(len(line) + 1)
        lines[k] = line[:column] + rng.choice(("1", "x", " + 2", ", keepdims=True", "")) + (
            line[column + rng.randrange(3) :]
        )  # fmt: skip
    elif kind == "insert":
        lines.insert(k, rng.choice(TOP))
    elif kind == "delete" and len(lines) > 1:
        del lines[k]
    elif kind == "join" and k + 1 < len(lines):
        lines[k] = line + lines.pop(k + 1)
    elif kind == "split":
        column = rng.randrange(len(line) + 1)
        lines[k : k + 1] = [line[:column], indent + line[column:].lstrip()]
    elif kind == "import":
        imports = [i for i, text in enumerate(lines) if text.startswith(("import ", "from "))]
        if imports and rng.random() < 0.6:
            at = rng.choice(imports)
            lines[at] = rng.choice((lines[at] + " as alias", lines[at] + ", path", "#" + lines[at]))
        else:
            lines.insert(k, rng.choice(IMPORTS))
    else:
        column = rng.randrange(len(line) + 1)
        lines[k] = line[:column] + rng.choice(BROKEN) + line[column:]
    return "\n".join(lines)


def compared(findings: list[Finding]) -> list[tuple[Finding, object]]:
    """Every field of the findings (code, span, message, fix, origin...) and their fix edits."""
    return [(f, f.plan.to_json() if f.plan is not None else None) for f in findings]


def replay(text: str, edits: int, seed: int, path: Path | None = None) -> int:
    """Edit the text `edits` times, comparing after each edit; the number of incremental checks.

    A text that does not parse is usually mended by the next step (back to the last text that
    parsed), as typing on does.
    """
    engine = Engine()
    checker = engine.incremental(path)
    rng = random.Random(seed)
    assert compared(checker.analyse_text(text)[0]) == compared(engine.check_text(text, path))
    good = text
    for step in range(edits):
        try:
            ast.parse(text)
            good = text
        except (SyntaxError, ValueError):
            if rng.random() < 0.8:
                text = good
        text = random_edit(text, rng)
        full_runs = checker.full_runs
        got, _ = checker.analyse_text(text)
        assert compared(got) == compared(engine.check_text(text, path)), (seed, step, text)
        FIGURES["incremental checks compared"] += 1
        if checker.full_runs == full_runs:
            FIGURES["incremental checks that re-analysed part of the file"] += 1
    return edits - (checker.full_runs - 1)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_edits_of_the_examples(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert replay(text, 300, seed=len(text), path=path) > 40


@pytest.mark.parametrize("lines", [300, 1200])
def test_edits_of_a_long_legacy_module(lines: int) -> None:
    incremental = replay(legacy_source(lines), 450, seed=lines)
    assert incremental > 120  # edits inside functions need no full analysis


def test_crlf_text_and_a_file_without_a_last_line_break() -> None:
    text = legacy_source(200).replace("\n", "\r\n").rstrip()
    assert replay(text, 150, seed=7) > 50


def test_empty_and_comment_only_texts() -> None:
    # An empty `__init__.py` has no statement to cut the file at.
    engine = Engine()
    checker = engine.incremental(None)
    texts = ("", "\n", "# notes\n", "from keras import backend as K\nK.mean(x)\n", "", "# only\n")
    for text in texts:
        assert compared(checker.analyse_text(text)[0]) == compared(engine.check_text(text))
    replay("", 100, seed=3)


# Each file with the fewest edits that must have been checked incrementally. An edit to a
# statement that holds an `if hasattr(...)` (training_generator.py's generator loops) or a
# version test is checked whole: whether a body is unreachable is a whole-module question.
CORPUS_FILES = (
    (KERAS2[0], "Keras-2.2.4/keras/initializers.py", 50),
    (KERAS2[0], "Keras-2.2.4/examples/image_ocr.py", 50),
    (KERAS2[0], "Keras-2.2.4/keras/engine/training_generator.py", 5),
    (TF1[0], "tflearn-0.5.0/tflearn/optimizers.py", 50),
)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(
    ("package", "name", "fewest"), CORPUS_FILES, ids=[n for _, n, _ in CORPUS_FILES]
)
def test_edits_of_legacy_corpus_files(package: tuple[str, str], name: str, fewest: int) -> None:
    path = fetch(*package) / name
    text = path.read_text(encoding="utf-8")
    assert replay(text, 250, seed=len(name), path=path) > fewest


def test_a_change_to_an_exporting_file_is_seen(tmp_path: Path) -> None:
    """Names resolved through another project file are resolved again once it changes."""
    from tfmend.resolve.project import JediProject

    (tmp_path / "utils.py").write_text("from keras import backend as K\n", encoding="utf-8")
    path = tmp_path / "model.py"
    text = "from utils import K\n\n\ndef f(x):\n    return K.image_dim_ordering()\n"
    path.write_text(text, encoding="utf-8")
    project = JediProject(tmp_path)
    checker = Engine(project=project).incremental(path)
    codes = [f.code for f in checker.analyse_text(text)[0]]
    assert codes
    edited = text.replace("def f(x)", "def f(x, y)")
    assert [f.code for f in checker.analyse_text(edited)[0]] == codes
    assert checker.full_runs == 1
    (tmp_path / "utils.py").write_text("import tf_keras.backend as K\n", encoding="utf-8")
    project.invalidate(tmp_path / "utils.py")
    assert checker.analyse_text(edited)[0] == []
    assert checker.full_runs == 2
