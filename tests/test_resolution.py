"""Name resolution: a finding is made on what a name refers to, never on how it is spelled."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import make_engine, write
from tfmend.api import Engine
from tfmend.config import Settings

Run = Callable[..., subprocess.CompletedProcess[str]]


def _mean_lines(engine: Engine, code: str, path: Path | None = None) -> list[int]:
    """1-based lines of keras.backend.mean and get_graph findings (TFM9901, TFM9903)."""
    findings = engine.check_text(textwrap.dedent(code), path)
    return [f.span.start.line + 1 for f in findings if f.code in ("TFM9901", "TFM9903")]


FLAGGED = {
    "import-as": """
        import keras.backend as K
        K.mean(x)
    """,
    "from-import-as": """
        from keras import backend as K
        K.mean(x)
    """,
    "from-import": """
        from keras import backend
        backend.mean(x)
    """,
    "import-package": """
        import keras
        keras.backend.mean(x)
    """,
    "import-submodule-binds-package": """
        import keras.backend
        keras.backend.mean(x)
    """,
    "from-import-function-alias": """
        from keras.backend import mean as kmean
        kmean(x)
    """,
    "star-import": """
        from keras.backend import *
        mean(x)
    """,
    "tensorflow-keras": """
        from tensorflow.keras import backend as K
        K.get_graph()
    """,
    "tf-dot-keras": """
        import tensorflow as tf
        tf.keras.backend.get_graph()
    """,
    "tensorflow-python-keras": """
        from tensorflow.python.keras import backend as K
        K.mean(x)
    """,
    "compat-v1-keras": """
        import tensorflow.compat.v1 as tf1
        tf1.keras.backend.mean(x)
    """,
    "tensorflow-backend-module": """
        from keras.backend import tensorflow_backend as KTF
        KTF.mean(x)
    """,
    "import-inside-function": """
        def loss(y):
            from keras import backend as K
            return K.mean(y)
    """,
    "try-except-both-old": """
        try:
            import keras.backend as K
        except ImportError:
            import tensorflow.keras.backend as K
        K.mean(x)
    """,
    "module-import-used-in-method": """
        from keras import backend as K
        class Layer:
            def call(self, x):
                return K.mean(x)
    """,
    "global-in-function": """
        def setup():
            global K
            import keras.backend as K
        def use(x):
            return K.mean(x)
    """,
    "comprehension": """
        import keras.backend as K
        ys = [K.mean(v) for v in xs]
    """,
    "lambda": """
        import keras.backend as K
        f = lambda v: K.mean(v)
    """,
    "assigned-alias": """
        import keras
        K = keras.backend
        K.mean(x)
    """,
    "assigned-alias-of-tf-keras-in-function": """
        import tensorflow as tf
        def loss(y):
            backend = tf.keras.backend
            return backend.get_graph()
    """,
    "decorator-and-default-argument": """
        import keras.backend as K
        def f(v, reduce=K.mean):
            return reduce(v)
    """,
    "class-body-after-later-import": """
        import os
        import keras.backend as K
        class Layer:
            average = K.mean(x)
    """,
}

QUIET = {
    "parameter-shadows": """
        import keras.backend as K
        def f(K):
            return K.mean(x)
    """,
    "local-shadows": """
        import keras.backend as K
        def f():
            K = object()
            return K.mean(x)
    """,
    "attribute-shares-name": """
        import keras.backend as K
        self.K.mean(x)
        obj.backend.mean(x)
    """,
    "class-shares-name": """
        class K:
            @staticmethod
            def mean(x):
                return x
        K.mean(1)
    """,
    "not-imported": """
        K.mean(x)
        tf.keras.backend.mean(x)
    """,
    "tf-keras-is-valid": """
        import tf_keras.backend as K
        from tf_keras import backend
        K.mean(x)
        backend.mean(x)
    """,
    "tf-keras-keeps-a-legacy-backend": """
        import tensorflow as tf
        from tensorflow.keras import backend as K
        tf.keras.backend.mean(x)
        K.mean(x)
    """,
    "keras-ops": """
        import keras
        keras.ops.mean(x)
    """,
    "rebound-before-use": """
        import keras.backend as K
        K = MyBackend()
        K.mean(x)
    """,
    "shim-prefers-maintained-package": """
        try:
            import tf_keras.backend as K
        except ImportError:
            import keras.backend as K
        K.mean(x)
    """,
    "class-body-before-import": """
        class Layer:
            reduce = K.mean
        import keras.backend as K
    """,
    "class-attribute-not-visible-in-method": """
        class Layer:
            import keras.backend as K
            def call(self, K):
                return K.mean(x)
    """,
    "alias-of-something-else": """
        import keras
        K = make_backend(keras)
        K.mean(x)
    """,
    "comprehension-variable": """
        import keras.backend as K
        ys = [K.mean(v) for K in backends]
    """,
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return make_engine()


@pytest.mark.parametrize("code", FLAGGED.values(), ids=FLAGGED.keys())
def test_every_import_form_is_resolved(engine: Engine, code: str) -> None:
    # Every use is flagged, and so is an import statement of the removed function itself.
    expected = [
        number
        for number, line in enumerate(textwrap.dedent(code).splitlines(), start=1)
        if (("mean(" in line or "get_graph(" in line) and "def " not in line)
        or "reduce=K.mean" in line
        or "import mean" in line
    ]
    assert _mean_lines(engine, code) == expected


@pytest.mark.parametrize("code", QUIET.values(), ids=QUIET.keys())
def test_look_alikes_are_not_flagged(engine: Engine, code: str) -> None:
    assert _mean_lines(engine, code) == []


def test_import_statement_of_a_removed_function_is_flagged(engine: Engine) -> None:
    code = "from keras.backend import mean\n"
    findings = engine.check_text(code)
    assert [(f.code, f.span.start.column, f.span.end.column) for f in findings] == [
        ("TFM9901", 26, 30)
    ]


def test_guarded_import_is_a_shim_not_a_finding(engine: Engine) -> None:
    code = textwrap.dedent("""
        try:
            from keras.ops import mean
        except ImportError:
            from keras.backend import mean
    """)
    assert engine.check_text(code) == []


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "user"),
    [
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/utils.py": "import keras.backend as K\n",
                "pkg/model.py": "from .utils import K\ny = K.mean(x)\n",
            },
            "pkg/model.py",
            id="relative-reexport",
        ),
        pytest.param(
            {
                "utils.py": "from keras import backend as K\n",
                "model.py": "from utils import K\ny = K.mean(x)\n",
            },
            "model.py",
            id="absolute-reexport",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/utils.py": "import keras.backend as K\n",
                "pkg/mid.py": "from .utils import K\n",
                "pkg/model.py": "from .mid import K\ny = K.mean(x)\n",
            },
            "pkg/model.py",
            id="two-hops",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/utils.py": "import keras.backend as K\n",
                "pkg/model.py": "from . import utils\ny = utils.K.mean(x)\n",
            },
            "pkg/model.py",
            id="module-attribute",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/utils.py": "from keras.backend import mean as kmean\n",
                "pkg/model.py": "from .utils import *\ny = kmean(x)\n",
            },
            "pkg/model.py",
            id="star-from-project-module",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/utils.py": "import keras\n\nbackend = keras.backend\n",
                "pkg/model.py": "from .utils import backend as K\ny = K.mean(x)\n",
            },
            "pkg/model.py",
            id="assigned-reexport",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                # keras-self-attention's backend.py: the module re-exports whichever Keras runs.
                "pkg/utils.py": (
                    "import os\n\nif os.environ.get('TF_KERAS', '0') != '0':\n"
                    "    import tensorflow as tf\n    keras = tf.keras\nelse:\n"
                    "    import keras\n\nbackend = keras.backend\n"
                ),
                "pkg/model.py": "from .utils import backend as K\ny = K.mean(x)\n",
            },
            "pkg/model.py",
            id="assigned-reexport-of-switched-keras",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                # tensorpack's compat module: every branch the installed version takes binds the
                # same name; the `except` handler is the fallback for versions without it.
                "pkg/utils.py": (
                    "import keras\n\nif is_v2():\n    backend = keras.backend\nelse:\n"
                    "    try:\n        backend = keras.backend\n"
                    "    except AttributeError:\n        backend = None\n"
                ),
                "pkg/model.py": "from .utils import backend as K\ny = K.mean(x)\n",
            },
            "pkg/model.py",
            id="assigned-reexport-in-every-branch",
        ),
    ],
)
def test_reexports_through_project_modules(
    tmp_path: Path, files: dict[str, str], user: str
) -> None:
    root = _project(tmp_path, files)
    engine = make_engine(root)
    path = root / user
    findings = engine.check_text(path.read_text(encoding="utf-8"), path)
    assert [(f.code, f.span.start.line) for f in findings] == [("TFM9901", 1)]
    origin = findings[0].origin
    assert origin is not None
    assert origin.path is not None
    assert Path(origin.path).name in ("utils.py",)


def test_branches_that_assign_different_names_are_not_resolved(tmp_path: Path) -> None:
    utils = (
        "import keras\nimport numpy\n\nif is_v2():\n    K = keras.backend\nelse:\n    K = numpy\n"
    )
    root = _project(
        tmp_path, {"utils.py": utils, "model.py": "from utils import K\ny = K.mean(x)\n"}
    )
    path = root / "model.py"
    assert make_engine(root).check_text(path.read_text(encoding="utf-8"), path) == []


def test_reexport_invalidated_when_exporting_file_changes(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "utils.py": "import keras.backend as K\n",
            "model.py": "from utils import K\ny = K.mean(x)\n",
        },
    )
    engine = make_engine(root)
    project = engine.project
    assert project is not None
    model = root / "model.py"
    assert [f.code for f in engine.check_text(model.read_text(), model)] == ["TFM9901"]
    (root / "utils.py").write_text("import tf_keras.backend as K\n", encoding="utf-8")
    assert project.invalidate(root / "utils.py") == {model.resolve()}
    assert engine.check_text(model.read_text(), model) == []


def test_fix_keeps_an_import_another_module_imports_from_this_one(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "utils.py": "from keras import backend as K\ny = K.mean(x)\n",
        "model.py": "from utils import K\nK.epsilon()\n",
    })  # fmt: skip
    engine = make_engine(root)
    utils = root / "utils.py"
    fixed = engine.fix_text(utils.read_text(), utils).text
    assert fixed == "from keras import backend as K\nimport keras\ny = keras.ops.mean(x)\n"
    (root / "model.py").write_text("import utils\nprint(utils.other)\n", encoding="utf-8")
    fixed = engine.fix_text(utils.read_text(), utils).text
    assert fixed == "import keras\ny = keras.ops.mean(x)\n"


def test_module_found_only_through_sys_path_changes_is_resolved_with_jedi(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "vendor/helpers.py": "from keras import backend as K\n",
        "app/main.py": """\
            import os
            import sys
            sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vendor"))
            from helpers import K
            y = K.mean(x)
        """,
    })  # fmt: skip
    engine = make_engine(root)
    main = root / "app" / "main.py"
    findings = engine.check_text(main.read_text(), main)
    assert [(f.code, f.span.start.line) for f in findings] == [("TFM9901", 4)]
    origin = findings[0].origin
    assert origin is not None
    assert origin.path == str((root / "vendor" / "helpers.py").resolve())


def test_a_folder_jedi_finds_only_from_files_beside_it(tmp_path: Path) -> None:
    # keras-rl's utils/gym: its own files import it as `gym` (jedi puts their parent directories
    # on sys.path), another package's `import gym` cannot reach it, and jedi is not asked there.
    root = _project(tmp_path, {
        "utils/gym/__init__.py": "from keras import backend as K\n",
        "utils/gym/envs/env.py": "import gym\ny = gym.K.mean(x)\n",
        "other/pkg/__init__.py": "",
        "other/pkg/app.py": "import gym\ny = gym.K.mean(x)\n",
    })  # fmt: skip
    engine = make_engine(root)
    project = engine.project
    assert project is not None
    app = root / "other" / "pkg" / "app.py"
    assert engine.check_text(app.read_text(), app) == []
    assert project._scripts == {}  # no jedi script was made
    env = root / "utils" / "gym" / "envs" / "env.py"
    findings = engine.check_text(env.read_text(), env)
    assert [(f.code, f.span.start.line) for f in findings] == [("TFM9901", 1)]
    origin = findings[0].origin
    assert origin is not None
    assert origin.path == str((root / "utils" / "gym" / "__init__.py").resolve())


def test_a_file_read_for_resolving_is_checked_as_it_is_now(tmp_path: Path) -> None:
    # Checking a file another check read for its names shares that parse only while the file
    # has the same text; a checked file is resolved through while it still has its text.
    root = _project(tmp_path, {
        "utils.py": "from keras import backend as K\n",
        "model.py": "from utils import K\ny = K.mean(x)\n",
    })  # fmt: skip
    engine = make_engine(root)
    utils, model = root / "utils.py", root / "model.py"
    assert [f.code for f in engine.check_file(model).findings] == ["TFM9901"]
    assert engine.check_file(utils).findings == []
    _rewrite(utils, "from keras import backend as K\nz = K.mean(x)\n")
    assert [f.span.start.line for f in engine.check_file(utils).findings] == [1]
    _rewrite(utils, "import numpy as K\n")
    assert engine.project is not None
    engine.project.invalidate(utils)
    assert engine.check_file(utils).findings == []
    assert engine.check_file(model).findings == []


def _rewrite(path: Path, text: str) -> None:
    """Write a file with a modification time surely different from the one before."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_call_conditions_and_leading_positional_arguments() -> None:
    """`when` restricts a rule to calls passing some arguments; `keep: 0` moves every argument."""
    from tfmend.catalog.rules import load_rules_file
    from tfmend.validate.examples import check_rule

    path = Path(__file__).with_name("data") / "when-rules.yaml"
    engine = make_engine()
    rules = load_rules_file(path)
    engine = Engine(catalog=engine.catalog.with_rules(rules))
    assert [str(f) for rule in rules for f in check_rule(lambda _target: engine, rule)] == []


def test_long_expressions_do_not_exhaust_the_walk(engine: Engine) -> None:
    code = "import keras.backend as K\ny = K.mean(x) + " + " + ".join(["1"] * 2000) + "\n"
    assert _mean_lines(engine, code) == [2]


GUARDS = """\
try:
    from tensorflow.contrib import slim
except ImportError:
    raise ImportError("needs TensorFlow 1.x")
try:
    from tensorflow.contrib.layers import xavier_initializer
except ImportError:
    print("no contrib")
try:
    from tensorflow.contrib.layers import l2_regularizer
except ImportError:
    l2_regularizer = None
try:
    from tensorflow.contrib import rnn
except ImportError as error:
    import sys
    sys.exit(str(error))
try:
    from tensorflow.contrib import layers
    HAVE_CONTRIB = True
except (ImportError, AttributeError):
    HAVE_CONTRIB = False
try:
    from tensorflow.contrib import lookup
except ImportError:
    pass
"""


def test_a_handler_that_raises_exits_or_prints_is_no_shim() -> None:
    # Only the handlers that bind a fallback (or a flag the code checks) keep an import quiet.
    findings = Engine().check_text(GUARDS)
    assert [(f.span.start.line + 1, f.code, f.span.start.column) for f in findings] == [
        (2, "TFM303", 35),
        (6, "TFM6062", 42),
        (14, "TFM304", 35),
        (24, "TFM327", 35),
    ]


INJECTED = """\
from . import get_submodules_from_kwargs

backend = None
layers = None


def Net(**kwargs):
    global backend, layers, models, keras_utils
    backend, layers, models, keras_utils = get_submodules_from_kwargs(kwargs)
    return block(layers.Input((8, 8, 3)))


def block(x):
    x = layers.SeparableConv2D(4, 3, kernel_initializer="he_normal")(x)
    return backend.int_shape(x), keras_utils.convert_all_kernels_in_model
"""


def test_modules_unpacked_by_get_submodules_from_kwargs_are_keras() -> None:
    # keras_applications' modules: the caller passes `layers=keras.layers` (and the others), which
    # `get_submodules_from_kwargs` returns in order. The backend is left alone: TFM6000 has the
    # caller pass `tf.keras.backend`, which has `int_shape`.
    engine = Engine(Settings())
    found = [(f.span.start.line + 1, f.code, f.name) for f in engine.check_text(INJECTED)]
    assert found == [
        (14, "TFM6005", "layers.SeparableConv2D"),
        (15, "TFM8197", "keras_utils.convert_all_kernels_in_model"),
    ]
    fixed = engine.fix_text(INJECTED).text
    assert "layers.SeparableConv2D(4, 3)(x)" in fixed
    assert "import" not in fixed.replace("from . import get_submodules_from_kwargs", "")


@pytest.mark.parametrize(
    "code",
    [
        # Not keras_applications' function: an unpacking of anything else binds no Keras module.
        INJECTED.replace(
            "from . import get_submodules_from_kwargs", "from x import submodules"
        ).replace("get_submodules_from_kwargs(kwargs)", "submodules(kwargs)"),
        INJECTED.replace("from . import", "from somewhere import"),
        # Three names: not the function's four modules.
        INJECTED.replace("models, keras_utils = get", "models = get"),
    ],
    ids=["other-function", "other-package", "other-arity"],
)
def test_other_unpackings_bind_no_keras_module(code: str) -> None:
    assert Engine(Settings()).check_text(code) == []


def test_code_for_keras_2s_other_backends_is_not_reported() -> None:
    code = (
        "import keras\n"
        "from keras import backend as K\n"
        "if K.backend() == 'theano':\n"
        "    keras.utils.convert_all_kernels_in_model(model)\n"
        "if K.backend() in ('theano', 'cntk'):\n"
        "    keras.utils.convert_all_kernels_in_model(model)\n"
        "if K.backend() == 'tensorflow':\n"
        "    keras.utils.convert_all_kernels_in_model(model)\n"
    )
    found = [(f.span.start.line + 1, f.code) for f in Engine(Settings()).check_text(code)]
    assert found == [(8, "TFM8197")]


def test_the_branch_a_tensorflow_version_comparison_does_not_take_is_not_reported() -> None:
    # Compared as the program compares it: as strings, on the target TensorFlow (2.21).
    code = (
        "import tensorflow as tf\n"
        "if tf.__version__ < '2.0.0':\n"
        "    y = tf.reduce_sum(x, keep_dims=True)\n"
        "else:\n"
        "    y = tf.reduce_sum(x, keepdims=True)\n"
        "if tf.__version__ >= '2.0.0':\n"
        "    s = tf.Session\n"
        "else:\n"
        "    s = tf.Session\n"
    )
    found = [(f.span.start.line + 1, f.code) for f in Engine(Settings()).check_text(code)]
    assert [line for line, _ in found] == [7]


def test_assigning_a_removed_module_attribute_is_not_reported(tmp_path: Path, tfmend: Run) -> None:
    # tensorpack's compat module gives TensorFlow 2 the `tf.layers` it lost (neither a rule's
    # finding nor a missing name's); reading it is still reported where nothing assigned it.
    write(tmp_path, {"compat.py": """\
        import tensorflow as tf
        if not hasattr(tf, 'layers'):
            tf.layers = tf.keras.layers
        tf.layers.Conv2D = Conv2D
    """})  # fmt: skip
    check = tfmend("check", "--no-cache", "compat.py", cwd=tmp_path)
    assert [line.split(" ")[:2] for line in check.stdout.splitlines()[:-1]] == [
        ["compat.py:4:1:", "TFM101"]
    ]


def test_the_branch_a_project_version_tuple_does_not_take_is_not_reported(
    tmp_path: Path, tfmend: Run
) -> None:
    # tensorpack's `get_tf_version_tuple()`, compared with a tuple as the program compares it.
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/common.py": """\
            import tensorflow as tf

            def get_tf_version_tuple():
                \"\"\"The version as a tuple.\"\"\"
                return tuple(map(int, tf.__version__.split('.')[:2]))
        """,
        "pkg/regularize.py": """\
            import tensorflow as tf
            from .common import get_tf_version_tuple

            if get_tf_version_tuple() <= (1, 12):
                l2 = tf.contrib.layers.l2_regularizer
            else:
                l2 = tf.keras.regularizers.l2
            if get_tf_version_tuple() >= (1, 5):
                s = tf.Session
        """,
    })  # fmt: skip
    check = tfmend("check", "--no-cache", "pkg", cwd=tmp_path)
    assert [line.split(" ")[:2] for line in check.stdout.splitlines()[:-1]] == [
        ["pkg/regularize.py:9:9:", "TFM110"]
    ]


def test_a_name_read_under_hasattr_of_it_is_not_reported() -> None:
    # keras-bert's optimizer: `K.symbolic` is read only where the backend has it.
    code = (
        "from keras import backend as K\n"
        "symbolic = None\n"
        "if hasattr(K, 'symbolic'):\n"
        "    symbolic = K.symbolic\n"
        "    other = K.get_session\n"
    )
    found = [(f.span.start.line + 1, f.code) for f in Engine(Settings()).check_text(code)]
    assert found == [(3, "TFM6000"), (5, "TFM604")]
