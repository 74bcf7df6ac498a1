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
**TFM4901** `test-old-mean`

`old_mean` was removed; `keras.ops.mean` computes the same.

`K` is bound on line 1: `from keras import backend as K`

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
**TFM4902** `test-old-floatx`

Moved to `keras.config`.

`K` is bound on line 1: `from keras import backend as K`

**Replacement:** `keras.config.floatx`

**Fix:** unsafe: the configuration may differ between backends

[TFM4902 documentation](https://github.com/tfmend/tfmend/blob/main/docs/rules/TFM4902.md)"""

OLD_SESSION = """\
**TFM4903** `test-old-session`

Rewrite the code by hand.

`K` is bound on line 1: `from keras import backend as K`

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
    assert found.contents.value == (
        "TFM4902 `test-old-floatx`\n\n"
        "Moved to `keras.config`.\n\n"
        "`K` is bound on line 1: `from keras import backend as K`\n\n"
        "Replacement: `keras.config.floatx`\n\n"
        "Fix: unsafe: the configuration may differ between backends\n\n"
        "TFM4902 documentation: "
        "https://github.com/tfmend/tfmend/blob/main/docs/rules/TFM4902.md"
    )

    # Examples are indented code, not fences.
    found = await hover(client, uri, 2, 8)
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    assert "Before\n\n    from keras import backend as K\n    y = K.old_mean(x, axis=1)\n\n" in (
        found.contents.value
    )
    assert "```" not in found.contents.value
