"""The rule catalog: schema, loading, call templates and tfmend's own codes."""
