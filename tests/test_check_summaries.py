"""`tfmend check --statistics`, `--exit-zero` and `--format gitlab` (code quality reports)."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import TEST_ARGS, write

Run = Callable[..., subprocess.CompletedProcess[str]]

MODEL = """\
from keras import backend as K

a = K.mean(x)
b = K.mean(y)
c = K.sum(x)
g = K.get_graph()
"""
SECOND = """\
import keras.backend as K

d = K.mean(z)
e = K.get_graph()
"""


def project(root: Path) -> Path:
    return write(root, {"pkg/model.py": MODEL, "pkg/second.py": SECOND, "clean.py": "x = 1\n"})


def test_statistics_count_each_code_and_what_fix_handles(tmp_path: Path, tfmend: Run) -> None:
    project(tmp_path)
    result = tfmend("check", *TEST_ARGS, "--statistics", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "3  TFM9901  [*] test-backend-mean\n"
        "2  TFM9903  [ ] test-backend-get-graph\n"
        "1  TFM9902  [ ] test-backend-sum\n"
        "Found 6 problems: 3 fixable with `tfmend fix`, 1 more with `tfmend fix --unsafe-fixes`, "
        "2 to fix by hand.\n"
        "[*] all fixable, [~] some, [ ] none, with the current settings.\n"
    )


def test_statistics_json_equal_the_findings(tmp_path: Path, tfmend: Run) -> None:
    project(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.tfmend]\nunsafe-fixes = true\n")
    stats = tfmend("check", *TEST_ARGS, "--statistics", "--format", "json", ".", cwd=tmp_path)
    findings = json.loads(tfmend("check", *TEST_ARGS, "--format", "json", ".", cwd=tmp_path).stdout)
    rows = json.loads(stats.stdout)
    assert {r["code"]: r["count"] for r in rows} == Counter(f["code"] for f in findings)
    assert rows[2] == {
        "code": "TFM9902",
        "name": "test-backend-sum",
        "count": 1,
        "fixable_count": 1,  # unsafe-fixes = true
        "fix": {"safe": 0, "unsafe": 1, "manual": 0},
    }
    assert sum(r["fix"]["manual"] for r in rows) == sum(f["fix"] == "none" for f in findings)


def test_statistics_of_a_clean_tree_and_exit_zero(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"clean.py": "x = 1\n", "model.py": MODEL})
    clean = tfmend("check", *TEST_ARGS, "--statistics", "clean.py", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "All checks passed.\n")
    zero = tfmend("check", *TEST_ARGS, "--exit-zero", "model.py", cwd=tmp_path)
    assert zero.returncode == 0
    assert "Found 4 problems" in zero.stdout
    broken = tfmend("check", *TEST_ARGS, "--exit-zero", "missing.py", cwd=tmp_path)
    assert broken.returncode == 2, "--exit-zero keeps usage errors"
    sarif = tfmend("check", *TEST_ARGS, "--statistics", "--format", "sarif", ".", cwd=tmp_path)
    assert sarif.returncode == 2
    assert sarif.stderr == "tfmend: --statistics is printed as text or json\n"


def assert_code_quality(issues: list[dict[str, Any]], findings: list[dict[str, Any]]) -> None:
    """GitLab code quality issues: the fields its widget reads, one issue per finding, unique
    fingerprints."""
    assert len(issues) == len(findings)
    for issue, finding in zip(issues, findings, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == finding["code"]
        assert issue["description"].startswith(f"{finding['code']} {finding['message']}")
        assert issue["location"] == {
            "path": finding["path"],
            "lines": {"begin": finding["start"]["line"]},
        }
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_code_quality_report(tmp_path: Path, tfmend: Run) -> None:
    """Fingerprints survive lines moving."""
    project(tmp_path)
    write(tmp_path, {"broken.py": "def f(:\n"})
    result = tfmend("check", *TEST_ARGS, "--format", "gitlab", ".", cwd=tmp_path)
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    findings = json.loads(tfmend("check", *TEST_ARGS, "--format", "json", ".", cwd=tmp_path).stdout)
    assert len(issues) == 7
    assert_code_quality(issues, findings)
    assert [i["severity"] for i in issues][:2] == ["major", "major"]  # TFM901, TFM9901 (error)

    (tmp_path / "pkg" / "model.py").write_text("# a new first line\n" + MODEL)
    moved = json.loads(tfmend("check", *TEST_ARGS, "--format", "gitlab", ".", cwd=tmp_path).stdout)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert [i["location"]["lines"]["begin"] for i in moved][1:3] == [4, 5]
