"""Hover: the rule's explanation, a before/after example, the replacements; nothing elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp.harness import CLIENTS, TestClient, capabilities_for, rng, start

SOURCE = """\
from keras import backend as K

y = K.old_mean(x, axis=1)
t = K.old_floatx()
s = K.old_session()
"""

OLD_MEAN = """\
**TFM4901** `test-old-mean`: `K.old_mean` (keras.backend.old_mean) is gone; use `keras.ops.mean`

`old_mean` was removed; `keras.ops.mean` computes the same.

**Before**

```python
from keras import backend as K
y = K.old_mean(x, axis=1)
```

**After**

```python
import keras
y = keras.ops.mean(x, axis=1)
```

**Replacement:** `keras.ops.mean`

**Fix:** safe

[TFM4901 documentation](https://github.com/tfmend/tfmend/blob/main/docs/rules/TFM4901.md)"""

OLD_FLOATX = """\
**TFM4902** `test-old-floatx`: `K.old_floatx` is gone; use `keras.config.floatx`

Moved to `keras.config`.

**Replacement:** `keras.config.floatx`

**Fix:** unsafe: the configuration may differ between backends

[TFM4902 documentation](https://github.com/tfmend/tfmend/blob/main/docs/rules/TFM4902.md)"""

OLD_SESSION = """\
**TFM4903** `test-old-session`: `K.old_session` has no replacement

Rewrite the code by hand.

**Fix:** manual (no automatic rewrite)

[TFM4903 documentation](https://github.com/tfmend/tfmend/blob/main/docs/rules/TFM4903.md)"""


async def hover(client: TestClient, uri: str, line: int, character: int) -> types.Hover | None:
    """Hover at a position."""
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


@pytest.mark.parametrize("name", CLIENTS)
async def test_hover_explains_the_rule(client: TestClient, workspace_root: Path, name: str) -> None:
    session = await start(client, workspace_root, capabilities_for(name))
    uri = session.open("model.py", SOURCE)
    for line, character, text, end in (
        (2, 8, OLD_MEAN, 14),
        (3, 4, OLD_FLOATX, 16),
        (4, 17, OLD_SESSION, 17),
    ):
        found = await hover(client, uri, line, character)
        assert found is not None
        assert found.range == rng(line, 4, line, end)
        assert isinstance(found.contents, types.MarkupContent)
        assert found.contents.kind == types.MarkupKind.Markdown
        assert found.contents.value == text


async def test_no_hover_on_unflagged_names(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", SOURCE)
    for line, character in ((0, 29), (2, 0), (2, 16), (3, 17), (1, 0)):
        assert await hover(client, uri, line, character) is None


async def test_plain_text_when_the_client_has_no_markdown(
    client: TestClient, workspace_root: Path
) -> None:
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText])
        )
    )
    session = await start(client, workspace_root, capabilities)
    uri = session.open("model.py", SOURCE)
    found = await hover(client, uri, 3, 6)
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    assert found.contents.kind == types.MarkupKind.PlainText
    assert found.contents.value == OLD_FLOATX
