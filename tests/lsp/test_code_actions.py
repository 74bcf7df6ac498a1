"""Code actions: each kind, the text it yields, lazy resolution, fix-all equal to `tfmend fix`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from tests.corpus import KERAS2, TF1, fetch
from tests.lsp.harness import CLIENTS, Session, TestClient, capabilities_for, edits_of, rng, start

ROOT = Path(__file__).resolve().parents[2]
SOURCE = """\
from keras import backend as K

a = K.old_mean(x, axis=1)
b = K.old_mean(y)
t = K.old_floatx()
s = K.old_session()
e = K.old_epsilon  # tfmend: ignore[TFM4902]
"""

FIX_ALL_TITLE = (
    "Fix all tfmend issues (skips 1 unsafe fix: validate it, or set unsafeFixes; "
    "1 finding has no automatic fix)"
)
"""SOURCE's Fix all: the unsafe K.old_floatx() is skipped, K.old_session() has no fix."""


def titles(actions: list[types.CodeAction]) -> list[str]:
    """The titles, in order."""
    return [action.title for action in actions]


def action(actions: list[types.CodeAction], title: str) -> types.CodeAction:
    """The action with a title."""
    return next(found for found in actions if found.title == title)


def applied(session: Session, uri: str, found: types.CodeAction) -> str:
    """The document after applying an action's edit."""
    assert found.edit is not None, f"{found.title!r} has no edit"
    return session.edited(uri, found.edit)


async def opened(session: Session, text: str = SOURCE, name: str = "model.py") -> str:
    """Open a document and wait for its first diagnostics."""
    uri = session.open(name, text)
    await session.diagnostics(uri, version=1)
    return uri


@pytest.mark.parametrize("name", CLIENTS)
async def test_quick_fix_of_a_safe_finding(
    client: TestClient, workspace_root: Path, name: str
) -> None:
    session = await start(client, workspace_root, capabilities_for(name))
    uri = await opened(session)
    actions = await session.code_actions(uri, rng(2, 6))
    assert titles(actions) == [
        "TFM4901: Replace `K.old_mean` with `keras.ops.mean`",
        "Validate this fix (TFM4901)",
        "Fix all TFM4901 in this file",
        "Ignore TFM4901 on this line",
        FIX_ALL_TITLE,
    ]
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred is True
    assert fix.diagnostics is not None
    assert [d.code for d in fix.diagnostics] == ["TFM4901"]
    assert fix.edit is not None
    # A line diff, not a whole-document replacement.
    assert edits_of(fix.edit, uri) == [
        types.TextEdit(range=rng(1, 0), new_text="import keras\n"),
        types.TextEdit(range=rng(2, 0, 3, 0), new_text="a = keras.ops.mean(x, axis=1)\n"),
    ]
    assert applied(session, uri, fix) == SOURCE.replace(
        "\na = K.old_mean(x, axis=1)", "import keras\n\na = keras.ops.mean(x, axis=1)"
    )
    validate = actions[1]
    assert validate.command is not None
    assert validate.command.command == "tfmend.validateFix"
    assert list(validate.command.arguments or []) == [
        {"uri": uri, "range": _range_json(2, 4, 2, 14)}
    ]


def _range_json(line: int, start: int, end_line: int, end: int) -> dict[str, object]:
    return {
        "start": {"line": line, "character": start},
        "end": {"line": end_line, "character": end},
    }


async def test_unsafe_quick_fix_is_labelled_and_not_preferred(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = await opened(session)
    actions = await session.code_actions(uri, rng(4, 5), only=["quickfix"])
    assert titles(actions) == [
        "TFM4902: Replace `K.old_floatx` with `keras.config.floatx` (unsafe)",
        "Validate this fix (TFM4902)",
        "Ignore TFM4902 on this line",
    ]
    assert actions[0].is_preferred is False
    assert applied(session, uri, actions[0]) == SOURCE.replace(
        "t = K.old_floatx()", "t = keras.config.floatx()"
    ).replace("from keras import backend as K\n", "from keras import backend as K\nimport keras\n")


async def test_manual_finding_can_only_be_ignored(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = await opened(session)
    actions = await session.code_actions(uri, rng(5, 6), only=["quickfix"])
    assert titles(actions) == ["Ignore TFM4903 on this line"]
    assert applied(session, uri, actions[0]) == SOURCE.replace(
        "s = K.old_session()", "s = K.old_session()  # tfmend: ignore[TFM4903]"
    )


@pytest.mark.parametrize("name", CLIENTS)
async def test_ignore_appends_or_extends_the_comment(
    client: TestClient, workspace_root: Path, name: str
) -> None:
    session = await start(client, workspace_root, capabilities_for(name))
    uri = await opened(session)
    extend = action(await session.code_actions(uri, rng(6, 5)), "Ignore TFM4904 on this line")
    text = applied(session, uri, extend)
    assert text == SOURCE.replace("ignore[TFM4902]", "ignore[TFM4902, TFM4904]")
    assert extend.edit is not None
    version = session.change(uri, [(e.range, e.new_text) for e in edits_of(extend.edit, uri)])
    found = await session.diagnostics(uri, version=version)
    assert [d.code for d in found] == ["TFM4901", "TFM4901", "TFM4902", "TFM4903"]

    append = action(await session.code_actions(uri, rng(3, 5)), "Ignore TFM4901 on this line")
    assert applied(session, uri, append) == text.replace(
        "b = K.old_mean(y)", "b = K.old_mean(y)  # tfmend: ignore[TFM4901]"
    )


async def test_no_ignore_comment_inside_a_continued_line(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    text = (
        "from keras import backend as K\n"
        "z = K.old_mean(x) + \\\n"
        "    1\n"
        'w = """a\n""" + K.old_mean(y)\n'
    )
    uri = await opened(session, text)
    continued = await session.code_actions(uri, rng(1, 5), only=["quickfix"])
    assert "Ignore TFM4901 on this line" not in titles(continued)
    after_string = await session.code_actions(uri, rng(4, 10), only=["quickfix"])
    ignore = action(after_string, "Ignore TFM4901 on this line")
    assert applied(session, uri, ignore).endswith(
        '""" + K.old_mean(y)  # tfmend: ignore[TFM4901]\n'
    )


async def test_fix_all_of_one_code(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = await opened(session)
    fix_code = action(await session.code_actions(uri, rng(3, 5)), "Fix all TFM4901 in this file")
    assert fix_code.diagnostics is not None
    assert [d.range for d in fix_code.diagnostics] == [rng(3, 4, 3, 14)]
    assert applied(session, uri, fix_code) == SOURCE.replace(
        "from keras import backend as K\n", "from keras import backend as K\nimport keras\n"
    ).replace("K.old_mean(x, axis=1)", "keras.ops.mean(x, axis=1)").replace(
        "K.old_mean(y)", "keras.ops.mean(y)"
    )


def cli_fix(root: Path, name: str, text: str, tmp: Path, *flags: str) -> str:
    """What `tfmend fix` makes of a file, run on a copy of the workspace."""
    copy = tmp / "cli-copy"
    shutil.copytree(root, copy)
    (copy / name).write_text(text, encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "tfmend", "fix", *flags, name],
        cwd=copy,
        capture_output=True,
        check=False,
        timeout=120,
    )
    return (copy / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CLIENTS)
async def test_fix_all_equals_the_command_line(
    client: TestClient, workspace_root: Path, tmp_path: Path, name: str
) -> None:
    session = await start(client, workspace_root, capabilities_for(name))
    uri = await opened(session)
    actions = await session.code_actions(uri, rng(0, 0), only=["source.fixAll"])
    assert titles(actions) == [FIX_ALL_TITLE]
    assert actions[0].kind == "source.fixAll.tfmend"
    fixed = applied(session, uri, actions[0])
    assert fixed == cli_fix(workspace_root, "model.py", SOURCE, tmp_path)
    assert "t = K.old_floatx()" in fixed  # unsafe: not applied without unsafeFixes
    assert "keras.config.epsilon" in fixed


async def test_fix_all_asked_for_by_name_says_what_it_leaves(
    client: TestClient, workspace_root: Path
) -> None:
    """Neovim's and Emacs's fix-all apply the action without showing its title: the server
    names the unsafe fix it skipped and the finding left to fix by hand, once."""
    session = await start(client, workspace_root, capabilities_for("neovim"))
    uri = await opened(session)
    [fix_all] = await session.code_actions(uri, rng(0, 0), only=["source.fixAll.tfmend"])
    assert fix_all.title.endswith("; 1 finding has no automatic fix)")
    said = [message.message for message in client.messages if "Fix all" in message.message]
    assert said == [
        "tfmend: Fix all (skips 1 unsafe fix: validate it, or set unsafeFixes; 1 finding has no "
        "automatic fix): TFM4902 line 5 (unsafe), TFM4903 line 6 (fix by hand)"
    ]


async def test_fix_all_applies_unsafe_fixes_when_asked(
    client: TestClient, workspace_root: Path, tmp_path: Path
) -> None:
    session = await start(client, workspace_root, options={"unsafeFixes": True})
    uri = await opened(session)
    [fix_all] = await session.code_actions(uri, rng(0, 0), only=["source"])
    fixed = applied(session, uri, fix_all)
    assert "t = keras.config.floatx()" in fixed
    assert fixed == cli_fix(workspace_root, "model.py", SOURCE, tmp_path, "--unsafe-fixes")


async def unresolved_fix(client: TestClient, uri: str, line: int) -> types.CodeAction:
    """The first quick fix on a line, as a client that resolves edits lazily gets it."""
    unresolved = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng(line, 6),
            context=types.CodeActionContext(diagnostics=[], only=["quickfix"]),
        )
    )
    assert unresolved is not None
    fix = unresolved[0]
    assert isinstance(fix, types.CodeAction)
    return fix


async def test_resolve_after_the_finding_moved_gives_no_edit(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root, capabilities_for("visual_studio_code"))
    uri = await opened(session)
    fix = await unresolved_fix(client, uri, 2)
    assert fix.edit is None
    assert fix.data is not None
    version = session.change(uri, [(rng(0, 0), "import os\n")])
    await session.diagnostics(uri, version=version)
    stale = await client.code_action_resolve_async(fix)
    assert stale.edit is None
    moved = await session.code_actions(uri, rng(3, 6), only=["quickfix"])
    edit = moved[0].edit
    assert edit is not None
    assert edit.document_changes is not None
    [change] = edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.version == version


async def test_quick_fix_titles_describe_the_whole_edit(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = await opened(session, "from keras import backend as K\ny = K.sqrt(x)\n", "sqrt.py")
    [fix, *_] = await session.code_actions(uri, rng(1, 5), only=["quickfix"])
    assert fix.title == (
        "TFM460: Rewrite `K.sqrt(…)` as `tensorflow.sqrt(tensorflow.maximum(x, 0.0))`"
    )

    graph = "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None])\n"
    uri = await opened(session, graph, "graph.py")
    [fix, *_] = await session.code_actions(uri, rng(1, 8), only=["quickfix"])
    assert fix.title.endswith(
        ": Replace `tf.placeholder` with `tensorflow.compat.v1.placeholder` and run the file in "
        "graph mode (adds `disable_eager_execution()`)"
    )
    already = (
        "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n" + graph.split("\n")[1]
    )
    uri = await opened(session, already + "\n", "already.py")
    [fix, *_] = await session.code_actions(uri, rng(2, 8), only=["quickfix"])
    assert fix.title.endswith(": Replace `tf.placeholder` with `tensorflow.compat.v1.placeholder`")
    # A module of a package is imported by programs: its fix leaves graph mode to them.
    (workspace_root / "pkg").mkdir()
    (workspace_root / "pkg" / "__init__.py").write_text("")
    uri = await opened(session, graph, "pkg/layers.py")
    [fix, *_] = await session.code_actions(uri, rng(1, 8), only=["quickfix"])
    assert fix.title.endswith(": Replace `tf.placeholder` with `tensorflow.compat.v1.placeholder`")


async def test_quick_fix_titles_show_the_receiver_and_the_called_name(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    code = (
        "import keras\nnet.evaluate_generator(x, 5)\no = keras.optimizers.SGD(0.1, decay=0.5)\n"
        "net._make_predict_function()\n"
    )
    uri = await opened(session, code, "train.py")
    [fix, *_] = await session.code_actions(uri, rng(1, 5), only=["quickfix"])
    assert fix.title == (
        "TFM662: Rewrite `net.evaluate_generator(…)` as "
        "`net.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)`"
    )
    [fix, *_] = await session.code_actions(uri, rng(2, 8), only=["quickfix"])
    assert fix.title == (
        "TFM667: Rewrite `keras.optimizers.SGD(…)` as `keras.optimizers.SGD(learning_rate="
        "keras.optimizers.schedules.InverseTimeDecay(learning_rate, decay_steps=1, "
        "decay_rate=decay), …)`"
    )
    [fix, *_] = await session.code_actions(uri, rng(3, 5), only=["quickfix"])
    assert fix.title == "TFM686: Remove the call of `net._make_predict_function`"
    layer = "import keras\nclass T(keras.layers.Embedding):\n    def compute_output_shape(self, s):"
    uri = await opened(session, layer + "\n        return [s, s]\n", "layer.py")
    [fix, *_] = await session.code_actions(uri, rng(1, 8), only=["quickfix"])
    assert fix.title == (
        "TFM6003: Add `compute_output_spec` to the subclass of `keras.layers.Embedding` (unsafe)"
    )


async def test_resolve_with_data_of_an_older_version_recomputes_the_edit(
    client: TestClient, workspace_root: Path
) -> None:
    text = "import keras\nfrom keras import backend as K\n\nd = K.old_epsilon\ne = K.old_epsilon\n"
    session = await start(client, workspace_root, capabilities_for("visual_studio_code"))
    uri = await opened(session, text)
    fix = await unresolved_fix(client, uri, 4)
    assert isinstance(fix.data, dict)
    assert fix.data["v"] == 1  # the planned edits of version 1 travel with the action
    # The first line grows by the length of line 3: the finding on line 4 keeps its line and
    # columns, while version 1's offsets now point at line 3's `K.old_epsilon`.
    comment = "  # Keras backend."
    assert len(comment) == len("d = K.old_epsilon\n")
    version = session.change(uri, [(rng(0, 12, 0, 12), comment)])
    await session.diagnostics(uri, version=version)
    resolved = await client.code_action_resolve_async(fix)
    assert resolved.edit is not None
    assert resolved.edit.document_changes is not None
    [change] = resolved.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.version == version
    assert session.edited(uri, resolved.edit) == (
        f"import keras{comment}\nfrom keras import backend as K\n\n"
        "d = K.old_epsilon\ne = keras.config.epsilon\n"
    )


LEGACY_FILES = [
    ROOT / "examples" / "legacy_keras.py",
    ROOT / "examples" / "tf1_training" / "train.py",
    ROOT / "tests" / "data" / "programs" / "keras2_backend.py",
]


SETTINGS = {"default": ({}, ()), "unsafe": ({"unsafeFixes": True}, ("--unsafe-fixes",))}
"""Editor settings and the `tfmend fix` flags that say the same."""


async def fix_all_and_cli(
    client: TestClient, root: Path, tmp: Path, text: str, name: str, settings: str
) -> tuple[types.CodeAction, str, str]:
    """The editor's Fix all action of a file under these settings, the text it gives, and the
    text `tfmend fix` gives with the same settings as flags."""
    options, flags = SETTINGS[settings]
    session = await start(client, root, options=options or None)
    uri = await opened(session, text, name)
    [fix_all] = await session.code_actions(uri, rng(0, 0), only=["source.fixAll"])
    return fix_all, applied(session, uri, fix_all), cli_fix(root, name, text, tmp, *flags)


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("path", LEGACY_FILES, ids=lambda path: path.name)
async def test_fix_all_equals_the_command_line_on_legacy_files(
    client: TestClient, workspace_root: Path, tmp_path: Path, path: Path, settings: str
) -> None:
    text = path.read_text(encoding="utf-8")
    _, fixed, expected = await fix_all_and_cli(
        client, workspace_root, tmp_path, text, path.name, settings
    )
    assert fixed != text
    assert fixed == expected


CORPUS_FILES = (
    (KERAS2[0], "Keras-2.2.4/keras/callbacks.py"),
    (KERAS2[4], "keras-rl-0.4.2/rl/util.py"),
    (KERAS2[6], "keras-retinanet-0.5.1/keras_retinanet/losses.py"),
    (TF1[2], "tensorpack/models/_old_batch_norm.py"),
)
"""Training corpus files with safe and unsafe fixes."""


@pytest.mark.corpus
@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize(("package", "name"), CORPUS_FILES, ids=[n for _, n in CORPUS_FILES])
async def test_fix_all_equals_the_command_line_on_corpus_files(
    client: TestClient,
    workspace_root: Path,
    tmp_path: Path,
    package: tuple[str, str],
    name: str,
    settings: str,
) -> None:
    text = (fetch(*package) / name).read_text(encoding="utf-8")
    fix_all, fixed, expected = await fix_all_and_cli(
        client, workspace_root, tmp_path, text, Path(name).name, settings
    )
    assert fixed == expected
    # Each file has fixes of both kinds: the unsafe setting changes what Fix all does.
    assert ("(skips" in fix_all.title) is (settings == "default")
