"""Keras 2 module paths Keras 3 removed (keras.engine, keras.layers.merge, ...): a program written
against them runs again after `tfmend fix` with default settings, and `include:` in rules files."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import fix_program, write

Run = Callable[..., subprocess.CompletedProcess[str]]

PROGRAM = """\
import numpy as np
import keras.engine as KE
from keras.engine.topology import Layer, InputSpec
from keras.layers import Dense, Input
from keras.layers.advanced_activations import LeakyReLU
from keras.layers.merge import concatenate
from keras.models import Model
from keras.utils.generic_utils import get_custom_objects


class Scale(Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return inputs * self.factor


class Shift(KE.Layer):
    def call(self, inputs):
        return inputs + 1.0


get_custom_objects()["Scale"] = Scale
inputs = Input(shape=(2,))
merged = concatenate([Scale(2.0)(inputs), Shift()(inputs)])
model = Model(inputs, LeakyReLU(0.5)(merged))
print(model.predict(np.array([[1.0, -4.0]]), verbose=0).round(3).tolist())
"""
FIXED_HEAD = """\
import numpy as np
from keras.layers import Layer, InputSpec
from keras.layers import Dense, Input
from keras.layers import LeakyReLU
from keras.layers import concatenate
from keras.models import Model
from keras.utils import get_custom_objects
import keras
"""


@pytest.mark.tensorflow
def test_a_program_on_removed_keras_2_modules_runs_after_fix(tmp_path: Path, tfmend: Run) -> None:
    text, printed = fix_program(
        tmp_path, tfmend, PROGRAM, "ModuleNotFoundError: No module named 'keras.engine'",
        "Fixed 6 problems in 1 file; 0 remaining.",
    )  # fmt: skip
    assert text == FIXED_HEAD + PROGRAM.split("\n", 8)[8].replace(
        "class Shift(KE.Layer):", "class Shift(keras.layers.Layer):"
    )
    assert printed == "[[2.0, -4.0, 2.0, -1.5]]"


def test_a_name_without_keras_3_counterpart_stays_flagged_on_its_lines(
    tmp_path: Path, tfmend: Run
) -> None:
    write(tmp_path, {"model.py": (
        "from keras.utils.generic_utils import Progbar, getargspec\n"
        "bar = Progbar(10)\n"
        "spec = getargspec(f)\n"
    )})  # fmt: skip
    result = tfmend("fix", "--no-surface", "--no-progress", "model.py", cwd=tmp_path)
    assert result.returncode == 1
    assert (tmp_path / "model.py").read_text() == (
        "from keras.utils.generic_utils import getargspec\n"
        "import keras\n"
        "bar = keras.utils.Progbar(10)\n"
        "spec = getargspec(f)\n"
    )
    gone = "is gone with the Keras 2 module `keras.utils.generic_utils`; Keras 3 has no counterpart"
    assert result.stdout.splitlines()[:2] == [
        f"model.py:1:39: TFM8160 `keras.utils.generic_utils.getargspec` "
        f"(keras.utils.generic_utils.getargspec) {gone}",
        f"model.py:4:8: TFM8160 `getargspec` (keras.utils.generic_utils.getargspec) {gone}",
    ]


RULE = """\
  - code: {code}
    name: {name}
    apis: [keras.backend.{api}]
    status: removed
    since: {{keras: "3.0"}}
    severity: error
    message: "{message}"
    explanation: e
    fix: {{kind: manual}}
"""


def _rules(*rules: tuple[str, str, str, str], include: str = "") -> str:
    head = "schema: 1\n" + (f"include: {include}\n" if include else "") + "rules:\n"
    body = "".join(RULE.format(code=c, name=n, api=a, message=m) for c, n, a, m in rules)
    return head + (body or "  []\n")


def test_included_rules_load_and_the_including_file_wins(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {
        "model.py": "import keras.backend as K\nK.alpha(x)\nK.beta(x)\n",
        "rules.yaml": _rules(("TFM9601", "beta-here", "beta", "beta, by hand"),
                             include="[tables/generated.yaml]"),
        "tables/generated.yaml": _rules(("TFM9600", "alpha-gen", "alpha", "alpha, generated"),
                                        ("TFM9601", "beta-gen", "beta", "beta, generated")),
    })  # fmt: skip
    result = tfmend("check", "--no-surface", "--rules", "rules.yaml", "--select", "TFM96",
                    "model.py", cwd=tmp_path)  # fmt: skip
    assert result.stdout.splitlines()[:2] == [
        "model.py:2:1: TFM9600 alpha, generated",
        "model.py:3:1: TFM9601 beta, by hand",
    ]


@pytest.mark.parametrize(
    ("include", "files", "error"),
    [
        ("[missing.yaml]", {}, "2: include[0]: no such rules file: missing.yaml"),
        ("[rules.yaml]", {}, "2: include[0]: rules.yaml includes itself"),
        ("missing.yaml", {}, "2: include: expected a list of file names, found a string"),
        (
            "[a.yaml, b.yaml]",
            {
                "a.yaml": _rules(("TFM9600", "a", "alpha", "a")),
                "b.yaml": _rules(("TFM9600", "b", "beta", "b")),
            },
            "2: include[1]: b.yaml: code TFM9600 is also in a.yaml",
        ),
    ],
)
def test_a_broken_include_names_the_file_line_and_field(
    tmp_path: Path, tfmend: Run, include: str, files: dict[str, str], error: str
) -> None:
    write(tmp_path, {"model.py": "x = 1\n", "rules.yaml": _rules(include=include), **files})
    result = tfmend("check", "--no-surface", "--rules", "rules.yaml", "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{tmp_path / 'rules.yaml'}:{error}" in result.stderr


@pytest.mark.parametrize(
    ("source", "fixed", "summary"),
    [
        pytest.param(
            "from keras.engine.topology import Layer, get_source_inputs as gsi\nx = Layer\n",
            "from keras.layers import Layer\nfrom keras.utils import get_source_inputs as gsi\n"
            "x = Layer\n",
            "Fixed 2 problems in 1 file; 0 remaining.",
            id="names-that-moved-apart-split-the-import",
        ),
        pytest.param(
            "try:\n    from keras.engine.topology import Layer, get_source_inputs\n"
            "except ImportError:\n    raise\n",
            "try:\n    from keras.layers import Layer\n"
            "    from keras.utils import get_source_inputs\n"
            "except ImportError:\n    raise\n",
            "Fixed 2 problems in 1 file; 0 remaining.",
            id="split-keeps-the-indentation",
        ),
        pytest.param(
            "from keras.engine.topology import (Layer,  # base\n"
            "    get_source_inputs)\nx = Layer\n",
            "from keras.layers import Layer  # base\nfrom keras.utils import get_source_inputs\n"
            "x = Layer\n",
            "Fixed 2 problems in 1 file; 0 remaining.",
            id="a-comment-in-a-split-import-is-kept",
        ),
        pytest.param(
            "import os\nfrom keras.backend import mean, symbolic\n",
            "import os\n",
            "Fixed 2 problems in 1 file; 0 remaining.",
            id="unused-names-of-removed-apis-are-taken-out",
        ),
        pytest.param(
            "from keras.backend import symbolic\n__all__ = ['symbolic']\n",
            "from keras.backend import symbolic\n__all__ = ['symbolic']\n",
            "Fixed 0 problems in 0 files; 1 remaining.",
            id="an-exported-name-stays",
        ),
    ],
)
def test_imports_of_removed_names_are_fixed_used_or_not(
    tmp_path: Path, tfmend: Run, source: str, fixed: str, summary: str
) -> None:
    (tmp_path / "model.py").write_text(source, encoding="utf-8")
    result = tfmend("fix", "--no-surface", "--no-progress", "model.py", cwd=tmp_path)
    assert (tmp_path / "model.py").read_text(encoding="utf-8") == fixed
    assert result.stderr.strip() == summary
