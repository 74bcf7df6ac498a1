"""Every name a rule's fix writes into code exists in the installed TensorFlow 2.21 / Keras 3.

One interpreter resolves every replacement of every built-in rule the way the rewritten code
reaches it (`tf.distribute.CrossDeviceOps` after `import tensorflow as tf`): attribute by
attribute from the imported package, so lazy aliases such as `tensorflow.keras` resolve; a part
that is not an attribute yet is imported as a submodule. Importing the longest importable prefix
first would be wrong for TensorFlow: `import tensorflow.distribute` loads the internal source
package, not the public `tf.distribute` API module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tfmend.catalog.rules import Rule, builtin_catalog

pytestmark = pytest.mark.tensorflow

RESOLVER = """
import importlib, json, sys

import tensorflow, keras, tf_keras  # noqa: F401  (every replacement package must import)


def resolves(name):
    parts = name.split(".")
    try:
        value = importlib.import_module(parts[0])
    except ImportError:
        return False
    for index, attribute in enumerate(parts[1:], start=2):
        try:
            value = getattr(value, attribute)
        except (AttributeError, ImportError):
            try:
                value = importlib.import_module(".".join(parts[:index]))
            except ImportError:
                return False
    return True


names = json.loads(sys.stdin.read())
print("\\n" + json.dumps(sorted(name for name in names if not resolves(name))))
"""

RULES = [rule for rule in builtin_catalog().rules() if rule.replacements()]

# Known answers, resolved in the same interpreter: they prove the resolver tells present names
# (including ones reached through the lazy `tensorflow.keras` alias) from missing ones.
PRESENT = (
    "keras.ops.mean",
    "tensorflow.keras.layers.Dense",
    "tensorflow.compat.v1.nn.ctc_loss",
    "tensorflow.distribute.CrossDeviceOps",
)
MISSING = ("keras.ops.no_such_function", "keras.backend.mean", "tensorflow.keras.no_such_module.x")


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


@pytest.fixture(scope="module")
def missing() -> set[str]:
    """The names, among every rule's replacements and the known answers, that do not resolve."""
    names = sorted({name for rule in RULES for name in rule.replacements()} | {*PRESENT, *MISSING})
    result = subprocess.run(
        [sys.executable, "-c", RESOLVER],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        timeout=600,
        env=_environment(),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_resolver_tells_present_names_from_missing_ones(missing: set[str]) -> None:
    assert not missing & set(PRESENT)
    assert set(MISSING) <= missing


@pytest.mark.parametrize("rule", [pytest.param(r, id=f"{r.code}-{r.name}") for r in RULES])
def test_replacements_exist(missing: set[str], rule: Rule) -> None:
    absent = [name for name in rule.replacements() if name in missing]
    assert not absent, (
        f"{rule.origin}: {rule.code} {rule.name} rewrites to {', '.join(absent)}, "
        "which the installed TensorFlow/Keras does not have"
    )
