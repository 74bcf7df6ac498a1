"""The whole project: files that are not open, progress, re-exports, watched files, pulling."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from tests.lsp.harness import TIMEOUT, Session, TestClient, capabilities_for, rng, start

USES = "from keras import backend as K\n\ny = K.old_mean(x)\n"


def project(root: Path) -> None:
    """A few files: two with findings, one clean, one excluded, one git-ignored."""
    (root / "a.py").write_text(USES, encoding="utf-8")
    (root / "b.py").write_text("import keras\n\ny = keras.ops.mean(x)\n", encoding="utf-8")
    (root / "pkg").mkdir()
    (root / "pkg" / "c.py").write_text("import keras.backend as kb\nz = kb.old_floatx()\n")
    (root / "build").mkdir()
    (root / "build" / "gen.py").write_text(USES, encoding="utf-8")
    (root / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    (root / "ignored.py").write_text(USES, encoding="utf-8")


def changed(session: Session, name: str, kind: types.FileChangeType) -> None:
    """Tell the server a file changed on disk."""
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=session.uri(name), type=kind)]
        )
    )


async def test_files_that_are_not_open_are_reported_with_progress(
    client: TestClient, workspace_root: Path
) -> None:
    project(workspace_root)
    session = await start(client, workspace_root, capabilities_for("visual_studio_code"))
    a = await client.wait_for_diagnostics(session.uri("a.py"))
    assert [(d.code, d.range) for d in a] == [("TFM4901", rng(2, 4, 2, 14))]
    c = await client.wait_for_diagnostics(session.uri("pkg/c.py"))
    assert [(d.code, d.range) for d in c] == [("TFM4902", rng(1, 4, 1, 17))]
    assert c[0].related_information is None  # bound in pkg/c.py itself
    await client.wait_for(
        lambda: any(
            isinstance(report, types.WorkDoneProgressEnd)
            for reports in client.progress_reports.values()
            for report in reports
        )
    )
    [reports] = client.progress_reports.values()
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].title == "tfmend: checking the workspace"
    assert reports[-1] == types.WorkDoneProgressEnd(message="3 files checked")
    published = {params.uri for params in client.published}
    assert published == {session.uri("a.py"), session.uri("pkg/c.py")}
    # The client was asked to watch Python files and the configuration.
    assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]


async def test_changes_on_disk_are_picked_up(client: TestClient, workspace_root: Path) -> None:
    project(workspace_root)
    session = await start(client, workspace_root)
    await client.wait_for_diagnostics(session.uri("a.py"))
    (workspace_root / "b.py").write_text(USES, encoding="utf-8")
    changed(session, "b.py", types.FileChangeType.Changed)
    b = await client.wait_for_diagnostics(session.uri("b.py"))
    assert [d.code for d in b] == ["TFM4901"]
    (workspace_root / "a.py").unlink()
    changed(session, "a.py", types.FileChangeType.Deleted)
    assert await client.wait_for(
        lambda: client.publishes(session.uri("a.py"))[-1].diagnostics == ()
    )


async def test_reexports_follow_the_exporting_file(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    session.write("utils.py", "from keras import backend as K\n")
    session.write("other.py", "from utils import K\nz = K.old_floatx()\n")
    uri = session.open("model.py", "from utils import K\ny = K.old_mean(x)\n")
    [found] = await session.diagnostics(uri, version=1)
    assert found.range == rng(1, 4, 1, 14)
    assert found.related_information is not None
    assert found.related_information[0].location == types.Location(
        uri=session.uri("utils.py"), range=rng(0, 18, 0, 30)
    )
    other = session.uri("other.py")
    [closed] = await client.wait_for_diagnostics(other)
    assert closed.code == "TFM4902"
    before = len(client.publishes(uri))

    # utils.py now re-exports tf_keras' backend, which is fine: both dependents go quiet.
    session.write("utils.py", "import tf_keras.backend as K\n")
    changed(session, "utils.py", types.FileChangeType.Changed)
    republished = await client.wait_for(lambda: client.publishes(uri)[before:])
    assert republished[-1].diagnostics == ()
    assert await client.wait_for(lambda: client.publishes(other)[-1].diagnostics == ())


async def test_saving_an_exporter_rechecks_open_importers(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    utils = session.open("utils.py", "import tf_keras.backend as K\n")
    uri = session.open("model.py", "from utils import K\ny = K.old_mean(x)\n")
    assert await session.diagnostics(uri, version=1) == []
    session.write("utils.py", "from keras import backend as K\n")
    session.change(utils, [(rng(0, 0, 0, 28), "from keras import backend as K")])
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=utils))
    )
    found = await client.wait_for(lambda: client.publishes(uri)[-1].diagnostics)
    assert [d.code for d in found] == ["TFM4901"]


async def test_unsaved_edits_of_an_exporter_reach_its_importers(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    session.write("utils.py", "import tf_keras.backend as K\n")
    utils = session.open("utils.py", "import tf_keras.backend as K\n")
    uri = session.open("model.py", "from utils import K\ny = K.old_mean(x)\n")
    assert await session.diagnostics(uri, version=1) == []
    # Typed, not saved: utils.py on disk still imports tf_keras.
    session.change(utils, [(rng(0, 0, 0, 28), "from keras import backend as K")])
    found = await client.wait_for(lambda: client.publishes(uri)[-1].diagnostics)
    assert [d.code for d in found] == ["TFM4901"]


def pulling() -> types.ClientCapabilities:
    """A client that pulls diagnostics and can be asked to pull again."""
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            diagnostic=types.DiagnosticClientCapabilities()
        ),
        workspace=types.WorkspaceClientCapabilities(
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
        ),
    )


async def test_pulled_workspace_diagnostics(client: TestClient, workspace_root: Path) -> None:
    project(workspace_root)
    session = await start(client, workspace_root, pulling())
    assert session.pull
    report = await asyncio.wait_for(
        client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[])),
        TIMEOUT,
    )
    found = {
        item.uri: [(d.code, d.range) for d in item.items]
        for item in report.items
        if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)
    }
    assert found == {
        session.uri("a.py"): [("TFM4901", rng(2, 4, 2, 14))],
        session.uri("pkg/c.py"): [("TFM4902", rng(1, 4, 1, 17))],
    }
    assert client.published == []

    # A closed file pulled on its own; pulled again unchanged.
    params = types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=session.uri("a.py"))
    )
    first = await client.text_document_diagnostic_async(params)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert first.result_id is not None
    params.previous_result_id = first.result_id
    again = await client.text_document_diagnostic_async(params)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)

    # A change on disk makes the server ask the client to pull again.
    refreshes = client.diagnostic_refresh_count
    (workspace_root / "b.py").write_text(USES, encoding="utf-8")
    changed(session, "b.py", types.FileChangeType.Changed)
    await client.wait_for(lambda: client.diagnostic_refresh_count > refreshes)
    b = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=session.uri("b.py"))
        )
    )
    assert isinstance(b, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in b.items] == ["TFM4901"]
