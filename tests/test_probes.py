"""The catalog against real TensorFlow: every built-in rule's probe passes, under every target."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tfmend.catalog.rules import TARGETS, MigrationTarget, Rule, builtin_catalog
from tfmend.validate.validator import probe_request
from tfmend.worker.client import WorkerClient

pytestmark = pytest.mark.tensorflow


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


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    """One worker for every probe: TensorFlow is imported once."""
    client = WorkerClient(sys.executable, memory_mb=8192)
    yield client
    client.close()


def test_the_catalog_has_probes_for_every_target() -> None:
    assert {target for target, _rule in probed()} == set(TARGETS)


@pytest.mark.parametrize("rule", PROBED)
def test_probe(worker: WorkerClient, rule: Rule) -> None:
    assert rule.probe is not None
    result = worker.request("probe", probe_request(rule.probe), timeout=300)
    if result.get("restart"):
        worker.close()  # the probe left graph mode on; the next one gets a fresh process
    assert result["status"] == "passed", f"{rule.origin}: {result['detail']}"
