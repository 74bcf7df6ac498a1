"""`tfmend fix` on disk: edits made while it works, links, permissions, files it cannot write."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_ARGS, write
from tfmend.api import Engine
from tfmend.cli.main import main
from tfmend.fixer import FixResult

Run = Callable[..., subprocess.CompletedProcess[str]]

LEGACY = "import keras.backend as K\ny = K.mean(x)\n"
FIXED = "import keras\ny = keras.ops.mean(x)\n"
APPENDED = "z = K.mean(y)  # typed while tfmend was fixing\n"


def _append_from_another_process(path: Path, text: str) -> None:
    """An editor saving the file: a separate process appends to it."""
    subprocess.run(
        [sys.executable, "-c", "import sys; open(sys.argv[1], 'a').write(sys.argv[2])", path, text],
        check=True,
    )


@pytest.fixture
def edit_while_fixing(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, int], list[int]]:
    """Make another process append to `path` right after each of the first `times` fixes."""

    def arm(path: Path, times: int) -> list[int]:
        done: list[int] = []
        real = Engine.fix_text

        def fix_then_edit(
            self: Engine, text: str, fixing: Path | None = None, **kwargs: object
        ) -> FixResult:
            result = real(self, text, fixing, **kwargs)  # type: ignore[arg-type]
            if fixing is not None and fixing.name == path.name and len(done) < times:
                _append_from_another_process(path, APPENDED)
                done.append(len(done))
            return result

        monkeypatch.setattr(Engine, "fix_text", fix_then_edit)
        return done

    return arm


def _fix_in_process(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.chdir(root)
    code = main(["fix", *TEST_ARGS, "--jobs", "1", "."])
    return code, capsys.readouterr().err


def test_an_edit_made_while_fixing_is_kept_and_fixed_too(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    edit_while_fixing: Callable[[Path, int], list[int]],
) -> None:
    write(tmp_path, {"model.py": LEGACY})
    edits = edit_while_fixing(tmp_path / "model.py", 1)
    code, err = _fix_in_process(tmp_path, monkeypatch, capsys)
    assert edits == [0]
    assert (tmp_path / "model.py").read_text() == (
        FIXED + "z = keras.ops.mean(y)  # typed while tfmend was fixing\n"
    )
    assert code == 0
    assert err == "Fixed 2 problems in 1 file; 0 remaining.\n"


def test_a_file_that_keeps_changing_is_left_as_it_is(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    edit_while_fixing: Callable[[Path, int], list[int]],
) -> None:
    write(tmp_path, {"model.py": LEGACY, "other.py": LEGACY})
    edits = edit_while_fixing(tmp_path / "model.py", 2)
    code, err = _fix_in_process(tmp_path, monkeypatch, capsys)
    assert edits == [0, 1]
    assert (tmp_path / "model.py").read_text() == LEGACY + APPENDED + APPENDED
    assert (tmp_path / "other.py").read_text() == FIXED
    assert code == 1
    assert err == (
        "model.py: changed while fixing; left as it is\nFixed 1 problem in 1 file; 0 remaining.\n"
    )


def test_hard_linked_file_is_fixed_under_every_name(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"tree/model.py": LEGACY})
    (tmp_path / "farm").mkdir()
    os.link(tmp_path / "tree/model.py", tmp_path / "farm/model.py")
    result = tfmend("fix", *TEST_ARGS, "tree", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tree/model.py").stat().st_nlink == 2
    assert (tmp_path / "farm/model.py").read_text() == FIXED
    assert (tmp_path / "tree/model.py").read_text() == FIXED


def test_mode_is_kept(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"model.py": LEGACY})
    (tmp_path / "model.py").chmod(0o640)
    result = tfmend("fix", *TEST_ARGS, ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "model.py").stat().st_mode) == 0o640
    assert (tmp_path / "model.py").read_text() == FIXED


def test_symlinks_are_followed_inside_the_tree_only(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"outside/shared.py": LEGACY, "tree/real.py": LEGACY})
    (tmp_path / "tree/alias.py").symlink_to("real.py")
    (tmp_path / "tree/shared.py").symlink_to(tmp_path / "outside/shared.py")
    result = tfmend("fix", *TEST_ARGS, "tree/alias.py", "tree/shared.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tree/alias.py").is_symlink()
    assert (tmp_path / "tree/real.py").read_text() == FIXED
    assert (tmp_path / "tree/shared.py").is_symlink()
    assert (tmp_path / "outside/shared.py").read_text() == LEGACY
    assert result.stderr == (
        f"tree/shared.py: links to {tmp_path.resolve() / 'outside/shared.py'}, outside the tree; "
        "left as it is\n"
        "Fixed 1 problem in 1 file; 0 remaining.\n"
    )


@pytest.fixture
def unwritable() -> Iterator[Callable[[Path], str]]:
    """Make a file unwritable the strongest way available; returns the system's words for it."""
    undo: list[Callable[[], object]] = []

    def make(path: Path) -> str:
        if os.geteuid() == 0:
            # Root writes through any mode bits; only the immutable attribute stops it.
            subprocess.run(["chattr", "+i", str(path)], check=True)
            undo.append(lambda: subprocess.run(["chattr", "-i", str(path)], check=True))
            return "operation not permitted"
        path.chmod(0o444)
        path.parent.chmod(0o555)
        undo.append(lambda: path.parent.chmod(0o755))
        return "permission denied"

    yield make
    for step in reversed(undo):
        step()


def test_one_unwritable_file_does_not_stop_the_others(
    tmp_path: Path, tfmend: Run, unwritable: Callable[[Path], str]
) -> None:
    write(tmp_path, {"a.py": LEGACY, "b/b.py": LEGACY, "c.py": LEGACY})
    why = unwritable(tmp_path / "b/b.py")
    result = tfmend("fix", *TEST_ARGS, "a.py", "b/b.py", "c.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"b/b.py: cannot write: {why}\n"
        "Fixed 2 problems in 2 files; 0 remaining; 1 file could not be read or written.\n"
    )
    assert (tmp_path / "a.py").read_text() == FIXED
    assert (tmp_path / "b/b.py").read_text() == LEGACY
    assert (tmp_path / "c.py").read_text() == FIXED
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["b.py"]


def test_an_unreadable_file_is_one_line_and_the_rest_is_fixed(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {"a.py": LEGACY, "c.py": LEGACY})
    (tmp_path / "b.py").symlink_to("gone.py")  # found by the walk, gone when read
    result = tfmend("fix", *TEST_ARGS, ".", cwd=tmp_path)
    assert result.stdout == ""
    assert result.stderr == (
        "b.py: cannot read: no such file or directory\n"
        "Fixed 2 problems in 2 files; 0 remaining; 1 file could not be read or written.\n"
    )
    assert result.returncode == 2
