"""Text edits and rendering qualified names through a file's imports."""
