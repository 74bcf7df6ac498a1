"""Name resolution: bindings, name families, project re-exports, the installed API surface."""
