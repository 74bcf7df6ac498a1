"""Regressions the fuzz tests found, each as the smallest program that showed it."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from tfmend.api import Engine
from tfmend.cli.main import main
from tfmend.config import Settings

ENGINE = Engine(Settings())
MEAN = "tf.reduce_mean(tf.cast(x, keras.config.floatx()) if x.dtype == tf.bool else x)"


def fixed(text: str) -> str:
    """The fixed text, which must parse and be a fixed point."""
    result = ENGINE.fix_text(textwrap.dedent(text)).text
    ast.parse(result)
    assert ENGINE.fix_text(result).text == result
    return result


def test_a_try_of_pass_alone_is_kept_when_imports_are_removed() -> None:
    # The function's only statement was taken for an emptied import shim and removed.
    source = """\
        from keras import backend as K
        K.mean(x)
        def f():
            try:
                pass
            except ImportError:
                pass
        """
    assert fixed(source) == textwrap.dedent(
        f"""\
        import keras
        import tensorflow as tf
        {MEAN}
        def f():
            try:
                pass
            except ImportError:
                pass
        """
    )


def test_an_emptied_import_shim_that_was_a_block_alone_leaves_pass() -> None:
    source = """\
        if x:
            try:
                from keras import backend as K
            except ImportError:
                pass
        y = K.mean(x)
        """
    assert fixed(source) == textwrap.dedent(
        f"""\
        if x:
            pass
        import keras
        import tensorflow as tf
        y = {MEAN}
        """
    )


def _check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    (root / "model.py").write_text("import keras.backend as K\ny = K.mean(x)\n")
    code = main(["check", str(root / "model.py"), "--no-surface", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        # pathspec raised on the pattern in the middle of the check: a traceback.
        (
            'per-file-ignores = {"!" = ["TFM4"]}',
            "tool.tfmend.per-file-ignores: '!' is not a gitignore-style pattern",
        ),
        ('exclude = ["!"]', "tool.tfmend.exclude: '!' is not a gitignore-style pattern"),
        # Reported as line 1 of the missing file, as though it were there and broken.
        ('extend-rules = ["nowhere.yaml"]', "tool.tfmend.extend-rules: nowhere.yaml: no such file"),
        # A key with a line break split the message in two lines.
        (
            'per-file-ignores = {"a\\rb" = false}',
            'tool.tfmend.per-file-ignores."a\\rb": expected a list of strings',
        ),
        # A broken file was passed over: the settings silently did not apply.
        ("select = [", "TOML syntax: "),
    ],
)
def test_settings_errors_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f'[project]\nname = "m"\n\n[tool.tfmend]\n{setting}\n')
    code, stderr = _check(tmp_path, capsys)
    assert code == 2
    assert stderr.startswith(f"tfmend: {pyproject}:5: {message}")
    assert len(stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The field was printed as `.colour`.
        ("schema: 1\ncolour: red\nrules: []\n", "2: colour: unknown field"),
        # yaml's ReaderError is not a MarkedYAMLError: a traceback.
        ('schema: 1\nrules:\n  - code: "\x7f"\n', "3: YAML: control characters are not allowed"),
        # A date past the calendar raised ValueError from PyYAML's constructor: a traceback.
        ("schema: 1\nrules:\n  - code: 2001-13-99\n", "3: rules[0].code: cannot read '2001-13-99'"),
    ],
)
def test_rule_file_errors_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text)
    code, stderr = _check(tmp_path, capsys, "--rules", str(rules))
    assert code == 2
    assert stderr.startswith(f"tfmend: {rules}:{message}")
    assert len(stderr.splitlines()) == 1


def test_a_notebook_cell_whose_source_is_not_text(tmp_path: Path) -> None:
    # "".join(source) raised TypeError: a traceback from `tfmend check`.
    path = tmp_path / "notebook.ipynb"
    cells = [{"cell_type": "markdown", "source": "# t"}, {"cell_type": "code", "source": [0]}]
    path.write_text(json.dumps({"cells": cells, "nbformat": 4}))
    [finding] = ENGINE.check_file(path).findings
    assert (finding.code, finding.message) == (
        "TFM902",
        "Not a notebook: cell 2: its source is not text or a list of lines",
    )
    assert ENGINE.fix_file(path).fixed_text is None
