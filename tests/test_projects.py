"""Real legacy projects: which programs run again after `tfmend fix --unsafe-fixes`, and where the
others stop.

The expected table is the measured truth (docs/projects.md): an entry point that starts working,
or one that now stops elsewhere, changes it, and the table is updated with the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.projects.manifest import PROJECTS, Project
from tests.projects.suite import run_project

pytestmark = [pytest.mark.corpus, pytest.mark.slow, pytest.mark.tensorflow]


@dataclass(frozen=True)
class Expected:
    """What one entry point does now."""

    original: bool
    """Works as downloaded."""
    fixed: bool
    """Works after the fix."""
    location: str = ""
    """`path:line` the fixed program stops on."""
    flagged: bool = False
    """A finding of tfmend's (after the fix) covers that line."""


EXPECTED: dict[str, dict[str, Expected]] = {
    "keras-self-attention": {
        "train.py": Expected(False, True),
    },
    "keras-bert": {"predict.py": Expected(False, True)},
    "keras-radam": {"train.py": Expected(False, False, "keras_radam/optimizers.py:36", True)},
    "keras-applications": {
        "mobilenet.py": Expected(True, True),
        "mobilenet_v2.py": Expected(False, True),
        "nasnet.py": Expected(False, True),
    },
    "image-classifiers": {
        "resnet18.py": Expected(False, True),
    },
    "keras-rl": {"dqn.py": Expected(False, False, "rl/agents/dqn.py:110", True)},
    "deepctr": {"deepfm.py": Expected(False, True)},
    "tflearn": {"dnn.py": Expected(False, True)},
    "tensorpack": {"graph.py": Expected(False, False, "tensorpack/models/conv2d.py:61", True)},
    "stable-baselines": {
        "ppo2.py": Expected(False, False, "stable_baselines/deepq/policies.py:2", flagged=True)
    },
}


def test_every_project_has_its_expectations() -> None:
    assert {p.name: set(p.entry_points) for p in PROJECTS} == {
        name: set(entries) for name, entries in EXPECTED.items()
    }


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_entry_points_before_and_after_fix(tmp_path: Path, project: Project) -> None:
    result = run_project(project, tmp_path)
    measured = {
        entry.script: Expected(
            entry.original.ok, entry.fixed.ok, entry.fixed.location, entry.flagged
        )
        for entry in result.entries
    }
    errors = {entry.script: entry.fixed.error for entry in result.entries if not entry.fixed.ok}
    assert measured == EXPECTED[project.name], errors
