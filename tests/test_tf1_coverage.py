"""Every API in tf_upgrade_v2's tables has a rule, and every replacement exists in TF 2.21."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tfmend.catalog.rules import builtin_catalog
from tfmend.resolve.qualnames import canonical_names
from tfmend.versions import Versions

pytestmark = pytest.mark.tensorflow

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_tf1_rules.py"

# Runs in a separate interpreter: reads tf_upgrade_v2's tables, asks the generator which aspects
# it leaves out (and why), and resolves the names given on stdin against the installed packages.
_PROBE = textwrap.dedent(
    """
    import importlib.util, json, os, sys
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    from tensorflow.tools.compatibility import module_deprecations_v2, tf_upgrade_v2

    spec = tf_upgrade_v2.TFAPIChangeSpec()
    tables = {
        "symbol_renames": sorted(spec.symbol_renames),
        "function_keyword_renames": sorted(spec.function_keyword_renames),
        "function_reorders": sorted(spec.function_reorders),
        "function_warnings": sorted(spec.function_warnings),
        "function_arg_warnings": sorted(spec.function_arg_warnings),
        "function_transformers": sorted(spec.function_transformers),
        "module_deprecations": sorted(module_deprecations_v2.MODULE_DEPRECATIONS),
    }
    loaded = importlib.util.spec_from_file_location("generator", sys.argv[1])
    gen = importlib.util.module_from_spec(loaded)
    sys.modules["generator"] = gen
    loaded.loader.exec_module(gen)
    handwritten = gen.handwritten_apis(open(sys.argv[2], encoding="utf-8").read())[0]
    installed = gen.Installed()
    plan = gen.plan_rules(gen.read_tables(), installed, handwritten)
    exemptions = [vars(e) for e in plan.exemptions]
    names = json.load(sys.stdin)
    found = {name: installed.exists(name) for name in names}
    json.dump({"tables": tables, "exemptions": exemptions, "exists": found,
               "methods": gen.METHODS}, sys.stdout)
    """
)


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_tf1_rules", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_tf1_rules"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def replacements() -> dict[str, list[str]]:
    """Qualified names each rule's fix writes into code, by rule code."""
    listed = subprocess.run(
        [sys.executable, "-m", "tfmend", "rules", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return {rule["code"]: rule["replacements"] for rule in json.loads(listed.stdout)}


@pytest.fixture(scope="module")
def probe(replacements: dict[str, list[str]]) -> dict[str, Any]:
    names = sorted({name for names in replacements.values() for name in names})
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    ran = subprocess.run(
        [sys.executable, "-c", _PROBE, str(GENERATOR), str(ROOT / "rules.yaml")],
        input=json.dumps(names),
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    result: dict[str, Any] = json.loads(ran.stdout)
    return result


def _spellings(name: str, methods: dict[str, str]) -> list[str]:
    """tf_upgrade_v2's spelling of an API as the qualified names tfmend may list it under."""
    if name in methods:
        return [methods[name]]
    if name.startswith("contrib_"):  # `from tensorflow.contrib import layers as contrib_layers`
        qualname = "tensorflow.contrib." + name[len("contrib_") :]
    elif name.startswith("slim."):  # `import tensorflow.contrib.slim as slim`
        qualname = "tensorflow.contrib.slim." + name[len("slim.") :]
    else:
        assert name.startswith("tf."), name
        qualname = "tensorflow." + name[len("tf.") :]
    return canonical_names(qualname, Versions())


def test_the_tables_are_the_ones_tfmend_was_built_from(probe: dict[str, Any]) -> None:
    sizes = {table: len(names) for table, names in probe["tables"].items()}
    assert sizes == {
        "symbol_renames": 1100,
        "function_keyword_renames": 131,
        "function_reorders": 118,
        "function_warnings": 238,
        "function_arg_warnings": 26,
        "function_transformers": 59,
        "module_deprecations": 7,
    }


def test_every_api_in_tf_upgrade_v2s_tables_has_a_rule(probe: dict[str, Any]) -> None:
    applies_to = {api for rule in builtin_catalog().rules() for api in rule.apis}
    # APIs with no rule at all must be left out on purpose: tf_upgrade_v2 is wrong about them
    # (the name works in TF 2.21), or the engine cannot yet flag exactly the affected calls.
    exempt: dict[str, list[dict[str, Any]]] = {}
    for exemption in probe["exemptions"]:
        exempt.setdefault(exemption["api"], []).append(exemption)
    missing: dict[str, list[str]] = {}
    without_rule_but_exempt: set[str] = set()
    for table, names in probe["tables"].items():
        for name in names:
            spellings = _spellings(name, probe["methods"])
            if applies_to.intersection(spellings):
                continue
            if any(s in exempt for s in spellings):
                without_rule_but_exempt.add(name)
                continue
            missing.setdefault(name, []).append(table)
    assert not missing, "APIs of tf_upgrade_v2 without a rule:\n" + "\n".join(
        f"  {name} ({', '.join(tables)})" for name, tables in sorted(missing.items())
    )
    # What tfmend leaves out entirely, and why: tf_upgrade_v2 is wrong about
    # `tf.space_to_batch_nd` (it works unchanged) and about the optimizer methods: it deletes
    # `colocate_gradients_with_ops=` from any method called `minimize` or `compute_gradients`, but
    # TF1's optimizers keep it in `tf.compat.v1`. (It also sends the Keras optimizer base class to
    # a Keras 3 stub; tfmend's only rule there, TFM6002, is about Keras 2 subclasses of it.)
    assert without_rule_but_exempt == {
        "tf.space_to_batch_nd",
        "*.compute_gradients",
        "*.minimize",
    }
    for name in without_rule_but_exempt:
        for spelling in _spellings(name, probe["methods"]):
            for exemption in exempt.get(spelling, []):
                assert exemption["reason"]
                assert exemption["blocked"] == ("engine" in exemption["reason"])


def test_tf_upgrade_v2_targets_that_tfmend_does_not_use_are_really_broken_or_unneeded(
    probe: dict[str, Any],
) -> None:
    symbol = {e["api"]: e["reason"] for e in probe["exemptions"] if e["aspect"] == "symbol"}
    # tf_upgrade_v2 sends the Keras optimizers to `keras.optimizers.legacy`, a Keras 3 stub that
    # raises ImportError; the four `unneeded` names still work in TF 2.21 with the same arguments.
    optimizers = {
        f"keras.optimizers.{name}"
        for name in (
            "Adadelta",
            "Adagrad",
            "Adam",
            "Adamax",
            "Ftrl",
            "Nadam",
            "Optimizer",
            "RMSprop",
            "SGD",
        )
    }
    # tf_upgrade_v2 sends the Keras initializers to `tf.compat.v1.keras.initializers`, which is
    # Keras 3 again; they work under their own name, except when passed `dtype=` (flagged).
    dtype_rule = next(
        r for r in builtin_catalog().rules() if r.name == "tf1-behaviour-initializer-dtype"
    )
    initializers = set(dtype_rule.apis)
    assert dtype_rule.when is not None
    assert dtype_rule.when.keywords == {"dtype"}
    unneeded = {
        "tensorflow.nn.avg_pool",
        "tensorflow.nn.max_pool",
        "tensorflow.nn.space_to_batch",
        "tensorflow.space_to_batch_nd",
    }
    # tf_upgrade_v2 reports or rewrites every use of these; tfmend's rules flag only the calls
    # passing the arguments that changed (`keep_prob`, `default_name`, `seed2`, ...).
    precise = {
        "tensorflow.name_scope",
        "tensorflow.nn.dropout",
        "tensorflow.nn.fractional_avg_pool",
        "tensorflow.nn.fractional_max_pool",
    }
    assert set(symbol) == optimizers | initializers | unneeded | precise
    for api in optimizers:
        assert "keras.optimizers.legacy" in symbol[api]
    for api in initializers:
        assert "tf.compat.v1.keras.initializers" in symbol[api]
    for api in precise:
        assert "tfmend flags" in symbol[api] or "the same" in symbol[api]
    # Their rules only flag calls passing some arguments (keyword rules, and rules with `when`).
    for api in initializers | precise:
        rules = [r for r in builtin_catalog().rules() if api in r.apis]
        assert rules, api
        assert all(r.when is not None or r.fix.kind == "keyword" for r in rules), api


def test_no_replacement_names_an_api_missing_from_tensorflow_2_21(
    probe: dict[str, Any], replacements: dict[str, list[str]]
) -> None:
    missing = {
        code: [name for name in names if not probe["exists"][name]]
        for code, names in replacements.items()
    }
    missing = {code: names for code, names in missing.items() if names}
    assert not missing, f"replacements that TF 2.21 / Keras 3 do not have: {missing}"


def test_every_replacement_of_tf_upgrade_v2_that_is_missing_became_manual() -> None:
    generated = [r for r in builtin_catalog().rules() if r.name.startswith("tf1-")]
    for rule in generated:
        text = rule.explanation
        for dead in re.findall(r"`tf_upgrade_v2` writes `([\w.]+)`", text):
            assert not rule.fix.fixable, (rule.code, dead)


def test_the_generated_rules_are_fresh() -> None:
    ran = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]


def test_codes_stay_and_retired_codes_are_never_reused(tmp_path: Path) -> None:
    gen = _load_generator()
    text = (ROOT / "rules-tf1.yaml").read_text(encoding="utf-8")
    rules, retired = gen.read_generated(text)
    renamed = next(r for r in rules if r["name"] == "tf1-renamed-into-math")
    # The math renames had another code in the file; a rule that no longer exists had TFM1999.
    text = text.replace(
        f"  - code: {renamed['code']}\n    name: tf1-renamed-into-math\n",
        "  - code: TFM1998\n    name: tf1-renamed-into-math\n",
    )
    text += "  - code: TFM1999\n    name: tf1-gone\n    apis: [tensorflow.not_an_api]\n"
    path = tmp_path / "rules-tf1.yaml"
    path.write_text(text, encoding="utf-8")

    ran = subprocess.run(
        [sys.executable, str(GENERATOR), "--output", str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert ran.returncode == 0, ran.stderr[-2000:]
    new_rules, new_retired = gen.read_generated(path.read_text("utf-8"))
    codes = {r["name"]: r["code"] for r in new_rules}
    assert codes["tf1-renamed-into-math"] == "TFM1998"
    assert "tf1-gone" not in codes
    assert new_retired == retired | {"TFM1999"}
    assert "TFM1999" not in codes.values()
    unchanged = {r["name"]: r["code"] for r in rules if r["name"] != "tf1-renamed-into-math"}
    assert {n: c for n, c in codes.items() if n in unchanged} == unchanged
