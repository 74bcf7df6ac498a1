"""What a user of the command line sees when something fails: one line, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import TEST_ARGS, write
from tfmend.api import Engine
from tfmend.cli.main import main
from tfmend.results import FileResult

LEGACY = "import keras.backend as K\ny = K.mean(x)\n"


def _broken(self: Engine, path: Path) -> FileResult:
    raise RuntimeError(f"cannot handle {path.name}\nsecond line")


@pytest.mark.parametrize(("command", "method"), [("check", "check_file"), ("fix", "fix_file")])
@pytest.mark.parametrize("files", [1, 30])  # 30: checked in worker processes
def test_an_internal_error_is_one_line_and_a_report_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    method: str,
    files: int,
) -> None:
    project = write(tmp_path / "project", {f"m{i:02}.py": LEGACY for i in range(files)})
    reports = tmp_path / "tmp"
    reports.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(reports))
    monkeypatch.setattr(Engine, method, _broken)
    code = main([command, *TEST_ARGS, "--jobs", "2", str(project)])
    captured = capsys.readouterr()
    assert code == 2
    [report] = reports.glob("tfmend-crash-*.txt")
    assert captured.err == (
        f"tfmend: internal error (RuntimeError: cannot handle m00.py); "
        f"the full report is in {report}\n"
    )
    text = report.read_text()
    assert text.startswith("tfmend 0.1.0 on Python ")
    assert f"command: tfmend {command} {' '.join(TEST_ARGS)} --jobs 2 {project}\n" in text
    assert "Traceback (most recent call last):" in text
    assert text.endswith("RuntimeError: cannot handle m00.py\nsecond line\n")
    assert (project / "m00.py").read_text() == LEGACY  # nothing was written


def test_an_internal_error_without_a_place_for_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"model.py": LEGACY})
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    monkeypatch.setattr(Engine, "check_file", _broken)
    assert main(["check", *TEST_ARGS, str(tmp_path / "model.py")]) == 2
    assert capsys.readouterr().err == (
        "tfmend: internal error (RuntimeError: cannot handle model.py); "
        "no report could be written (No such file or directory)\n"
    )


def test_a_report_that_cannot_be_written(tmp_path: Path) -> None:
    write(tmp_path, {"model.py": LEGACY})
    output = ("--output", "missing/report.json")
    result = subprocess.run(
        [sys.executable, "-m", "tfmend", "check", *TEST_ARGS, "model.py", *output],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        2,
        "tfmend: missing/report.json: cannot write the report: No such file or directory\n",
    )


def test_output_into_a_closed_pipe_is_no_error_message(tmp_path: Path) -> None:
    # `tfmend rules | head -1`: the reader goes away before tfmend has written its output.
    process = subprocess.Popen(
        [sys.executable, "-m", "tfmend", "rules"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 2
    assert stderr == ""
    assert not re.search("Traceback|BrokenPipeError", stderr)
