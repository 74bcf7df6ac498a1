"""The catalog against real TensorFlow: every built-in rule's probe passes, under every target."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tfmend.api import Engine
from tfmend.catalog.rules import TARGETS, MigrationTarget, Rule, builtin_catalog
from tfmend.config import Settings
from tfmend.validate.validator import probe_request
from tfmend.worker.client import WorkerClient


def probed() -> list[tuple[MigrationTarget, Rule]]:
    """Each rule under each target whose probe differs from the one already listed."""
    found = []
    for rule in builtin_catalog().rules():
        seen = []
        for target in TARGETS:
            variant = rule.for_target(target)
            if variant is not None and variant.probe is not None and variant.probe not in seen:
                seen.append(variant.probe)
                found.append((target, variant))
    return found


PROBED = [pytest.param(rule, id=f"{rule.code}-{rule.name}-{target}") for target, rule in probed()]


FIXED_IN_PROBE = [
    pytest.param(target, rule, id=f"{rule.code}-{rule.name}-{target}")
    for target, rule in probed()
    if rule.probe is not None
    and rule.fix.fixable
    and any(rule.probe.old.startswith(f"tf_{api}(") for api in rule.apis)
    and "old_v" not in rule.probe.old  # probes of in-place updates name two variables
]
PROBE_HEAD = "import numpy as np\nimport tensorflow as tf\nimport keras\ny = "


@pytest.mark.parametrize(("target", "rule"), FIXED_IN_PROBE)
def test_the_probe_runs_what_the_fix_writes(target: MigrationTarget, rule: Rule) -> None:
    """`tfmend fix` on the probe's old call (as `keras.backend.*`) gives the probe's new one."""
    assert rule.probe is not None
    old = rule.probe.old.replace("tf_keras.backend.", "keras.backend.", 1)
    engine = Engine(Settings(target=target, select=(rule.code, "TFM660")))
    fixed = engine.fix_text(PROBE_HEAD + old + "\n", unsafe=True).text
    written = fixed.splitlines()[-1].removeprefix("y = ")
    if target == "tf-keras":  # its imports of keras are tf_keras: `import tf_keras as keras`
        written = written.replace("keras.", "tf_keras.")
    assert written == rule.probe.new


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    """One worker for every probe: TensorFlow is imported once."""
    client = WorkerClient(sys.executable, memory_mb=8192)
    yield client
    client.close()


def test_the_catalog_has_probes_for_every_target() -> None:
    assert {target for target, _rule in probed()} == set(TARGETS)


@pytest.mark.tensorflow
@pytest.mark.parametrize("rule", PROBED)
def test_probe(worker: WorkerClient, rule: Rule) -> None:
    assert rule.probe is not None
    result = worker.request("probe", probe_request(rule.probe), timeout=300)
    if result.get("restart"):
        worker.close()  # the probe left graph mode on; the next one gets a fresh process
    assert result["status"] == "passed", f"{rule.origin}: {result['detail']}"
