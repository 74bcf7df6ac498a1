"""Where a tf.compat.v1 fix may switch the process to graph mode: only in a program's own file.

`tf.compat.v1.disable_eager_execution()` changes the whole process, not the file that calls it.
Put into a module that other code imports (a package's layer, a project's helper), it puts every
program importing it in graph mode, and Keras 3 programs stop working (`model.fit` in graph mode
fails). So the fix adds it only to a file that is run as a program.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

GRAPH_MODE_CALL = re.compile(r"\b(disable_eager_execution|disable_v2_behavior)\s*\(")
"""A file that already calls one of these runs in graph mode: nothing to add."""


def switches_graph_mode(text: str) -> bool:
    """Whether a text calls disable_eager_execution or disable_v2_behavior (GRAPH_MODE_CALL)."""
    # The regular expression tries a word boundary at every character: 7 ms on 10,000 lines,
    # where looking for the names first takes a fraction of one.
    if "disable_eager_execution" not in text and "disable_v2_behavior" not in text:
        return False
    return GRAPH_MODE_CALL.search(text) is not None


Importers = Callable[[Path], bool]
"""Whether another file of the project imports the module at a path."""


def has_main_guard(tree: ast.Module) -> bool:
    """Whether the module has a top-level `if __name__ == "__main__":` block."""
    for statement in tree.body:
        test = statement.test if isinstance(statement, ast.If) else None
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__"
        ):
            return True
    return False


def is_library(tree: ast.Module, path: Path | None, imported: Importers | None) -> bool:
    """Whether the module is imported by other code rather than run as a program.

    A script (with a `__main__` block) is a program even inside a package. Otherwise a module of
    a package (a directory with `__init__.py`) is a library, and so is a stand-alone file that
    another project file imports. Text without a path (a snippet) is taken as a program.
    """
    return path is not None and not has_main_guard(tree) and imported_module(path, imported)


def imported_module(path: Path, imported: Importers | None) -> bool:
    """Whether a file is a module of a package, or one another project file imports (a library
    unless it has a `__main__` block)."""
    return in_package(path) or (imported is not None and imported(path))


def in_package(path: Path) -> bool:
    """Whether a file is a module of a package (a directory with `__init__.py`): whether it is
    a library can be told without asking which files import it."""
    return path.name == "__init__.py" or (path.parent / "__init__.py").is_file()
