"""Commands: tfmend.fixAll, tfmend.checkWorkspace, tfmend.reload and tfmend.validateFix."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp.harness import RULES, TIMEOUT, TestClient, rng, start
from tests.lsp.test_code_actions import SOURCE, cli_fix


async def command(client: TestClient, name: str, *arguments: Any, timeout: float = TIMEOUT) -> Any:
    """Run a server command."""
    return await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments))
        ),
        timeout,
    )


async def test_commands_are_advertised(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    assert session.result is not None
    provider = session.result.capabilities.execute_command_provider
    assert provider is not None
    assert sorted(provider.commands) == [
        "tfmend.checkWorkspace",
        "tfmend.fixAll",
        "tfmend.reload",
        "tfmend.validateFix",
    ]


async def test_fix_all_command_applies_the_edit(
    client: TestClient, workspace_root: Path, tmp_path: Path
) -> None:
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(apply_edit=True)
    )
    session = await start(client, workspace_root, capabilities)
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    assert await command(client, "tfmend.fixAll", uri) == {"applied": True, "changed": True}
    [applied] = client.applied
    assert applied.label == "tfmend: fix all"
    fixed = session.edited(uri, applied.edit)
    assert fixed == cli_fix(workspace_root, "model.py", SOURCE, tmp_path)

    clean = session.open("clean.py", "import keras\n")
    await session.diagnostics(clean, version=1)
    assert await command(client, "tfmend.fixAll", {"uri": clean}) == {
        "applied": False,
        "changed": False,
    }


async def test_fix_all_command_returns_the_edit_without_apply_edit(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", "from keras import backend as K\ny = K.old_mean(x)\n")
    await session.diagnostics(uri, version=1)
    answer = await command(client, "tfmend.fixAll", uri)
    assert answer["applied"] is False
    assert answer["edit"] == {
        "changes": {
            uri: [
                {
                    "range": {
                        "start": {"line": 0, "character": 0},
                        "end": {"line": 2, "character": 0},
                    },
                    "newText": "import keras\ny = keras.ops.mean(x)\n",
                }
            ]
        }
    }


async def test_check_workspace_and_reload(client: TestClient, workspace_root: Path) -> None:
    (workspace_root / "a.py").write_text(SOURCE)
    (workspace_root / "b.py").write_text("import keras\n")
    session = await start(client, workspace_root)
    assert await command(client, "tfmend.checkWorkspace") == {"files_with_findings": 1}

    uri = session.open("model.py", "from keras import backend as K\ny = K.old_mean(x)\n")
    [before] = await session.diagnostics(uri, version=1)
    assert before.message.endswith("is gone; use `keras.ops.mean`")
    (workspace_root / "tfmend-rules.yaml").write_text(
        RULES.replace("is gone; use `keras.ops.mean`", "was removed from Keras 3")
    )
    count = len(client.publishes(uri))
    assert await command(client, "tfmend.reload") == {"reloaded": True}
    published = await client.wait_for(lambda: client.publishes(uri)[count:])
    [after] = published[0].diagnostics
    assert after.message == "`K.old_mean` (keras.backend.old_mean) was removed from Keras 3"


async def test_validate_fix_reports_what_it_cannot_do(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    answer = await command(client, "tfmend.validateFix", {"uri": uri, "range": _json(rng(1, 0))})
    assert answer["status"] == "error"
    assert (
        answer["message"]
        == f"nothing to validate: no fixable finding in {session.root / 'model.py'} on line 2"
    )
    [shown] = client.messages
    assert shown.type == types.MessageType.Info
    assert shown.message == f"tfmend: cannot validate model.py: {answer['message']}"
    # The same request with the uri and the range as two arguments (Sublime LSP's form).
    again = await command(client, "tfmend.validateFix", uri, _json(rng(1, 0)))
    assert again["message"] == answer["message"]

    unsaved = "untitled:Untitled-1"
    answer = await command(client, "tfmend.validateFix", {"uri": unsaved})
    assert answer["message"] == "validation needs a file saved on disk"


async def test_validation_can_be_turned_off(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root, options={"validation": {"enable": False}})
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    answer = await command(client, "tfmend.validateFix", {"uri": uri, "range": _json(rng(2, 4))})
    assert answer["message"] == "validation is turned off (tfmend.validation.enable)"
    actions = await session.code_actions(uri, rng(2, 6), only=["quickfix"])
    assert not [a for a in actions if a.title.startswith("Validate")]


def _json(range_: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": range_.start.line, "character": range_.start.character},
        "end": {"line": range_.end.line, "character": range_.end.character},
    }


@pytest.mark.tensorflow
@pytest.mark.slow
async def test_validate_a_fix_against_tensorflow(client: TestClient, workspace_root: Path) -> None:
    capabilities = types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True)
    )
    session = await start(client, workspace_root, capabilities)
    text = (
        "from keras import backend as K\nimport numpy as np\n\n"
        "y = K.mean(np.ones((2, 3)), axis=1)\n"
    )
    uri = session.open("model.py", text)
    await session.diagnostics(uri, version=1)
    fix = next(
        a
        for a in await session.code_actions(uri, rng(3, 5), only=["quickfix"])
        if a.title == "Validate this fix (TFM401)"
    )
    assert fix.command is not None
    answer = await command(client, fix.command.command, *(fix.command.arguments or []), timeout=600)
    assert answer["status"] == "passed", answer
    assert [c["kind"] for c in answer["checks"] if c["rule"] == "TFM401"] == ["api", "probe"]
    assert [check["status"] for check in answer["checks"]] == ["passed"] * len(answer["checks"])
    [shown] = client.messages
    assert shown.type == types.MessageType.Info
    checks = len(answer["checks"])
    assert shown.message == (
        f"tfmend: validation passed for the fix in model.py: {checks} checks run: {checks} passed, "
        "0 failed"
    )
    assert answer["fixes"] == [
        {
            "rule": "TFM401",
            "line": 4,
            "name": "K.mean",
            "message": answer["applied"][0]["message"],
            "safety": "safe",
            "status": "passed",
            "detail": "",
        }
    ]
    [reports] = [
        reports
        for reports in client.progress_reports.values()
        if isinstance(reports[0], types.WorkDoneProgressBegin)
        and reports[0].title == "tfmend: validating the fix"
    ]
    assert any(
        isinstance(r, types.WorkDoneProgressReport) and r.message == "importing TensorFlow"
        for r in reports
    )
    assert reports[-1] == types.WorkDoneProgressEnd(message="done")
    # The document is unchanged: validation works on a scratch copy.
    assert session.texts[uri] == text


@pytest.mark.tensorflow
@pytest.mark.slow
async def test_a_validated_unsafe_fix_is_applied_by_fix_all_until_the_text_changes(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    text = (
        "import tensorflow as tf\nfrom keras import backend as K\n\n"
        "v = tf.Variable(tf.zeros((3, 4)))\nshape = K.int_shape(v)\ny = K.mean(v)\n"
    )
    uri = session.open("model.py", text)
    await session.diagnostics(uri, version=1)
    quick = await session.code_actions(uri, rng(4, 10), only=["quickfix"])
    assert quick[0].title.startswith("TFM626: ")
    assert quick[0].title.endswith(" (unsafe)")
    assert quick[1].title == "Validate this fix (TFM626)"
    [before] = await session.code_actions(uri, rng(0, 0), only=["source.fixAll.tfmend"])
    assert before.edit is not None
    assert "K.int_shape(v)" in session.edited(uri, before.edit)  # unsafe: not applied yet

    validate = quick[1].command
    assert validate is not None
    answer = await command(client, validate.command, *(validate.arguments or []), timeout=600)
    assert answer["status"] == "passed", answer
    assert [(f["rule"], f["safety"], f["status"]) for f in answer["fixes"]] == [
        ("TFM626", "unsafe", "passed")
    ]
    [after] = await session.code_actions(uri, rng(0, 0), only=["source.fixAll.tfmend"])
    assert after.edit is not None
    fixed = session.edited(uri, after.edit)
    assert "shape = tuple(v.shape)\n" in fixed
    assert "K.mean" not in fixed

    version = session.replace_all(uri, text + "z = K.int_shape(v)\n")
    await session.diagnostics(uri, version=version)
    [changed] = await session.code_actions(uri, rng(0, 0), only=["source.fixAll.tfmend"])
    assert changed.edit is not None
    assert "K.int_shape(v)" in session.edited(uri, changed.edit)  # forgotten: the text changed
