"""The catalog against real TensorFlow: every built-in rule's probe passes (old and new agree)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tfmend.catalog.rules import Rule, builtin_catalog
from tfmend.validate.validator import probe_request
from tfmend.worker.client import WorkerClient

pytestmark = pytest.mark.tensorflow

PROBED = [
    pytest.param(rule, id=f"{rule.code}-{rule.name}")
    for rule in builtin_catalog().rules()
    if rule.probe is not None
]


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    """One worker for every probe: TensorFlow is imported once."""
    client = WorkerClient(sys.executable, memory_mb=8192)
    yield client
    client.close()


def test_the_catalog_has_probes() -> None:
    assert PROBED


@pytest.mark.parametrize("rule", PROBED)
def test_probe(worker: WorkerClient, rule: Rule) -> None:
    assert rule.probe is not None
    result = worker.request("probe", probe_request(rule.probe), timeout=300)
    if result.get("restart"):
        worker.close()  # the probe left graph mode on; the next one gets a fresh process
    assert result["status"] == "passed", f"{rule.origin}: {result['detail']}"
