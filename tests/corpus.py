"""Real legacy TF1 / Keras 2 packages from PyPI, downloaded (never committed) and unpacked."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

KERAS2 = (
    ("keras==2.2.4", "sdist"),
    ("keras-applications==1.0.8", "wheel"),
    ("keras-bert==0.81.0", "sdist"),
    ("keras-self-attention==0.46.0", "sdist"),
    ("keras-rl==0.4.2", "sdist"),
    ("kapre==0.1.7", "sdist"),
    ("keras-retinanet==0.5.1", "sdist"),
    ("segmentation-models==1.0.1", "wheel"),
    ("keras-radam==0.15.0", "sdist"),
    ("deepctr==0.7.5", "wheel"),
)
TF1 = (
    ("tflearn==0.5.0", "sdist"),
    ("stable-baselines==2.10.2", "wheel"),
    ("tensorpack==0.9.8", "wheel"),
)


def cache_dir() -> Path:
    """Where archives and unpacked trees are kept between runs."""
    base = os.environ.get("TFMEND_CORPUS_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tfmend-corpus"


def fetch(
    requirement: str, kind: str, sha256: str | None = None, *, everything: bool = False
) -> Path:
    """Download one package (no dependencies, nothing installed) and unpack its Python files
    (with `everything`, all its files: data a program reads too); with `sha256`, the archive
    must have that checksum."""
    root = cache_dir()
    name = requirement.replace("==", "-")
    tree = root / ("trees-all" if everything else "trees") / name
    archives = root / "archives" / name
    archives.mkdir(parents=True, exist_ok=True)
    if not any(archives.iterdir()):
        flag = ["--no-binary", ":all:", "--no-build-isolation"] if kind == "sdist" else [
            "--only-binary", ":all:"
        ]  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *flag,
             "-d", str(archives), requirement],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    (archive,) = list(archives.iterdir())
    if sha256 is not None and hashlib.sha256(archive.read_bytes()).hexdigest() != sha256:
        archive.unlink()  # the next run downloads it again
        raise ValueError(f"{archive.name} does not have the pinned sha256 {sha256}")
    if tree.is_dir() and any(tree.rglob("*.py")):
        return tree
    tree.mkdir(parents=True, exist_ok=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                if everything or member.endswith(".py"):
                    zipped.extract(member, tree)
    else:
        with tarfile.open(archive) as tarred:
            members = [
                m for m in tarred.getmembers()
                if m.isfile() and (everything or m.name.endswith(".py"))
            ]  # fmt: skip
            tarred.extractall(tree, members=members, filter="data")
    return tree


def fetch_all(packages: tuple[tuple[str, str], ...]) -> list[Path]:
    """Every package of a set, unpacked."""
    return [fetch(requirement, kind) for requirement, kind in packages]
