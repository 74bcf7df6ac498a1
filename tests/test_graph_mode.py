"""A tf.compat.v1 fix puts a file in graph mode only when the file is a program, not a library.

`tf.compat.v1.disable_eager_execution()` switches the whole process: added to a module that other
code imports, it would put every program importing that module in graph mode.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.conftest import write
from tfmend.rewrite.graph_mode import has_main_guard, is_library

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_graph_mode_goes_into_programs_only(tmp_path: Path, tfmend: Run) -> None:
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/layers.py": """\
            import tensorflow as tf

            x = tf.placeholder(tf.float32, [None, 3])
        """,
        "pkg/cli.py": """\
            import tensorflow as tf


            def main():
                x = tf.placeholder(tf.float32, [None])


            if __name__ == "__main__":
                main()
        """,
        "helper.py": """\
            import tensorflow as tf


            def scale(x):
                return x * tf.placeholder(tf.float32, [])
        """,
        "train.py": """\
            import tensorflow as tf
            from helper import scale

            with tf.Session() as session:
                print(session.run(scale(1.0)))
        """,
    })  # fmt: skip
    result = tfmend("fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    read = {p: (tmp_path / p).read_text() for p in ("pkg/layers.py", "pkg/cli.py", "helper.py")}
    assert read == {
        # A package's module: imported by programs, never switched to graph mode.
        "pkg/layers.py": (
            "import tensorflow as tf\n\nx = tf.compat.v1.placeholder(tf.float32, [None, 3])\n"
        ),
        # A script inside the package: its `__main__` block makes it a program.
        "pkg/cli.py": (
            "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n\n\n"
            "def main():\n    x = tf.compat.v1.placeholder(tf.float32, [None])\n\n\n"
            'if __name__ == "__main__":\n    main()\n'
        ),
        # A stand-alone file that train.py imports: a library too.
        "helper.py": (
            "import tensorflow as tf\n\n\ndef scale(x):\n"
            "    return x * tf.compat.v1.placeholder(tf.float32, [])\n"
        ),
    }  # fmt: skip
    # The program that imports it is the one put in graph mode.
    assert (tmp_path / "train.py").read_text() == (
        "import tensorflow as tf\nfrom helper import scale\n"
        "tf.compat.v1.disable_eager_execution()\n\n"
        "with tf.compat.v1.Session() as session:\n    print(session.run(scale(1.0)))\n"
    )


def test_a_lone_file_nothing_imports_is_a_program(tmp_path: Path) -> None:
    (tmp_path / "run.py").write_text("import tensorflow as tf\n")
    tree = ast.parse("import tensorflow as tf\n")
    assert not is_library(tree, tmp_path / "run.py", lambda path: False)
    assert is_library(tree, tmp_path / "run.py", lambda path: path.name == "run.py")
    assert not is_library(tree, None, lambda path: True)  # a snippet: no file to import


def test_main_guard_is_recognised_only_at_top_level() -> None:
    assert has_main_guard(ast.parse('if __name__ == "__main__":\n    main()\n'))
    assert not has_main_guard(ast.parse('def f():\n    if __name__ == "__main__":\n        pass\n'))
    assert not has_main_guard(ast.parse('if __name__ == "pkg.mod":\n    pass\n'))
