"""Validating fixes end to end: real TensorFlow in a worker, scratch copies, the `validate` CLI."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tfmend.catalog.rules import docs_url
from tfmend.cli.main import main
from tfmend.validate.validator import ValidationSettings, Validator

pytestmark = pytest.mark.tensorflow

PYTHON = sys.executable

MEAN_PROGRAM = """\
    import numpy as np
    from keras import backend as K

    x = np.arange(12, dtype="float32").reshape(3, 4)
    y = K.mean(x, axis=1, keepdims=True)
    print(y)
    """

WRONG_MEAN_RULE = """\
    schema: 1
    rules:
      - code: TFM401
        name: keras-backend-mean
        apis: [keras.backend.mean]
        status: removed
        since: {keras: "3.0"}
        severity: error
        message: "`{name}` was removed in Keras 3"
        explanation: A deliberately wrong replacement, to see validation catch it.
        fix: {kind: replace, to: tensorflow.reduce_sum, safety: safe}
        probe:
          setup: "x = tf.constant(np.arange(12, dtype='float32').reshape(3, 4))"
          old: "tf_keras.backend.mean(x, axis=1, keepdims=True)"
          new: "tf.reduce_sum(x, axis=1, keepdims=True)"
    """

TF1_RULES = """\
    schema: 1
    rules:
      - code: TFM1990
        name: test-tf1-graph-api
        apis: [tensorflow.placeholder, tensorflow.Session]
        status: removed
        since: {tensorflow: "2.0"}
        severity: error
        message: "`{name}` is TF1 graph API"
        explanation: The TF1 graph API lives on in tf.compat.v1.
        fix: {kind: compat-v1, safety: safe}
        probe:
          setup: |
            graph = tf.Graph()
            with graph.as_default():
                p = tf.compat.v1.placeholder(tf.float32, [None, 2])
                y = tf.reduce_sum(p * 2.0)
          old: "tf.compat.v1.Session(graph=graph).run(y, {p: [[1.0, 2.0]]})"
          new: "np.float32(6.0)"
    """

TF1_PROGRAM = """\
    import tensorflow as tf

    x = tf.placeholder(tf.float32, shape=[None, 2])
    y = tf.reduce_sum(x * 2.0)
    with tf.Session() as sess:
        print("sum:", sess.run(y, feed_dict={x: [[1.0, 2.0]]}))
    """


def probe_rule(code: str, setup: str) -> str:
    """A project rule for K.mean whose probe runs `setup` (to make it hang or crash)."""
    return (
        textwrap.dedent(WRONG_MEAN_RULE)
        .replace(
            "fix: {kind: replace, to: tensorflow.reduce_sum, safety: safe}",
            "fix: {kind: replace, to: keras.ops.mean, safety: safe}",
        )
        .replace(
            "setup: \"x = tf.constant(np.arange(12, dtype='float32').reshape(3, 4))\"",
            f"setup: {json.dumps(setup)}",
        )
        .replace("code: TFM401", f"code: {code}")
    )


def project(root: Path, files: dict[str, str], *, select: str = "", rules: str = "") -> Path:
    """A project with a pyproject.toml (unsafe fixes on, optionally a rules file) and files."""
    root.mkdir(parents=True, exist_ok=True)
    table = ["[tool.tfmend]", "unsafe-fixes = true"]
    if select:
        table.append(f'select = ["{select}"]')
    if rules:
        (root / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
        table.append('extend-rules = ["rules.yaml"]')
    (root / "pyproject.toml").write_text("\n".join(table) + "\n", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root with the hash of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def validator() -> Iterator[Validator]:
    """One validator (one worker, TensorFlow imported once) for the module."""
    shared = Validator(ValidationSettings(python=PYTHON))
    yield shared
    shared.close()


@pytest.fixture
def scratch_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where scratch copies go during the test, to prove they are removed."""
    parent = tmp_path / "temporary"
    parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(parent))
    return parent


def by_kind(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The checks of a result by kind and rule: `probe TFM401`, `compile`."""
    checks = result["checks"]
    return {f"{c['kind']} {c['rule']}" if c["rule"] else c["kind"]: c for c in checks}


def test_a_correct_fix_passes_and_the_users_files_stay_untouched(
    validator: Validator, tmp_path: Path, scratch_parent: Path
) -> None:
    root = project(tmp_path / "proj", {"model.py": MEAN_PROGRAM, "data/notes.txt": "keep\n"})
    before = snapshot(root)
    steps: list[str] = []
    validator.configure(ValidationSettings(python=PYTHON, command="python {file}"))
    result = validator.validate(root / "model.py", progress=steps.append).to_json()
    assert result["status"] == "passed", json.dumps(result, indent=1)
    assert snapshot(root) == before
    assert list(scratch_parent.iterdir()) == []  # the scratch copy is gone
    checks = by_kind(result)
    assert list(checks) == ["api TFM401", "probe TFM401", "compile", "command"]
    # The default target's replacement: tf.reduce_mean, casting booleans to floatx as Keras 2 did.
    assert checks["api TFM401"]["detail"] == (
        "exists: keras.config.floatx, tensorflow.bool, tensorflow.cast, tensorflow.reduce_mean"
    )
    assert checks["probe TFM401"]["detail"] == (
        "old and new agree on value, dtype, shape in 9 cases"
    )
    assert checks["command"]["detail"] == (
        "before: failed (AttributeError: module 'keras.backend' has no attribute 'mean'); "
        "after: passed"
    )
    assert result["applied"] == [
        {
            "rule": "TFM401",
            "line": 5,
            "name": "K.mean",
            "message": result["applied"][0]["message"],
            "safety": "safe",
        }
    ]
    assert result["tensorflow"] == "2.21.0"
    assert str(result["keras"]).startswith("3.")
    assert result["interpreter"] == PYTHON
    assert isinstance(result["duration_ms"], int)
    assert "probe of TFM401" in steps
    assert "running the command after the fix" in steps


def test_a_wrong_replacement_fails_on_the_probe_with_the_values(
    validator: Validator, tmp_path: Path
) -> None:
    root = project(tmp_path, {"model.py": MEAN_PROGRAM}, rules=WRONG_MEAN_RULE)
    validator.configure(ValidationSettings(python=PYTHON))
    result = validator.validate(root / "model.py").to_json()
    assert result["status"] == "failed"
    checks = by_kind(result)
    assert checks["api TFM401"]["status"] == "passed"  # tensorflow.reduce_sum exists ...
    assert checks["compile"]["status"] == "passed"
    probe = checks["probe TFM401"]  # ... but does not compute a mean
    assert probe["status"] == "failed"
    assert probe["detail"] == (
        "old and new differ: value: old [[1.5], [5.5], [9.5]], new [[ 6.], [22.], [38.]]\n"
        f"See {docs_url('TFM401')}"
    )
    assert probe["docs"] == docs_url("TFM401")
    assert probe["mismatches"] == ["value: old [[1.5], [5.5], [9.5]], new [[ 6.], [22.], [38.]]"]


def test_a_tf1_session_program_fails_before_and_runs_after_the_compat_v1_fix(
    validator: Validator, tmp_path: Path, scratch_parent: Path
) -> None:
    root = project(tmp_path / "tf1", {"train.py": TF1_PROGRAM}, select="TFM19", rules=TF1_RULES)
    before = snapshot(root)
    validator.configure(ValidationSettings(python=PYTHON, command="python {file}"))
    result = validator.validate(root / "train.py").to_json()
    assert result["status"] == "passed", json.dumps(result, indent=1)
    checks = by_kind(result)
    command = checks["command"]
    assert command["detail"] == (
        "before: failed (AttributeError: module 'tensorflow' has no attribute 'placeholder'); "
        "after: passed"
    )
    assert "sum: 6.0" in command["after"]["output"]
    assert checks["probe TFM1990"]["status"] == "passed"  # a graph-mode probe
    assert "tensorflow.compat.v1.disable_eager_execution" in str(checks["api TFM1990"]["detail"])
    assert snapshot(root) == before
    assert list(scratch_parent.iterdir()) == []


def test_a_hanging_check_is_killed_at_the_timeout(validator: Validator, tmp_path: Path) -> None:
    rules = probe_rule("TFM401", "import time\ntime.sleep(600)")
    root = project(tmp_path, {"model.py": MEAN_PROGRAM}, rules=rules)
    validator.configure(ValidationSettings(python=PYTHON, timeout=3))
    pid = validator.worker_pid
    started = time.monotonic()
    result = validator.validate(root / "model.py").to_json()
    assert time.monotonic() - started < 40
    assert result["status"] == "failed"
    checks = by_kind(result)
    assert checks["probe TFM401"]["status"] == "failed"
    assert str(checks["probe TFM401"]["detail"]).startswith(
        "timed out after 3 s; the worker was stopped and is restarted for the next check"
    )
    assert checks["compile"]["status"] == "passed"  # a fresh worker ran the next check
    assert validator.worker_pid not in (None, pid)


def test_a_crashing_worker_is_restarted_and_the_crash_reported(
    validator: Validator, tmp_path: Path
) -> None:
    rules = probe_rule("TFM401", "import os\nos.abort()")
    root = project(tmp_path, {"model.py": MEAN_PROGRAM}, rules=rules)
    validator.configure(ValidationSettings(python=PYTHON))
    result = validator.validate(root / "model.py").to_json()
    assert result["status"] == "failed"
    checks = by_kind(result)
    assert str(checks["probe TFM401"]["detail"]).startswith(
        "the worker died during probe (killed by SIGABRT)"
    )
    assert checks["compile"]["status"] == "passed"
    healthy = project(tmp_path / "healthy", {"model.py": MEAN_PROGRAM})
    assert validator.validate(healthy / "model.py").to_json()["status"] == "passed"


def test_a_hanging_command_is_stopped_before_and_after(
    validator: Validator, tmp_path: Path
) -> None:
    root = project(tmp_path, {"model.py": MEAN_PROGRAM})
    command = "python -c 'import time; time.sleep(600)'"
    validator.configure(ValidationSettings(python=PYTHON, command=command, timeout=2))
    started = time.monotonic()
    result = validator.validate(root / "model.py").to_json()
    assert time.monotonic() - started < 40
    assert by_kind(result)["command"]["detail"] == (
        "before: failed (timed out after 2 s); after: failed (timed out after 2 s)"
    )
    assert result["status"] == "failed"


def test_a_line_range_fixes_only_its_findings(validator: Validator, tmp_path: Path) -> None:
    program = MEAN_PROGRAM.replace("print(y)", "z = K.mean(x, axis=0)\n    print(y, z)")
    root = project(tmp_path, {"model.py": program})
    validator.configure(ValidationSettings(python=PYTHON))
    result = validator.validate(root / "model.py", line_range=(5, 5)).to_json()
    assert result["status"] == "passed"
    assert [a["line"] for a in result["applied"]] == [6]


def test_the_editor_text_is_validated_not_the_disk(validator: Validator, tmp_path: Path) -> None:
    root = project(tmp_path, {"model.py": "import keras\n"})
    validator.configure(ValidationSettings(python=PYTHON))
    result = validator.validate(root / "model.py", text=textwrap.dedent(MEAN_PROGRAM)).to_json()
    assert result["status"] == "passed"
    assert (root / "model.py").read_text(encoding="utf-8") == "import keras\n"


def test_import_check_imports_the_fixed_module(validator: Validator, tmp_path: Path) -> None:
    root = project(tmp_path, {"pkg/__init__.py": "", "pkg/model.py": MEAN_PROGRAM})
    validator.configure(ValidationSettings(python=PYTHON, import_check=True))
    result = validator.validate(root / "pkg" / "model.py").to_json()
    assert by_kind(result)["import"]["detail"] == "pkg.model imports"
    assert result["status"] == "passed"


def test_a_notebook_is_validated_through_its_cells(validator: Validator, tmp_path: Path) -> None:
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": textwrap.dedent(MEAN_PROGRAM).splitlines(keepends=True),
        }
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "analysis.ipynb"
    project(tmp_path, {})
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    validator.configure(ValidationSettings(python=PYTHON, import_check=True))
    result = validator.validate(path).to_json()
    assert result["status"] == "passed", json.dumps(result, indent=1)
    assert by_kind(result)["import"]["status"] == "skipped"


def test_nothing_to_fix_cannot_be_validated(validator: Validator, tmp_path: Path) -> None:
    root = project(tmp_path, {"clean.py": "import keras\ny = keras.ops.mean([1.0])\n"})
    result = validator.validate(root / "clean.py").to_json()
    assert result["status"] == "error"
    assert result["message"] == f"nothing to validate: no fixable finding in {root / 'clean.py'}"


def test_an_interpreter_without_tensorflow_cannot_validate(tmp_path: Path) -> None:
    venv = tmp_path / "plain"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    root = project(tmp_path / "proj", {"model.py": MEAN_PROGRAM})
    plain = Validator(ValidationSettings(python=str(venv / "bin" / "python")))
    try:
        result = plain.validate(root / "model.py").to_json()
    finally:
        plain.close()
    assert result["status"] == "error"
    assert result["message"] == (
        f"TensorFlow is not installed in {venv / 'bin' / 'python'}: validation needs the "
        "project's own environment"
    )


def test_changing_the_interpreter_restarts_the_worker(validator: Validator, tmp_path: Path) -> None:
    root = project(tmp_path, {"model.py": MEAN_PROGRAM})
    validator.configure(ValidationSettings(python=PYTHON))
    validator.validate(root / "model.py")
    first = validator.worker_pid
    other = Path(PYTHON).with_name("python3")  # the same environment under another name
    validator.configure(ValidationSettings(python=str(other)))
    assert validator.worker_pid is None
    result = validator.validate(root / "model.py").to_json()
    assert result["interpreter"] == str(other)
    assert validator.worker_pid not in (None, first)


@pytest.mark.parametrize(
    ("rules", "extra", "expected"),
    [
        ("", [], (0, "Validation passed")),
        (WRONG_MEAN_RULE, [], (1, "Validation failed")),
        (
            "",
            ["--python", "/nonexistent/bin/python"],
            (2, "Cannot validate model.py: Python interpreter not found: /nonexistent/bin/python"),
        ),
    ],
    ids=["passed", "failed", "error"],
)
def test_cli_exit_codes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rules: str,
    extra: list[str],
    expected: tuple[int, str],
) -> None:
    root = project(tmp_path, {"model.py": MEAN_PROGRAM}, rules=rules)
    code, verdict = expected
    assert main(["validate", str(root / "model.py"), "--line", "5", *extra]) == code
    assert verdict in capsys.readouterr().out


NO_PROBE_RULE = """\
    schema: 1
    rules:
      - code: TFM1991
        name: test-old-abs
        apis: [tensorflow.old_abs]
        status: removed
        since: {tensorflow: "2.0"}
        severity: error
        message: "`{name}` is gone"
        explanation: A rule with a fix and no probe.
        fix: {kind: replace, to: tensorflow.abs, safety: safe}
    """

MIXED_PROGRAM = """\
    import tensorflow as tf
    from keras import backend as K

    v = tf.Variable(tf.zeros((3, 4)))
    shape = K.int_shape(v)
    y = K.mean(v)
    z = tf.old_abs(v)
    """


def test_cli_tries_every_fix_and_reports_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, {"model.py": MIXED_PROGRAM}, rules=NO_PROBE_RULE)
    # The project's default: unsafe fixes off. Validation tries them all the same.
    (root / "pyproject.toml").write_text(
        '[tool.tfmend]\nextend-rules = ["rules.yaml"]\n', encoding="utf-8"
    )
    status = main(["validate", str(root / "model.py"), "--python", PYTHON, "--timeout", "120"])
    out = capsys.readouterr().out
    assert status == 3, out
    lines = out.splitlines()
    start = lines.index("per fix:")
    assert lines[start + 1 : start + 4] == [
        "         ok  TFM626 line 5 K.int_shape",
        "         ok  TFM401 line 6 K.mean",
        "  unchecked  TFM1991 line 7 tf.old_abs: no runtime check for this rule",
    ]
    assert f"fix TFM626 at {root / 'model.py'}:5: K.int_shape (unsafe)" in lines
    assert lines[-1].startswith(
        "Validation incomplete for 3 fixes in model.py: 5 checks run: 5 passed, 0 failed; "
        "1 skipped; not checked: TFM1991 line 7: no runtime check for this rule ("
    )


def test_the_file_compiling_never_makes_a_fix_pass(validator: Validator, tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"model.py": "import tensorflow as tf\nz = tf.old_abs(1.0)\n"},
        rules=NO_PROBE_RULE,
    )
    validator.configure(ValidationSettings(python=PYTHON))
    result = validator.validate(root / "model.py").to_json()
    assert [(c["kind"], c["status"]) for c in result["checks"]] == [
        ("api", "passed"),
        ("probe", "skipped"),
        ("compile", "passed"),
    ]
    assert result["status"] == "unchecked"
    assert result["summary"] == (
        "validation incomplete for the fix in model.py: 2 checks run: 2 passed, 0 failed; "
        "1 skipped; not checked: TFM1991 line 2: no runtime check for this rule"
    )
    # A run of the user's code is a runtime check for every fix.
    validator.configure(ValidationSettings(python=PYTHON, import_check=True))
    result = validator.validate(root / "model.py").to_json()
    assert result["status"] == "passed", result
    assert [fix["status"] for fix in result["fixes"]] == ["passed"]


def test_cli_json_has_the_result_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, {"model.py": MEAN_PROGRAM}, rules=WRONG_MEAN_RULE)
    status = main(
        [
            "validate",
            str(root / "model.py"),
            "--format",
            "json",
            "--python",
            PYTHON,
            "--timeout",
            "120",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert status == 1
    assert result["status"] == "failed"
    assert set(result) >= {"status", "python", "tensorflow", "keras", "checks", "duration_ms"}
    for check in result["checks"]:
        assert set(check) >= {"rule", "kind", "status", "detail"}
        assert check["kind"] in ("api", "probe", "compile", "import", "command")
        assert check["status"] in ("passed", "failed", "skipped")


def test_close_cancels_a_validation_in_progress(tmp_path: Path) -> None:
    rules = probe_rule("TFM401", "import time\ntime.sleep(600)")
    root = project(tmp_path, {"model.py": MEAN_PROGRAM}, rules=rules)
    own = Validator(ValidationSettings(python=PYTHON, timeout=300))
    results: list[dict[str, Any]] = []
    steps: list[str] = []
    worker = threading.Thread(
        target=lambda: results.append(
            own.validate(root / "model.py", progress=steps.append).to_json()
        )
    )
    worker.start()
    while "probe of TFM401" not in steps:
        time.sleep(0.1)
    started = time.monotonic()
    own.close()
    worker.join(timeout=60)
    assert time.monotonic() - started < 30
    checks = by_kind(results[0])
    assert str(checks["probe TFM401"]["detail"]).startswith("the worker died during probe")
    assert checks["compile"]["detail"] == "cancelled: the validator was closed"
    assert own.worker_pid is None
