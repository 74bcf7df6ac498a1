"""The server reads the installed API surface as `tfmend check` does: the same findings on the same
files (TFM801 and the suppression of names the installed version still has included), on the
example programs, on a sample of the catalog's own rule examples and on every file of the training
corpus."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import KERAS2, TF1, fetch
from tests.lsp.harness import Session, diagnostic_fields, surface_server
from tfmend.catalog.rules import DEFAULT_TARGET, builtin_catalog

REPO = Path(__file__).resolve().parents[2]
MISSING_MODULE = (
    "import keras.wrappers.scikit_learn as KW\nfrom keras import backend as K\n\nv = K.mean(x)\n"
)
"""`keras.wrappers.scikit_learn` is gone from the installed Keras 3 and no rule names it: TFM801
comes from the surface alone."""
EXAMPLES = (
    REPO / "examples" / "legacy_keras.py",
    REPO / "examples" / "tf1_training" / "train.py",
    REPO / "tests" / "data" / "programs" / "keras2_backend.py",
)

SAMPLE_EVERY = 12
"""One rule in this many gives its examples (invalid and valid) as files of the project."""

Found = tuple[str, int, int, int, int, str]


def rule_examples() -> dict[str, str]:
    """File name → code of the sampled rules' examples, as the default target reads them."""
    files: dict[str, str] = {}
    rules = [r for r in builtin_catalog().rules() if r.invalid]
    for rule in rules[::SAMPLE_EVERY]:
        variant = rule.for_target(DEFAULT_TARGET) or rule
        for kind, examples in (("invalid", variant.invalid), ("valid", variant.valid)):
            for index, example in enumerate(examples):
                files[f"{rule.code.lower()}_{kind}_{index}.py"] = example.code
    return files


def cli_findings(root: Path, cache: Path) -> dict[str, list[Found]]:
    """`tfmend check --format json` of the tree, by path from the root, positions 0-based."""
    result = subprocess.run(
        [sys.executable, "-m", "tfmend", "check", "--format", "json", "--no-progress",
         "--python", sys.executable, "--cache-dir", str(cache), "."],
        cwd=root, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    out: dict[str, list[Found]] = {}
    for item in json.loads(result.stdout):
        name = Path(item["path"]).as_posix()
        out.setdefault(name, []).append(
            (
                item["code"],
                item["start"]["line"] - 1,
                item["start"]["column"] - 1,
                item["end"]["line"] - 1,
                item["end"]["column"] - 1,
                shown_message(item),
            )
        )
    return {name: sorted(found) for name, found in out.items()}


def shown_message(item: dict[str, Any]) -> str:
    """A finding's message as the editor shows it: why it has no fix, when the rule has one."""
    note = item.get("fix_note")
    if item["fix"] == "none" and note:
        return f"{item['message']} (no automatic fix: {note})"
    return str(item["message"])


async def server_findings(session: Session, uri: str) -> list[Found]:
    # Version 1 is the opened document's: a publish of the file as the workspace scan found it
    # on disk (no version) may come first, from before the surface was read.
    return diagnostic_fields(await session.diagnostics(uri, version=1))


@pytest.mark.tensorflow
async def test_server_and_check_agree_with_the_installed_surface(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "engine_import.py").write_text(MISSING_MODULE, encoding="utf-8")
    for example in EXAMPLES:
        shutil.copy(example, root / example.name)
    samples = rule_examples()
    for name, code in samples.items():
        (root / name).write_text(code, encoding="utf-8")
    cache = tmp_path / "cache"
    expected = cli_findings(root, cache)
    assert ("TFM801", 0, 7, 0, 40) in [f[:5] for f in expected["engine_import.py"]]

    async with surface_server(root, cache, "engine_import.py", MISSING_MODULE) as (_, session, uri):
        assert await server_findings(session, uri) == expected["engine_import.py"]
        for example in EXAMPLES:
            text = example.read_text(encoding="utf-8")
            opened = session.open(example.name, text)
            assert await server_findings(session, opened) == expected.get(example.name, [])
        for name, code in samples.items():
            opened = session.open(name, code)
            assert await server_findings(session, opened) == expected.get(name, []), name
        assert sum(bool(expected.get(name)) for name in samples) >= len(samples) // 3


@pytest.mark.tensorflow
@pytest.mark.corpus
async def test_server_and_check_agree_on_the_training_corpus(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    # Every package: Keras 2 backend code, TF1 graph code, `keras` against `tf.keras` switches,
    # backends passed in, Keras 2's own tree.
    for requirement, kind in (*KERAS2, *TF1):
        shutil.copytree(fetch(requirement, kind), root / requirement.split("==")[0])
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    (root / "engine_import.py").write_text(MISSING_MODULE, encoding="utf-8")
    cache = tmp_path / "cache"
    expected = cli_findings(root, cache)
    assert sum(bool(expected.get(name)) for name in files) >= 40

    async with surface_server(root, cache, "engine_import.py", MISSING_MODULE) as (_, session, _):
        differ = []
        for name in files:
            opened = session.open(name, (root / name).read_text(encoding="utf-8"))
            if await server_findings(session, opened) != expected.get(name, []):
                differ.append(name)
        assert differ == []
