"""Which project files import a module: imports at any depth, files changed, added or ignored
since the last question, and files the engine parsed already."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import make_engine, write
from tfmend.resolve.project import ImportIndex


def _touch_later(path: Path, text: str) -> None:
    """Rewrite a file with a modification time surely different from the one before."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_imports_nested_in_blocks_count(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "helper.py": "X = 1\n",
            "other.py": "def f():\n    pass\n",
            "run.py": """
                class C:
                    def m(self):
                        try:
                            pass
                        except ImportError:
                            with open("f") as f:
                                if f:
                                    from helper import X
            """,
        },
    )
    index = ImportIndex(tmp_path)
    assert index.imported(tmp_path / "helper.py")
    assert not index.imported(tmp_path / "other.py")
    assert not index.imported(tmp_path / "run.py")


def test_a_file_changed_added_or_ignored_since_is_seen(tmp_path: Path) -> None:
    write(tmp_path, {"helper.py": "X = 1\n", "run.py": "import os\n"})
    index = ImportIndex(tmp_path)
    helper = tmp_path / "helper.py"
    assert not index.imported(helper)
    _touch_later(tmp_path / "run.py", "import helper\n")
    assert index.imported(helper)
    _touch_later(tmp_path / "run.py", "import os\n")
    assert not index.imported(helper)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "use.py").write_text("from helper import X\n", encoding="utf-8")
    assert index.imported(helper)
    (tmp_path / ".gitignore").write_text("tools/\n", encoding="utf-8")
    assert not index.imported(helper)


def test_relative_imports_name_the_module_they_reach(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "scripts/helper.py": "X = 1\n",
            "scripts/sub/__init__.py": "",
            "scripts/sub/use.py": "from .. import helper\n",
        },
    )
    assert ImportIndex(tmp_path).imported(tmp_path / "scripts" / "helper.py")


def test_what_the_engine_parsed_is_what_the_index_reads(tmp_path: Path) -> None:
    # A byte order mark: the file is read as checking it reads it, whether the engine noted it
    # or the index read it itself.
    write(tmp_path, {"helper.py": "X = 1\n", "run.py": b"\xef\xbb\xbfimport helper\n"})
    helper = tmp_path / "helper.py"
    assert ImportIndex(tmp_path).imported(helper)
    engine = make_engine(tmp_path)
    engine.check_file(tmp_path / "run.py")
    assert engine.imports is not None
    assert engine.imports.imported(helper)
    # The engine's note is dropped once the file changes on disk.
    _touch_later(tmp_path / "run.py", "import os\n")
    assert not engine.imports.imported(helper)


def test_only_files_that_may_name_the_module_are_parsed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tools/helper.py": "X = 1\n",
            "tools/unrelated.py": "import os\n",
            # `from . import x` in tools/helper/ reaches the module tools.helper by its own path.
            "tools/helper/use.py": "from . import x\n",
            "lone/helper.py": "X = 1\n",
            # NFKC reads a fullwidth letter as the ASCII one: this imports lone.helper.
            "lone/run.py": "from lone import \uff48elper\n",
        },
    )
    index = ImportIndex(tmp_path)
    assert index.imported(tmp_path / "tools" / "helper.py")
    assert index.imported(tmp_path / "lone" / "helper.py")
    # Neither answer parsed the file that names no `helper`.
    assert (tmp_path / "tools" / "unrelated.py").resolve() not in index._files
