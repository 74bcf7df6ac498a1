"""Settings: initializationOptions > workspace/configuration > pyproject.toml > defaults, reloaded
on change; bad values warn; a broken rule file is reported once; one set per workspace folder."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.lsp.harness import PYPROJECT, RULES, TestClient, start

SOURCE = """\
from keras import backend as K

a = K.old_mean(x)
t = K.old_floatx()
s = K.old_session()
e = K.old_epsilon
"""
EVERY_CODE = ["TFM4901", "TFM4902", "TFM4903", "TFM4904"]


def configured() -> types.ClientCapabilities:
    """Capabilities of a client that answers workspace/configuration."""
    return types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=True))


def codes(found: list[types.Diagnostic]) -> list[str]:
    """The codes, in order."""
    return [str(d.code) for d in found]


async def latest_codes(client: TestClient, uri: str, before: int) -> list[str]:
    """The codes of the first publish for `uri` after the first `before` ones."""
    published = await client.wait_for(lambda: client.publishes(uri)[before:])
    return codes(list(published[0].diagnostics))


async def test_select_and_ignore_follow_configuration_changes(
    client: TestClient, workspace_root: Path
) -> None:
    client.set_configuration({"select": ["TFM4901", "TFM4903"]}, section="tfmend")
    session = await start(client, workspace_root, configured())
    uri = session.open("model.py", SOURCE)
    assert codes(await session.diagnostics(uri, version=1)) == ["TFM4901", "TFM4903"]

    before = len(client.publishes(uri))
    client.set_configuration({"ignore": ["TFM4901"]}, section="tfmend")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await latest_codes(client, uri, before) == ["TFM4902", "TFM4903", "TFM4904"]


async def test_settings_pushed_with_the_change_notification(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", SOURCE)
    assert codes(await session.diagnostics(uri, version=1)) == EVERY_CODE
    before = len(client.publishes(uri))
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"tfmend": {"select": ["TFM4904"]}})
    )
    assert await latest_codes(client, uri, before) == ["TFM4904"]


async def test_initialization_options_win_over_workspace_configuration(
    client: TestClient, workspace_root: Path
) -> None:
    client.set_configuration({"select": ["TFM4901"], "ignore": ["TFM4903"]}, section="tfmend")
    session = await start(
        client, workspace_root, configured(), options={"select": ["TFM4902", "TFM4903"]}
    )
    uri = session.open("model.py", SOURCE)
    assert codes(await session.diagnostics(uri, version=1)) == ["TFM4902"]


async def test_workspace_configuration_wins_over_pyproject(
    client: TestClient, workspace_root: Path
) -> None:
    (workspace_root / "pyproject.toml").write_text(PYPROJECT + 'ignore = ["TFM4904"]\n')
    session = await start(client, workspace_root, configured())
    uri = session.open("model.py", SOURCE)
    assert codes(await session.diagnostics(uri, version=1)) == ["TFM4901", "TFM4902", "TFM4903"]

    before = len(client.publishes(uri))
    client.set_configuration({"ignore": ["TFM4903"]}, section="tfmend")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert await latest_codes(client, uri, before) == ["TFM4901", "TFM4902", "TFM4904"]


async def test_pyproject_changes_are_picked_up(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", SOURCE)
    assert codes(await session.diagnostics(uri, version=1)) == EVERY_CODE
    before = len(client.publishes(uri))
    (workspace_root / "pyproject.toml").write_text(PYPROJECT + 'select = ["TFM4902"]\n')
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=session.uri("pyproject.toml"), type=types.FileChangeType.Changed
                )
            ]
        )
    )
    assert await latest_codes(client, uri, before) == ["TFM4902"]


async def test_bad_values_warn_and_fall_back(client: TestClient, workspace_root: Path) -> None:
    options = {
        "select": "TFM4901",
        "unsafeFixes": "yes",
        "logLevel": "loud",
        "validation": {"timeout": -1, "gpu": True},
    }
    session = await start(client, workspace_root, options=options)
    uri = session.open("model.py", SOURCE)
    assert codes(await session.diagnostics(uri, version=1)) == EVERY_CODE
    warnings = [m.message for m in client.log_messages if m.type == types.MessageType.Warning]
    assert warnings == [
        "initializationOptions: tfmend.select: expected a list of code prefixes, got 'TFM4901'; "
        "using the default",
        "initializationOptions: tfmend.unsafeFixes: expected true or false, got 'yes'; "
        "using the default",
        "initializationOptions: tfmend.logLevel: expected one of error, warning, info, debug, "
        "got 'loud'; using the default",
        "initializationOptions: tfmend.validation.timeout: expected a positive number of seconds, "
        "got -1; using the default",
    ]


async def test_a_broken_rule_file_is_reported_once(
    client: TestClient, workspace_root: Path
) -> None:
    (workspace_root / "broken.yaml").write_text("schema: 1\nrules:\n  - code: nope\n")
    session = await start(client, workspace_root, options={"extendRules": ["broken.yaml"]})
    first = session.open("model.py", SOURCE)
    second = session.open("other.py", "from keras import backend as K\ny = K.mean(x)\n")
    # The built-in catalog and the good rule file keep working.
    assert codes(await session.diagnostics(first, version=1)) == EVERY_CODE
    assert codes(await session.diagnostics(second, version=1)) == ["TFM401"]
    errors = [m for m in client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1
    assert errors[0].message.startswith(
        f"tfmend: the rules file {workspace_root / 'broken.yaml'} is broken and was skipped; "
        "the other rules still apply.\n"
    )
    assert "rules[0].code: 'nope' is not a code like TFM401" in errors[0].message


async def test_each_workspace_folder_has_its_settings(client: TestClient, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, extra in ((first, 'select = ["TFM4901"]\n'), (second, "")):
        folder.mkdir()
        (folder / "tfmend-rules.yaml").write_text(RULES)
        (folder / "pyproject.toml").write_text(PYPROJECT + extra)
    client.set_configuration({"ignore": ["TFM4902"]}, section="tfmend", scope_uri=second.as_uri())
    session = await start(client, first, configured(), folders=[first, second])
    one = session.open("../first/model.py", SOURCE)
    two = session.open("../second/model.py", SOURCE)
    assert codes(await session.diagnostics(one, version=1)) == ["TFM4901"]
    assert codes(await session.diagnostics(two, version=1)) == ["TFM4901", "TFM4903", "TFM4904"]


async def test_log_level_setting(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root, options={"logLevel": "warning"})
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    session.open("notes.txt", "not python", language="plaintext")
    quiet = [m for m in client.log_messages if not m.message.startswith("tfmend 0.1.0 serving")]
    assert all(m.type in (types.MessageType.Warning, types.MessageType.Error) for m in quiet)
