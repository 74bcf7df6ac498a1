"""`make demo` on a fresh clone, as the README's first command: it sets up its own virtualenv,
prints the README's findings, and writes migration.html, which opens in headless Chromium with
the figures of `tfmend check --format json`. Its screenshot is docs/img/migration-report.png
(refreshed with TFMEND_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, Clone
from tests.report_support import assert_page_matches, read_page

pytestmark = pytest.mark.slow

SCREENSHOT = "migration-report.png"


def readme_demo_output() -> list[str]:
    """The output the README shows for `make demo`, `...` standing for the lines between."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"prints what breaks in.*?\n```\n(.*?)```", text, re.DOTALL)
    assert found is not None, "the README shows make demo's output"
    return found[1].splitlines()


def test_make_demo_writes_a_report_that_opens_in_chromium(fresh_clone: Clone) -> None:
    root = fresh_clone.root
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    demo = subprocess.run(
        ["make", "demo", f"PYTHON={sys.executable}"],
        cwd=root, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    printed = [line for line in demo.stdout.splitlines() if line.startswith("examples/")]
    shown = readme_demo_output()
    cut = shown.index("...")
    assert printed[:cut] == shown[:cut]
    assert printed[-(len(shown) - cut - 1) :] == shown[cut + 1 :]

    check = subprocess.run(
        [str(root / ".venv" / "bin" / "tfmend"), "check", "--format", "json", "examples/"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    findings = json.loads(check.stdout)
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page = read_page(root / "migration.html", artifacts / SCREENSHOT)
    examples = [p for p in (root / "examples").rglob("*") if p.suffix in (".py", ".ipynb")]
    assert_page_matches(page, findings, files=len(examples), root=root)
    # tfmend fixes every finding of the examples; the unsafe ones (the TF1 example's
    # `tf.layers.dense`, TFM6050) wait for a person's review.
    assert page["metrics"]["unsafe"] > 0, "the demo shows fixes that need a person's review"
    assert len(page["directories"]) > 1, "the demo shows findings by directory"
    assert (artifacts / SCREENSHOT).stat().st_size > 50_000
    if os.environ.get("TFMEND_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(artifacts / SCREENSHOT, REPO / "docs" / "img" / SCREENSHOT)
