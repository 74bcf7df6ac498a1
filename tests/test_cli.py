"""The command line as a user runs it: formats, exit codes, fixes on disk, bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

from tests.conftest import TEST_ARGS, write

Run = Callable[..., subprocess.CompletedProcess[str]]

LEGACY = """\
from keras import backend as K

y = K.mean(x, axis=1)
z = K.mean(y)  # tfmend: ignore[TFM9901]
"""


def test_check_text_format_and_exit_code(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY, "clean.py": "import keras\nkeras.ops.mean(x)\n"})
    result = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "model.py:3:5: TFM9901 `K.mean` (keras.backend.mean) is gone; use `keras.ops.mean` [*]\n"
        "Found 1 problem (1 fixable with `tfmend fix`; target tensorflow).\n"
    )
    clean = tfmend("check", *TEST_ARGS, "clean.py", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "All checks passed (target tensorflow).\n")


def test_check_json_format(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY})
    result = tfmend("check", *TEST_ARGS, "--format", "json", "model.py", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "path": "model.py",
            "start": {"line": 3, "column": 5},
            "end": {"line": 3, "column": 11},
            "code": "TFM9901",
            "message": "`K.mean` (keras.backend.mean) is gone; use `keras.ops.mean`",
            "severity": "error",
            "api": "keras.backend.mean",
            "name": "K.mean",
            "fix": "safe",
            "docs": "https://github.com/tfmend/tfmend/blob/main/docs/rules/TFM9901.md",
        }
    ]


def test_json_report_is_laid_out_as_json_dumps_lays_it_out() -> None:
    from tfmend.cli.report import indented_json

    values: list[object] = [
        [],
        {},
        [{}, [], [[]]],
        {"message": 'quote " backslash \\ tab \t é \u2028 \x00', "n": [1, -2, 0, 2.5]},
        {"flags": [True, False, None], "nested": {"start": {"line": 3, "column": 5}}},
    ]
    for value in values:
        assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_check_sarif_format_validates(
    tmp_path: Path, tfmend: Run, sarif_schema: dict[str, Any]
) -> None:
    write(tmp_path, {"model.py": LEGACY, "broken.py": "def f(:\n"})
    result = tfmend("check", *TEST_ARGS, "--format", "sarif", ".", cwd=tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    assert list(validator.iter_errors(log)) == []
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["TFM901", "TFM9901"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in run["results"]] == [("TFM901", 1), ("TFM9901", 3)]  # fmt: skip


def test_fix_rewrites_in_place_and_reports_nothing_left(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY})
    result = tfmend("fix", *TEST_ARGS, ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "model.py").read_text() == (
        "from keras import backend as K\n"
        "import keras\n\n"
        "y = keras.ops.mean(x, axis=1)\n"
        "z = K.mean(y)  # tfmend: ignore[TFM9901]\n"
    )
    assert "Fixed 1 problem in 1 file; 0 remaining." in result.stderr


def test_fix_diff_writes_nothing(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY})
    before = (tmp_path / "model.py").read_bytes()
    result = tfmend("fix", *TEST_ARGS, "--diff", "model.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "-y = K.mean(x, axis=1)\n+y = keras.ops.mean(x, axis=1)\n" in result.stdout
    assert (tmp_path / "model.py").read_bytes() == before


def test_fix_keeps_encoding_bom_and_line_endings(tmp_path: Path, tfmend: Run) -> None:
    crlf_bom = b"\xef\xbb\xbfimport keras.backend as K\r\ny = K.mean(x)\r\n"
    latin1 = "# -*- coding: latin-1 -*-\nimport keras.backend as K\ns = 'café'\ny = K.mean(x)\n"
    write(tmp_path, {"a.py": crlf_bom, "b.py": latin1.encode("latin-1")})
    assert tfmend("fix", *TEST_ARGS, ".", cwd=tmp_path).returncode == 0
    assert (
        tmp_path / "a.py"
    ).read_bytes() == b"\xef\xbb\xbfimport keras\r\ny = keras.ops.mean(x)\r\n"
    assert (tmp_path / "b.py").read_bytes() == (
        "# -*- coding: latin-1 -*-\nimport keras\ns = 'café'\ny = keras.ops.mean(x)\n"
    ).encode("latin-1")


def test_bad_files_are_reported_and_the_rest_is_fixed(tmp_path: Path, tfmend: Run) -> None:
    broken = "import keras.backend as K\ny = K.mean(x\n"
    write(tmp_path, {"broken.py": broken, "binary.py": b"\x00\x01\x02", "bad.py": b"x = '\xff'\n",
                     "good.py": "import keras.backend as K\ny = K.mean(x)\n"})  # fmt: skip
    digests = {n: hashlib.sha256((tmp_path / n).read_bytes()).hexdigest()
               for n in ("broken.py", "binary.py", "bad.py")}  # fmt: skip
    result = tfmend("fix", *TEST_ARGS, ".", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bad.py:1:1: TFM902 Cannot decode the file: not valid utf-8")
    assert lines[1].startswith("binary.py:1:1: TFM902 Cannot decode the file: binary file")
    assert lines[2] == (
        "broken.py:2:11: TFM901 Syntax error: '(' was never closed; "
        "the file is not checked until it parses"
    )
    for name, digest in digests.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    assert (tmp_path / "good.py").read_text() == "import keras\ny = keras.ops.mean(x)\n"


def test_usage_and_configuration_errors_exit_2(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY})
    missing = tfmend("check", *TEST_ARGS, "nowhere", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (
        2,
        "tfmend: nowhere: no such file or directory\n",
    )
    write(tmp_path, {"pyproject.toml": "[tool.tfmend]\nselect = 'TFM4'\n"})
    bad = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.endswith("pyproject.toml:2: tool.tfmend.select: expected a list of strings\n")


def test_broken_rules_file_names_file_line_and_field(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY, "rules.yaml": """\
        schema: 1
        rules:
          - code: TFM950
            name: my-rule
            apis: [keras.backend.mean]
            status: removed
            since: {keras: "3.0"}
            severity: error
            message: m
            message: again
            explanation: e
            fix: {kind: rename, to: keras.ops.mean, safety: safe}
    """})  # fmt: skip
    result = tfmend("check", *TEST_ARGS, "--rules", "rules.yaml", "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{tmp_path / 'rules.yaml'}:10: rules[0]: duplicate key 'message' (first at line 9)" in (
        result.stderr
    )
    (tmp_path / "rules.yaml").write_text((tmp_path / "rules.yaml").read_text().replace(
        "    message: again\n", ""))  # fmt: skip
    result = tfmend("check", *TEST_ARGS, "--rules", "rules.yaml", "model.py", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        f"{tmp_path / 'rules.yaml'}:11: rules[0].fix.kind: 'rename' is not one of replace, call, "
        "unwrap, remove, keyword, compat-v1, method, manual"
    ) in result.stderr


def test_project_rule_replaces_builtin_rule_with_same_code(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {
        "model.py": "import keras.backend as K\ny = K.mean(x)\n",
        "pyproject.toml": "[tool.tfmend]\nextend-rules = ['tools/rules.yaml']\n",
        "tools/rules.yaml": """\
            schema: 1
            rules:
              - code: TFM401
                name: house-mean
                apis: [keras.backend.mean]
                status: removed
                since: {keras: "3.0"}
                severity: warning
                message: "use our mean"
                explanation: "House style."
                fix: {kind: replace, to: tensorflow.reduce_mean, safety: unsafe, reason: "dtype"}
        """,
    })  # fmt: skip
    result = tfmend("check", "model.py", cwd=tmp_path)
    assert result.stdout.splitlines()[0] == "model.py:2:5: TFM401 use our mean [*unsafe]"
    assert tfmend("fix", "--unsafe-fixes", "model.py", cwd=tmp_path).returncode == 0
    assert (tmp_path / "model.py").read_text() == "import tensorflow as tf\ny = tf.reduce_mean(x)\n"


def test_configuration_select_ignore_per_file_ignores_exclude(tmp_path: Path, tfmend: Run) -> None:
    code = "import keras.backend as K\ny = K.mean(x)\n"
    write(tmp_path, {
        "pyproject.toml": """\
            [tool.tfmend]
            exclude = ["generated/"]
            per-file-ignores = {"tests/*" = ["TFM99"]}
        """,
        "src/a.py": code, "tests/test_a.py": code, "generated/g.py": code,
        "vendored/v.py": code, ".gitignore": "vendored/\n",
    })  # fmt: skip
    result = tfmend("check", *TEST_ARGS, ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == ["src/a.py"]
    assert tfmend("check", *TEST_ARGS, "--ignore", "TFM9901", ".", cwd=tmp_path).returncode == 0
    assert tfmend("check", *TEST_ARGS, "--select", "TFM8", ".", cwd=tmp_path).returncode == 0


def test_notebook_round_trip_keeps_structure_and_outputs(tmp_path: Path, tfmend: Run) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Legacy"]},
            {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["setup"]},
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}],
             "source": ["%matplotlib inline\n", "from keras import backend as K"]},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
             "source": ["y = K.mean(x, axis=1)\n", "print(y)"]},
        ],
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    path = tmp_path / "legacy.ipynb"
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    check = tfmend("check", *TEST_ARGS, "legacy.ipynb", cwd=tmp_path)
    assert check.stdout.splitlines()[0].startswith("legacy.ipynb:cell 3:1:5: TFM9901 ")
    assert tfmend("fix", *TEST_ARGS, "legacy.ipynb", cwd=tmp_path).returncode == 0
    fixed = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][1]["source"] = ["%matplotlib inline\n", "import keras"]  # type: ignore[index]
    notebook["cells"][2]["source"] = ["y = keras.ops.mean(x, axis=1)\n", "print(y)"]  # type: ignore[index]
    assert fixed == notebook


def test_rules_json_lists_applies_to_and_replacements(tmp_path: Path, tfmend: Run) -> None:
    result = tfmend("rules", "--format", "json", "--rules", TEST_ARGS[1], cwd=tmp_path)
    rules = {rule["code"]: rule for rule in json.loads(result.stdout)}
    assert {key: rules["TFM9901"][key] for key in ("applies_to", "replacements", "fix")} == {
        "applies_to": ["keras.backend.mean"],
        "replacements": ["keras.ops.mean"],
        "fix": "safe",
    }
    assert rules["TFM9902"]["fix"] == "unsafe"
    assert len(rules) > 2


def test_many_files_in_parallel_match_one_process(tmp_path: Path, tfmend: Run) -> None:
    files = {f"pkg/m{i:02d}.py": "import keras.backend as K\ny = K.mean(x)\n" for i in range(40)}
    write(tmp_path, files)
    parallel = tfmend("check", *TEST_ARGS, "--format", "json", "--jobs", "2", ".", cwd=tmp_path)
    serial = tfmend("check", *TEST_ARGS, "--format", "json", "--jobs", "1", ".", cwd=tmp_path)
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)
    assert len(json.loads(serial.stdout)) == 40


def test_deeply_nested_code_is_reported_not_fatal(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"deep.py": "x = " + "1 + " * 50000 + "1\n",
                     "model.py": "import keras.backend as K\ny = K.mean(x)\n"})  # fmt: skip
    result = tfmend("check", *TEST_ARGS, "--select", "TFM9", ".", cwd=tmp_path)
    assert result.stdout.splitlines()[0].startswith(
        "deep.py:1:1: TFM903 The file is too deeply nested to analyse"
    )
    assert result.stdout.splitlines()[1].startswith("model.py:2:5: TFM9901 ")
