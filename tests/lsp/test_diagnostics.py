"""Diagnostics: codes, ranges, severities, tags, links and related imports, in every encoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp.harness import CLIENTS, TestClient, capabilities_for, rng, start
from tfmend.catalog.rules import builtin_catalog, docs_url

SOURCE = """\
from keras import backend as K

y = K.old_mean(x, axis=1)
t = K.old_floatx()
s = K.old_session()
e = K.old_epsilon
"""


def expected(uri: str) -> list[types.Diagnostic]:
    """What SOURCE shows (ASCII: the same columns in every encoding).

    `K` is bound in this same file: the hover says so, not a related-information row. Errors are
    not struck through; what still runs is. A fixable finding's data holds its planned edit
    (offsets of version 1's text), the import it adds after line 1, and the import its use came
    through.
    """

    def one(
        where: tuple[int, int],
        code: str,
        severity: types.DiagnosticSeverity,
        message: str,
        fix: str,
        edit: tuple[int, int, str] | None = None,
    ) -> types.Diagnostic:
        line, end = where
        data: dict[str, object] = {"fix": fix}
        if edit is not None:
            plan = [[list(edit)], ["import keras"], [], 31]
            data.update(v=1, plan=plan, origin="from keras import backend as K")
        return types.Diagnostic(
            range=rng(line, 4, line, end),
            message=message,
            severity=severity,
            code=code,
            code_description=types.CodeDescription(href=docs_url(code)),
            source="tfmend",
            tags=None
            if severity == types.DiagnosticSeverity.Error
            else (types.DiagnosticTag.Deprecated,),
            related_information=None,
            data=data,
        )

    return [
        one(
            (2, 14),
            "TFM4901",
            types.DiagnosticSeverity.Error,
            "`K.old_mean` (keras.backend.old_mean) is gone; use `keras.ops.mean`",
            "safe",
            (36, 57, "keras.ops.mean(x, axis=1)"),
        ),
        one(
            (3, 16),
            "TFM4902",
            types.DiagnosticSeverity.Warning,
            "`K.old_floatx` is gone; use `keras.config.floatx`",
            "unsafe",
            (62, 74, "keras.config.floatx"),
        ),
        one(
            (4, 17),
            "TFM4903",
            types.DiagnosticSeverity.Information,
            "`K.old_session` has no replacement",
            "none",
        ),
        one(
            (5, 17),
            "TFM4904",
            types.DiagnosticSeverity.Hint,
            "`K.old_epsilon` is deprecated",
            "safe",
            (101, 114, "keras.config.epsilon"),
        ),
    ]


@pytest.mark.parametrize("name", CLIENTS)
async def test_open_document_diagnostics(
    client: TestClient, workspace_root: Path, name: str
) -> None:
    session = await start(client, workspace_root, capabilities_for(name))
    uri = session.open("model.py", SOURCE)
    found = await session.diagnostics(uri, version=1)
    assert found == expected(uri)


async def test_builtin_rule_is_reported(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = session.open("builtin.py", "from keras import backend as K\ny = K.mean(x)\n")
    rule = builtin_catalog().by_code["TFM401"].for_target("tensorflow")
    assert rule is not None
    [found] = await session.diagnostics(uri, version=1)
    assert found.code == "TFM401"
    assert found.range == rng(1, 4, 1, 10)
    assert found.message == rule.render_message("K.mean", "keras.backend.mean")


async def test_change_updates_diagnostics(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", SOURCE)
    assert len(await session.diagnostics(uri, version=1)) == 4
    # Delete the line `t = K.old_floatx()`; the findings below it move up one line.
    version = session.change(uri, [(rng(3, 0, 4, 0), "")])
    found = await session.diagnostics(uri, version=version)
    assert [(d.code, d.range) for d in found] == [
        ("TFM4901", rng(2, 4, 2, 14)),
        ("TFM4903", rng(3, 4, 3, 17)),
        ("TFM4904", rng(4, 4, 4, 17)),
    ]
