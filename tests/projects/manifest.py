"""The projects: legacy packages pinned by version and checksum, and their entry points.

Each entry point is a small program in `tests/data/projects/<project>/`, written as a user of the
package's time wrote it (Keras 2 / TF1 style): it builds a model on small random inputs and runs
one prediction or training step, needing no downloaded weights or data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ENTRY_POINTS = Path(__file__).resolve().parents[1] / "data" / "projects"


@dataclass(frozen=True)
class Package:
    """One archive from PyPI whose code is copied into the project and fixed with it."""

    requirement: str
    kind: Literal["sdist", "wheel"]
    sha256: str
    """Of the archive pip downloads; a different file fails the run."""
    module: str
    """The top-level package directory copied into the project."""


@dataclass(frozen=True)
class Project:
    """A legacy package (with the legacy packages it needs) and the programs that use it."""

    name: str
    what: str
    """The kind of legacy code, for the table."""
    packages: tuple[Package, ...]
    entry_points: tuple[str, ...]
    """Script names in ENTRY_POINTS / name."""
    requirements: tuple[str, ...] = ()
    """Pinned dependencies that are neither Keras nor TensorFlow, pip-installed apart (each
    listed: their own dependencies are not installed)."""

    def scripts(self) -> list[Path]:
        """The entry points' files."""
        return [ENTRY_POINTS / self.name / script for script in self.entry_points]


KERAS_APPLICATIONS = Package(
    "keras-applications==1.0.8",
    "wheel",
    "df4323692b8c1174af821bf906f1e442e63fa7589bf0f1230a0b6bdc5a810c95",
    "keras_applications",
)

KERAS_SELF_ATTENTION = Package(
    "keras-self-attention==0.46.0",
    "sdist",
    "90a167ab5f3458ee31d01b7fddab5a828e0ea1e03d6da5722813c20e769afc63",
    "keras_self_attention",
)


def _sdist(requirement: str, sha256: str) -> Package:
    """A package whose module is its name with underscores (CyberZHG's keras-* family)."""
    return Package(requirement, "sdist", sha256, requirement.partition("==")[0].replace("-", "_"))


PROJECTS = (
    Project(
        "keras-self-attention",
        "Keras 2 custom layers on a re-exported `keras.backend`",
        (KERAS_SELF_ATTENTION,),
        ("train.py",),
    ),
    Project(
        "keras-bert",
        "a Keras 2 transformer over six packages of custom layers",
        (
            _sdist(
                "keras-bert==0.81.0",
                "1bfb7b7582e3b2838fd4dbd09f955cf78883ff81ee48e0e082188421813e70a0",
            ),
            # keras-bert 0.81.0 passes `use_adapter=` to `get_encoders`, which keras-transformer
            # dropped in 0.34.0.
            _sdist(
                "keras-transformer==0.33.0",
                "18a4b8bc887ddaa26d9643251a48f4d96e36fabb4f35a2def0d065f0c3eac5a7",
            ),
            _sdist(
                "keras-pos-embd==0.11.0",
                "ecb673c62fcabb4beedc88d5a5ecbc20e878010e66445804611a1ba9b23edb7c",
            ),
            _sdist(
                "keras-multi-head==0.27.0",
                "d9bfd6b0a4f953d29b02943581a8579e2c34ba83e6528bde59a3d270700fcce8",
            ),
            _sdist(
                "keras-layer-normalization==0.14.0",
                "217f7ae98484812894fdc923fce0d1a88ec6da56346ba00bffbf57dd38e01c48",
            ),
            _sdist(
                "keras-position-wise-feed-forward==0.6.0",
                "37b6db7e6b5aebc6a7d979f4c7a98dba384d25d39aeee4893b26be8389cde13c",
            ),
            _sdist(
                "keras-embed-sim==0.8.0",
                "4686075cd0da1ddea6423deb46889b7ac1d9dc017b4b4ae6306689dfbe03a750",
            ),
            KERAS_SELF_ATTENTION,
        ),
        ("predict.py",),
    ),
    Project(
        "keras-radam",
        "a Keras 2 optimizer on `K.*`",
        (
            Package(
                "keras-radam==0.15.0",
                "sdist",
                "4a0bbcaa3bcd20e0a7a05192a15fcf490fe26f4cfc677b65a056155b866d58e1",
                "keras_radam",
            ),
        ),
        ("train.py",),
    ),
    Project(
        "keras-applications",
        "Keras 2 models with injected backend modules",
        (KERAS_APPLICATIONS,),
        ("mobilenet.py", "mobilenet_v2.py", "nasnet.py"),
    ),
    Project(
        "image-classifiers",
        "Keras 2 models on keras_applications, backend injected by a factory",
        (
            Package(
                "image-classifiers==1.0.0",
                "wheel",
                "6030bdfd1bc334a4e9d018e8962fbe9c8deba3257dc21c237032ff1590da2b98",
                "classification_models",
            ),
            KERAS_APPLICATIONS,
        ),
        ("resnet18.py",),
    ),
    Project(
        "keras-rl",
        "Keras 2 agents on `K.function` and optimizer internals",
        (
            Package(
                "keras-rl==0.4.2",
                "sdist",
                "7bbbb24c8f4560a03f59fb062a5003da102de033bc8cd7d06b69b4c1b48ec054",
                "rl",
            ),
        ),
        ("dqn.py",),
    ),
    Project(
        "deepctr",
        "`tf.keras` models with TF1 ops inside layers",
        (
            Package(
                "deepctr==0.7.5",
                "wheel",
                "68a900ae38e8f31d6364bd05f6c4dfdf10fb8441ef3e003a64361914e46525e7",
                "deepctr",
            ),
        ),
        ("deepfm.py",),
    ),
    Project(
        "tflearn",
        "TF1 graph code: placeholders, variable scopes, sessions",
        (
            Package(
                "tflearn==0.5.0",
                "sdist",
                "818aa57667693810415dc203ba3f75f1541e931a8dc30b6e8b21563541a70388",
                "tflearn",
            ),
        ),
        ("dnn.py",),
        ("pillow==9.5.0",),
    ),
    Project(
        "tensorpack",
        "TF1 graph code: `tf.layers`-style models, towers, sessions",
        (
            Package(
                "tensorpack==0.9.8",
                "wheel",
                "87e7e479c1339ec5f10871a211bd665b35a301fb9077f1c652c16371b1480e13",
                "tensorpack",
            ),
        ),
        ("graph.py",),
        (
            "tabulate==0.9.0",
            "termcolor==2.4.0",
            "tqdm==4.67.1",
            "msgpack==1.1.0",
            "msgpack-numpy==0.4.8",
            "pyzmq==26.2.0",
            "psutil==6.1.0",
        ),
    ),
    Project(
        "stable-baselines",
        "TF1 graph code at scale: policies, sessions, `tf.layers`",
        (
            Package(
                "stable-baselines==2.10.2",
                "wheel",
                "59d7657723e73be15f4f3eacf957ffb4954cec03d1a9ee6c3a452bd1b1273191",
                "stable_baselines",
            ),
        ),
        ("ppo2.py",),
        (
            "gym==0.26.2",
            "gym-notices==0.0.8",
            "cloudpickle==3.1.1",
            "scipy==1.16.3",
            "pandas==2.3.3",
            "python-dateutil==2.9.0.post0",
            "pytz==2025.2",
            "tzdata==2025.2",
            "opencv-python-headless==4.12.0.88",
        ),
    ),
)
