"""`tfmend report`: the HTML page, read back in headless Chromium, shows what `tfmend check
--format json` finds and what `tfmend fix` then does; the Markdown form for pull requests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from tests.conftest import write
from tests.report_support import REPO, assert_page_matches, read_page

Run = Callable[..., subprocess.CompletedProcess[str]]

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Exploring"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import tensorflow as tf\n", "sess = tf.Session()\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["net = tf.contrib.slim.fully_connected(x, 10)"]},
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}  # fmt: skip


def legacy_project(root: Path) -> Path:
    """The bundled examples, a notebook, a file that does not parse, one with an unsafe fix and a
    clean one."""
    shutil.copytree(REPO / "examples", root / "examples")
    write(
        root,
        {
            "notebooks/explore.ipynb": json.dumps(NOTEBOOK, indent=1),
            "tools/broken.py": "def f(:\n",
            "tools/clean.py": "import tensorflow as tf\n\nx = tf.constant(1)\n",
            # An unsafe fix: a TF 2 name that TF 1 code meant otherwise, outside graph code.
            "tools/tf2.py": "import tensorflow as tf\n\ny = tf.where(tf.constant([True]), 1, 2)\n",
        },
    )
    return root


def findings_json(tfmend: Run, root: Path) -> list[dict[str, object]]:
    result = tfmend("check", "--format", "json", ".", cwd=root)
    assert result.returncode == 1, result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


@pytest.mark.tensorflow
def test_html_report_in_chromium_equals_check_json(tmp_path: Path, tfmend: Run) -> None:
    root = legacy_project(tmp_path / "project")
    findings = findings_json(tfmend, root)
    kinds = {str(f["fix"]) for f in findings}
    assert kinds == {"safe", "unsafe", "none"}, "the project must exercise every fix kind"
    assert any("cell" in f for f in findings)

    report = tfmend("report", ".", "--output", "../out/migration.html", cwd=root)
    assert report.returncode == 0, report.stderr
    html = tmp_path / "out" / "migration.html"
    page = read_page(html, tmp_path / "out" / "migration.png")
    assert_page_matches(page, findings, files=6, root=root)
    assert re.search(r"<(script|link|img|iframe)\b", html.read_text(encoding="utf-8")) is None

    # The target and the versions the code was checked against: this environment's.
    assert page["fields"] == {
        "target": "tensorflow",
        "tensorflow": metadata.version("tensorflow-cpu"),
        "keras": metadata.version("keras"),
    }

    # What `tfmend fix` does now: run it on a copy and count what is left and what changed.
    fixed = tmp_path / "fixed"
    shutil.copytree(root, fixed)
    before = {p: p.read_bytes() for p in fixed.rglob("*") if p.is_file()}
    fix = tfmend("fix", ".", cwd=fixed)
    changed = sum(1 for p, data in before.items() if p.read_bytes() != data)
    left = json.loads(tfmend("check", "--format", "json", ".", cwd=fixed).stdout)
    applied = re.search(r"Fixed (\d+) problems? in (\d+) files?", fix.stderr)
    assert applied is not None, fix.stderr
    metrics = page["metrics"]
    assert metrics["left-after-fix"] == len(left)
    assert metrics["files-fixed-now"] == changed == int(applied[2])
    assert metrics["fixes-now"] == int(applied[1])
    assert "Wrote ../out/migration.html: " in report.stderr


def test_report_under_another_target_and_source_url(tmp_path: Path, tfmend: Run) -> None:
    root = legacy_project(tmp_path)
    template = "https://code.example/blob/abc123/{path}#L{line}"
    args = ("--no-surface", "--target", "keras", "--source-url", template)
    result = tfmend("report", ".", *args, "--output", "r.html", cwd=root)
    assert result.returncode == 0, result.stderr
    html = (root / "r.html").read_text(encoding="utf-8")
    assert '<code data-field="target">keras</code>' in html
    assert "tfmend&#x27;s defaults (no TensorFlow in the checking environment" in html
    assert 'href="https://code.example/blob/abc123/tools/broken.py#L1"' in html
    assert 'href="https://code.example/blob/abc123/notebooks/explore.ipynb#L1"' in html


def test_markdown_report_for_a_pull_request(tmp_path: Path, tfmend: Run) -> None:
    write(
        tmp_path,
        {
            "pkg/model.py": (
                "from keras import backend as K\n\n"
                "y = K.constant(1.0)\n"
                "g = K.get_session()\n"
                "tf_graph = K.symbolic\n"
            ),
            "pkg/clean.py": "x = 1\n",
        },
    )
    findings = findings_json(tfmend, tmp_path)
    result = tfmend(
        "report", "--no-surface", "--format", "markdown", "--source-url",
        "https://github.com/o/r/blob/main/{path}#L{line}", ".", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = result.stdout
    by_fix = {k: sum(f["fix"] == k for f in findings) for k in ("safe", "unsafe", "none")}
    assert text.startswith("## tfmend migration report\n\n")
    assert (
        f"**{len(findings)}** findings in **1** of 2 files: **{by_fix['safe']}** safe fix"
    ) in text
    assert f"**{by_fix['unsafe']}** unsafe, **{by_fix['none']}** need" in text
    assert "Target `tensorflow`, TensorFlow 2.21, Keras 3.0; versions from tfmend's defaults" in (
        text
    )
    manual = [f for f in findings if f["fix"] == "none"]
    for finding in manual:
        line = finding["start"]["line"]  # type: ignore[index]
        assert (
            f"| [pkg/model.py:{line}](https://github.com/o/r/blob/main/pkg/model.py#L{line}) | "
            f"[{finding['code']}]({finding['docs']})"
        ) in text
    assert f"| `pkg` | {by_fix['safe']} | {by_fix['unsafe']} | {by_fix['none']} | " in text


def test_report_cannot_write(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"m.py": "import tensorflow as tf\ntf.Session()\n", "file": "x"})
    result = tfmend("report", "--no-surface", ".", "--output", "file/r.html", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("tfmend: file/r.html: cannot write the report: ")


def test_report_of_a_clean_tree(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": "import tensorflow as tf\n\nx = tf.constant(1)\n"})
    markdown = tfmend("report", "--no-surface", "--format", "markdown", ".", cwd=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    assert (
        "**0** findings in **0** of 1 files: **0** safe fixes, **0** unsafe, **0** need a person"
        in (markdown.stdout)
    )
    assert "<details>" not in markdown.stdout
    html = tfmend("report", "--no-surface", ".", cwd=tmp_path)
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "migration.html").read_text(encoding="utf-8")
    assert "<p>Nothing: every finding has a fix.</p>" in page
    assert "<p>Nothing to fix.</p>" in page


def test_markdown_report_fits_in_a_comment(tmp_path: Path, tfmend: Run) -> None:
    """Thousands of findings under long paths: the comment stays within GitHub's 65,536
    characters, listing fewer findings one by one and counting the rest."""
    deep = "/".join(["a_rather_long_package_directory_name"] * 7)
    lines = "".join(
        f"net{i} = tf.contrib.slim.fully_connected(K.int_shape(x), {i})\n" for i in range(200)
    )
    header = "import tensorflow as tf\nfrom keras import backend as K\n\n"
    write(tmp_path, {f"{deep}/module_{n}.py": header + lines for n in range(6)})
    template = "https://github.com/org/repository/blob/" + "0" * 40 + "/{path}#L{line}"
    result = tfmend(
        "report", "--no-surface", "--format", "markdown", "--source-url", template, ".",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "**2400** findings in **6** of 6 files" in result.stdout
    assert len(result.stdout) <= 65_536
    listed = re.findall(r"^\| \[a_rather", result.stdout, re.MULTILINE)
    more = re.findall(r"… and (\d+) more \(`tfmend report` lists them all\)", result.stdout)
    assert [int(n) + len(listed) // 2 for n in more] == [1200, 1200]
    assert 0 < len(listed) // 2 < 50, "fewer than the usual 50 fit"
