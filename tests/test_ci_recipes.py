"""docs/ci.md's recipes, run as written: the GitHub Actions workflow's steps (a SARIF log valid
against the 2.1.0 schema for code scanning, the job summary, the report artifact), the GitLab
job's script (a code quality report), and the `--statistics` example."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import REPO
from tests.test_check_summaries import assert_code_quality

pytestmark = pytest.mark.tensorflow

DOC = REPO / "docs" / "ci.md"


def block(first_line: str, language: str = "yaml") -> str:
    """The fenced block of docs/ci.md whose first line is `first_line`."""
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"```{language}\n{re.escape(first_line)}\n(.*?)```", text, re.DOTALL)
    assert found is not None, f"docs/ci.md has no {language} block starting {first_line!r}"
    return found[1]


def installs_tfmend(command: str) -> bool:
    """Installing tfmend: done already here (tests/test_packaging.py installs the wheel)."""
    return bool(re.match(r"(python -m )?pip install ", command))


def shell(command: str, cwd: Path, env: dict[str, str]) -> None:
    """Run a step as a CI runner does (bash, stop on the first failing command)."""
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"


def legacy_repository(root: Path) -> Path:
    shutil.copytree(REPO / "examples", root / "examples")
    return root


def runner_env(**extra: str) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **extra}


def test_github_workflow_uploads_valid_sarif_and_writes_the_summary(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    workflow = yaml.safe_load(block("# .github/workflows/tfmend.yml"))
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["tfmend"]["steps"]
    root = legacy_repository(tmp_path / "repo")
    summary = tmp_path / "summary.md"
    env = runner_env(
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_REPOSITORY="org/repo",
        GITHUB_SHA="0123abc",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    for step in steps:
        if "run" in step and not installs_tfmend(step["run"]):
            shell(step["run"], root, env)

    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    log = json.loads((root / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    assert list(validator.iter_errors(log)) == []
    results = log["runs"][0]["results"]
    assert results, "the examples have findings"
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (root / uri).is_file(), "code scanning needs paths relative to the repository"

    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## tfmend migration report\n")
    assert "(https://github.com/org/repo/blob/0123abc/examples/tf1_training/train.py#L10)" in text
    (artifact,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert (root / artifact["with"]["path"]).read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_gitlab_job_writes_its_code_quality_report(tmp_path: Path) -> None:
    job = yaml.safe_load(block("# .gitlab-ci.yml"))["tfmend"]
    root = legacy_repository(tmp_path / "repo")
    for command in job["script"]:
        if not installs_tfmend(command):
            shell(command, root, runner_env())
    report = root / job["artifacts"]["reports"]["codequality"]
    issues = json.loads(report.read_text(encoding="utf-8"))
    findings = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tfmend", "check", "--format", "json", "."],
            cwd=root, capture_output=True, text=True, timeout=300, check=False,
        ).stdout
    )  # fmt: skip
    assert_code_quality(issues, findings)
    for path in job["artifacts"]["paths"]:
        assert (root / path).is_file()


def test_statistics_example_is_what_check_prints() -> None:
    example = block("$ tfmend check --statistics examples/", "console").splitlines()
    proc = subprocess.run(
        [sys.executable, "-m", "tfmend", "check", "--statistics", "examples/"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    printed = proc.stdout.splitlines()
    cut = example.index("...")
    assert printed[:cut] == example[:cut]
    assert printed[-(len(example) - cut - 1) :] == example[cut + 1 :]
