"""The tfmend language server (pygls 2): `tfmend serve`; one LSP feature per module."""
