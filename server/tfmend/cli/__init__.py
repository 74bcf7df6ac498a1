"""The `tfmend` command line: thin over the engine, converting types only."""
