"""tfmend against TensorFlow's own tf_upgrade_v2 on the same code: it reports what tf_upgrade_v2
changes, and gets right what tf_upgrade_v2 gets wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_python
from tfmend.api import Engine
from tfmend.resolve.qualnames import canonical_names
from tfmend.versions import Versions

pytestmark = pytest.mark.tensorflow

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_tf1_rules.py"

# Runs in its own interpreter (it imports TensorFlow). Builds one line of TF1 code per API and
# aspect in tf_upgrade_v2's tables (the symbol, each renamed or removed keyword, each argument it
# warns about, the argument order), runs tf_upgrade_v2 on them in batches of 100 (a batch that
# crashes it is retried line by line, and the crash recorded), and tells for each line whether
# tf_upgrade_v2 changed it or warned about it. A reordering that binds every argument to the
# same parameter in TF 2 as in TF 1 changes nothing, so argument-order lines get as many
# positional arguments as it takes to bind one differently, or are left out.
_UPGRADE = textwrap.dedent(
    r"""
    import ast, contextlib, importlib.util, inspect, io, json, os, re, sys
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tensorflow as tf
    from tensorflow.tools.compatibility import ast_edits, module_deprecations_v2, tf_upgrade_v2

    spec = tf_upgrade_v2.TFAPIChangeSpec()
    METHOD_LINES = {
        "*.save": ("model = tf.keras.Model(inputs, outputs)", "model.save(path)"),
        "*.make_one_shot_iterator": ("dataset = tf.data.TFRecordDataset(files)",
                                     "dataset.make_one_shot_iterator()"),
        "*.make_initializable_iterator": ("dataset = tf.data.TFRecordDataset(files)",
                                          "dataset.make_initializable_iterator()"),
        "*.minimize": ("optimizer = tf.keras.optimizers.SGD(0.1)",
                       "optimizer.minimize(loss, colocate_gradients_with_ops=True)"),
        "*.compute_gradients": ("optimizer = tf.keras.optimizers.SGD(0.1)",
                                "optimizer.compute_gradients(loss, "
                                "colocate_gradients_with_ops=True)"),
    }

    def resolve(name):
        obj = tf
        for part in name.split(".")[1:]:
            try:
                obj = getattr(obj, part)
            except Exception:
                return None
        return obj

    def parameters(obj):
        try:
            return inspect.signature(obj)
        except (TypeError, ValueError):
            return None

    def binds_differently(name, count):
        # Whether `name(a1, ..., a<count>)` binds an argument to another parameter in TF 2.
        old = parameters(resolve("tf.compat.v1." + name[3:]))
        new = parameters(resolve(name))
        if old is None or new is None:
            return True
        args = [f"a{i}" for i in range(1, count + 1)]
        try:
            before = old.bind_partial(*args).arguments
        except TypeError:
            return None  # not a valid TF1 call either
        if next(iter(old.parameters)) in ("keyword_required", "_sentinel"):
            return None  # TF1 refused positional arguments
        renames = spec.function_keyword_renames.get(name, {})
        mapped = {}
        for parameter, value in before.items():
            parameter = renames.get(parameter, parameter)
            if parameter in mapped:
                return None  # a TF1 alias passed next to its parameter: an error in TF1 too
            mapped[parameter] = value
        before = mapped
        try:
            after = new.bind_partial(*args).arguments
        except TypeError:
            return True  # more positional arguments than TF 2 takes
        return before != after

    cases, header = [], ["import tensorflow as tf", "import tensorflow.contrib.slim as slim"]
    contrib_aliases = set()

    def add(name, aspect, code, setup=None):
        if name.startswith("contrib_"):
            contrib_aliases.add(name.split(".")[0])
        cases.append({"name": name, "aspect": aspect, "code": code, "setup": setup})

    symbols = {*spec.symbol_renames, *spec.function_warnings, *spec.function_transformers}
    for name in sorted(symbols):
        if name in METHOD_LINES:
            setup, line = METHOD_LINES[name]
            add(name, "symbol", line, setup)
        else:
            add(name, "symbol", f"{name}(a)")
    for name in sorted(module_deprecations_v2.MODULE_DEPRECATIONS):
        add(name, "symbol", f"{name}.member(a)")
    for name, renames in sorted(spec.function_keyword_renames.items()):
        for keyword in sorted(renames):
            aspect = ("keyword:" if renames[keyword] else "argument:") + keyword
            if name in METHOD_LINES:
                setup, line = METHOD_LINES[name]
                add(name, aspect, line, setup)
            else:
                add(name, aspect, f"{name}(a, {keyword}=b)")
    for name, by_argument in sorted(spec.function_arg_warnings.items()):
        for argument, _position in sorted(by_argument):
            renamed = spec.function_keyword_renames.get(name, {})
            if name not in METHOD_LINES and argument not in renamed:
                add(name, f"argument:{argument}", f"{name}(a, {argument}=b)")
    for name, transformer in sorted(spec.function_transformers.items()):
        argument = getattr(transformer, "keywords", {}).get("arg_name")
        if argument and argument not in spec.function_keyword_renames.get(name, {}):
            add(name, f"argument:{argument}", f"{name}(a, {argument}=b)")
    for name, order in sorted(spec.function_reorders.items()):
        if not name.startswith("tf.") or name.startswith("tf.contrib."):
            continue
        first = next(i for i, p in enumerate(order) if p is not None)
        for count in range(max(first + 1, 2), len(order) + 1):
            differs = binds_differently(name, count)
            if differs:
                args = ", ".join(f"a{i}" for i in range(1, count + 1))
                add(name, "positional", f"{name}({args})")
                break

    header += [f"from tensorflow.contrib import {alias[len('contrib_'):]} as {alias}"
               for alias in sorted(contrib_aliases)]
    lines = list(header)
    for index, case in enumerate(cases):
        if case["setup"]:
            lines.append(case["setup"])
        case["line"] = len(lines) + 1
        lines.append(f"v{index} = {case['code']}")
    text = "\n".join(lines) + "\n"

    upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())

    def upgrade(batch):
        # Upgrade cases (index, case) together; one line each, named v<index>.
        source, lines = list(header), {}
        for index, case in batch:
            if case["setup"]:
                source.append(case["setup"])
            source.append(f"v{index} = {case['code']}")
            lines[len(source)] = index
        with contextlib.redirect_stdout(io.StringIO()):
            ok, upgraded, _logs, errors = upgrader.update_string_pasta(
                "\n".join(source) + "\n", "case.py")
        assert ok, errors
        warned = {lines.get(int(m.group(1))) for e in errors
                  for m in [re.match(r"case\.py:(\d+):\d+: (WARNING|ERROR)", e)] if m}
        after = {m.group(1): line.split(" = ", 1)[1] for line in upgraded.splitlines()
                 for m in [re.match(r"v(\d+) = ", line)] if m}
        for index, case in batch:
            case["upgraded"] = after[str(index)]
            case["changed"] = case["upgraded"] != case["code"] or index in warned
            case["crash"] = None

    numbered = list(enumerate(cases))
    for start in range(0, len(numbered), 100):
        batch = numbered[start:start + 100]
        try:
            upgrade(batch)
        except Exception:  # tf_upgrade_v2 itself fails on one of them: find which
            for one in batch:
                try:
                    upgrade([one])
                except Exception as exc:
                    one[1].update(upgraded=None, changed=False,
                                  crash=f"{type(exc).__name__}: {exc}")
    json.dump({"text": text, "cases": cases}, sys.stdout)
    """
)

# The generator's list of what tfmend leaves out on purpose, read in a second interpreter.
_EXEMPTIONS = textwrap.dedent(
    """
    import importlib.util, json, sys
    loaded = importlib.util.spec_from_file_location("generator", sys.argv[1])
    gen = importlib.util.module_from_spec(loaded)
    sys.modules["generator"] = gen
    loaded.loader.exec_module(gen)
    handwritten = gen.handwritten_apis(open(sys.argv[2], encoding="utf-8").read())[0]
    plan = gen.plan_rules(gen.read_tables(), gen.Installed(), handwritten)
    json.dump({"exemptions": [vars(e) for e in plan.exemptions], "methods": gen.METHODS},
              sys.stdout)
    """
)


def _python(code: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


SNIPPETS = {
    "alias": "import tensorflow as tfx\nx = tfx.placeholder(tfx.float32, [None, 3])\n",
    "parameter": (
        "import tensorflow as tf\n\n\ndef build(tf):\n    return tf.placeholder(tf.float32)\n"
    ),
    "missing": "import tensorflow as tf\ncell = tf.nn.rnn_cell.LSTMCell(8)\n",
    "optimizer": "import tensorflow as tf\noptimizer = tf.keras.optimizers.Adam(0.001)\n",
    "resize": "import tensorflow as tf\nresized = tf.image.resize_bilinear(images, [3, 3])\n",
    "blocks": "import tensorflow as tf\nbatches = tf.space_to_batch(images, [[0, 0], [0, 0]], 2)\n",
}


@pytest.fixture(scope="module")
def upgraded() -> dict[str, str]:
    """tf_upgrade_v2's output for each snippet (one interpreter for all of them)."""
    code = textwrap.dedent(
        """
        import contextlib, io, json, os, sys
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2
        upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
        out = {}
        for name, text in json.load(sys.stdin).items():
            with contextlib.redirect_stdout(io.StringIO()):
                out[name] = upgrader.update_string_pasta(text, name + ".py")[1]
        json.dump(out, sys.stdout)
        """
    )
    ran = _python(code, stdin=json.dumps(SNIPPETS))
    assert ran.returncode == 0, ran.stderr[-2000:]
    result: dict[str, str] = json.loads(ran.stdout)
    return result


@pytest.fixture(scope="module")
def comparison() -> dict[str, Any]:
    ran = _python(_UPGRADE)
    assert ran.returncode == 0, ran.stderr[-3000:]
    result: dict[str, Any] = json.loads(ran.stdout)
    exempt = _python(_EXEMPTIONS, str(GENERATOR), str(ROOT / "rules.yaml"))
    assert exempt.returncode == 0, exempt.stderr[-3000:]
    result.update(json.loads(exempt.stdout))
    return result


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _qualnames(name: str, methods: dict[str, str]) -> list[str]:
    if name in methods:
        return [methods[name]]
    if name.startswith("contrib_"):
        qualname = "tensorflow.contrib." + name[len("contrib_") :]
    elif name.startswith("slim."):
        qualname = "tensorflow.contrib.slim." + name[len("slim.") :]
    else:
        qualname = "tensorflow." + name[len("tf.") :]
    return canonical_names(qualname, Versions())


def test_tfmend_reports_every_api_change_tf_upgrade_v2_makes(
    comparison: dict[str, Any], engine: Engine
) -> None:
    flagged = {f.span.start.line + 1 for f in engine.check_text(comparison["text"])}
    exempt = {
        (e["api"], e["aspect"].replace("keyword:", "argument:")) for e in comparison["exemptions"]
    }
    changed = [case for case in comparison["cases"] if case["changed"]]
    missed = []
    left_out = []
    for case in changed:
        if case["line"] in flagged:
            continue
        aspect = case["aspect"].replace("keyword:", "argument:")
        if any((q, aspect) in exempt for q in _qualnames(case["name"], comparison["methods"])):
            left_out.append(case)
            continue
        missed.append(f"{case['code']}  →  {case['upgraded']}")
    assert len(changed) > 1300
    assert not missed, "tf_upgrade_v2 changes tfmend does not report:\n" + "\n".join(missed)
    # What tfmend leaves out on purpose is the generator's list of exemptions, exactly: each one
    # is a change of tf_upgrade_v2 that tfmend does not report, and none is blocked by the engine.
    needed = {
        (q, case["aspect"].replace("keyword:", "argument:"))
        for case in left_out
        for q in _qualnames(case["name"], comparison["methods"])
    }
    assert exempt <= needed, f"exemptions no longer needed: {sorted(exempt - needed)}"
    assert not [e for e in comparison["exemptions"] if e["blocked"]]
    assert len(left_out) == 45


def test_tfmend_finds_a_tensorflow_alias_that_tf_upgrade_v2_misses(
    engine: Engine, upgraded: dict[str, str]
) -> None:
    code = SNIPPETS["alias"]

    assert upgraded["alias"] == code
    assert [f.name for f in engine.check_text(code)] == ["tfx.placeholder"]
    assert engine.fix_text(code).text == (
        "import tensorflow as tfx\n"
        "tfx.compat.v1.disable_eager_execution()\n"
        "x = tfx.compat.v1.placeholder(tfx.float32, [None, 3])\n"
    )


def test_tfmend_leaves_a_parameter_named_tf_alone(engine: Engine, upgraded: dict[str, str]) -> None:
    assert "return tf.compat.v1.placeholder(tf.float32)" in upgraded["parameter"]
    assert engine.check_text(SNIPPETS["parameter"]) == []


def test_rename_targets_missing_from_tf_2_21_are_manual_in_tfmend(
    engine: Engine, upgraded: dict[str, str], tmp_path: Path
) -> None:
    code = SNIPPETS["missing"]
    assert upgraded["missing"] == (
        "import tensorflow as tf\ncell = tf.compat.v1.nn.rnn_cell.LSTMCell(8)\n"
    )
    path = tmp_path / "upgraded.py"
    path.write_text(upgraded["missing"], encoding="utf-8")
    ran = run_python(path)
    assert ran.returncode != 0
    assert "`LSTMCell` is not available with Keras 3" in ran.stderr

    [finding] = engine.check_text(code)
    assert finding.fix == "none"
    assert finding.rule is not None
    assert "`keras.layers.LSTMCell(units)`" in finding.rule.explanation
    assert engine.fix_text(code, unsafe=True).text == code


def test_tf_upgrade_v2_breaks_keras_optimizers_that_tfmend_keeps(
    engine: Engine, upgraded: dict[str, str], tmp_path: Path
) -> None:
    assert "tf.keras.optimizers.legacy.Adam(0.001)" in upgraded["optimizer"]
    path = tmp_path / "upgraded.py"
    path.write_text(upgraded["optimizer"], encoding="utf-8")
    ran = run_python(path)
    assert ran.returncode != 0
    assert "`keras.optimizers.legacy` is not supported in Keras 3" in ran.stderr
    assert engine.check_text(SNIPPETS["optimizer"]) == []
    # The original runs: see the resize test, whose program uses tf.keras from the same TF.


def test_tf_upgrade_v2_rewrites_that_change_or_break_results(
    engine: Engine, upgraded: dict[str, str], tmp_path: Path
) -> None:
    def expression(text: str) -> str:
        return text.splitlines()[1].split(" = ", 1)[1]

    resize_v2 = expression(upgraded["resize"])
    resize_tfmend = expression(engine.fix_text(SNIPPETS["resize"]).text)
    assert resize_v2 == "tf.image.resize(images, [3, 3], method=tf.image.ResizeMethod.BILINEAR)"
    assert resize_tfmend == "tf.compat.v1.image.resize_bilinear(images, [3, 3])"
    # TF1's scalar block_size became a block_shape list: tf_upgrade_v2 only renames the argument.
    # tfmend writes the list (an unsafe fix: three positional arguments are also a TF 2 call).
    blocks_v2 = expression(upgraded["blocks"])
    assert blocks_v2 == "tf.space_to_batch(images, paddings=[[0, 0], [0, 0]], block_shape=2)"
    [finding] = engine.check_text(SNIPPETS["blocks"])
    assert finding.fix == "unsafe"
    assert engine.fix_text(SNIPPETS["blocks"]).text == SNIPPETS["blocks"]
    blocks_tfmend = expression(engine.fix_text(SNIPPETS["blocks"], unsafe=True).text)
    assert blocks_tfmend == (
        "tf.space_to_batch(images, block_shape=[2, 2], paddings=[[0, 0], [0, 0]])"
    )
    # TF 1.x's functions are what tf.compat.v1 runs; compare the rewrites with them. The
    # unchanged Keras optimizer of the previous test runs in the same program.
    program = textwrap.dedent(
        f"""\
        import numpy as np
        import tensorflow as tf

        optimizer = tf.keras.optimizers.Adam(0.001)
        images = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
        tf1 = tf.compat.v1.image.resize_bilinear(images, [3, 3]).numpy()
        print(np.allclose({resize_tfmend}.numpy(), tf1), np.allclose({resize_v2}.numpy(), tf1))
        pooled = tf.nn.max_pool(images, 2, 2, "VALID")  # left alone by tfmend
        print(np.allclose(pooled, tf.compat.v1.nn.max_pool(images, 2, 2, "VALID")))
        tf1_blocks = tf.compat.v1.space_to_batch(images, [[0, 0], [0, 0]], 2).numpy()
        print(np.array_equal({blocks_tfmend}.numpy(), tf1_blocks))
        try:
            {blocks_v2}
        except tf.errors.InvalidArgumentError as error:
            print(error.message.splitlines()[0])
        """
    )
    path = tmp_path / "results.py"
    path.write_text(program, encoding="utf-8")
    ran = run_python(path)
    assert ran.returncode == 0, ran.stderr[-1500:]
    resized, pooled, blocks, blocked = ran.stdout.splitlines()
    assert resized == "True False"
    assert pooled == "True"
    assert blocks == "True"
    assert "block_shape rank should be 1 instead of 0" in blocked
    pooling = 'import tensorflow as tf\npooled = tf.nn.max_pool(images, 2, 2, "VALID")\n'
    assert engine.check_text(pooling) == []


def test_code_that_crashes_tf_upgrade_v2_is_reported_by_tfmend(
    comparison: dict[str, Any], engine: Engine
) -> None:
    crashed = {(c["name"], c["aspect"]): c["crash"] for c in comparison["cases"] if c["crash"]}
    # `_is_ast_str` passes a list to isinstance(); `_pool_seed_transformer` calls `logs.add`.
    assert crashed == {
        (
            "tf.device",
            "argument:device_name",
        ): "TypeError: isinstance() arg 2 must be a type, a tuple of types, or a union",
        (
            "tf.nn.fractional_avg_pool",
            "positional",
        ): "AttributeError: 'list' object has no attribute 'add'",
        (
            "tf.nn.fractional_max_pool",
            "positional",
        ): "AttributeError: 'list' object has no attribute 'add'",
    }
    flagged = {f.span.start.line + 1 for f in engine.check_text(comparison["text"])}
    assert all(c["line"] in flagged for c in comparison["cases"] if c["crash"])


def test_a_file_pasta_cannot_parse_does_not_stop_tfmend(tmp_path: Path) -> None:
    tree = tmp_path / "project"
    (tree / "pkg").mkdir(parents=True)
    # The assignment expression trips pasta (tf_upgrade_v2's parser) with a NameError. Files of
    # the top directory come first in tf_upgrade_v2's walk, so it stops before pkg/.
    (tree / "modern.py").write_text(
        "import tensorflow as tf\n\nif (n := 3) > 2:\n    x = tf.placeholder(tf.float32)\n",
        encoding="utf-8",
    )
    (tree / "pkg" / "legacy.py").write_text(
        "import tensorflow as tf\n\ny = tf.log(2.0)\n", encoding="utf-8"
    )
    out = tmp_path / "upgraded"
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "tensorflow.tools.compatibility.tf_upgrade_v2_main",
            "--intree",
            str(tree),
            "--outtree",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert ran.returncode != 0
    assert "NameError" in ran.stderr
    assert not (out / "pkg" / "legacy.py").exists()

    copy = tmp_path / "copy"
    shutil.copytree(tree, copy)
    fixed = subprocess.run(
        [sys.executable, "-m", "tfmend", "fix", "--no-progress", str(copy)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (copy / "pkg" / "legacy.py").read_text(encoding="utf-8") == (
        "import tensorflow as tf\n\ny = tf.math.log(2.0)\n"
    )
    assert (copy / "modern.py").read_text(encoding="utf-8") == (
        "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n\n"
        "if (n := 3) > 2:\n    x = tf.compat.v1.placeholder(tf.float32)\n"
    )
