"""Run one entry point as `python runner.py RESULT SCRIPT PATH...` and write its outcome as JSON.

Started in the project's interpreter (only the standard library here): PATH... go first on
sys.path, SCRIPT runs as `__main__`, and RESULT receives {"ok": true} or the exception's type,
message and traceback frames, innermost last.
"""

import json
import runpy
import sys
import traceback


def main() -> None:
    """Run the script; record how it ended."""
    result, script, *paths = sys.argv[1:]
    sys.path[:0] = paths
    sys.argv = [script]
    outcome: dict[str, object] = {"ok": True}
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as error:
        if error.code not in (0, None):
            outcome = {"ok": False, "type": "SystemExit", "message": str(error.code), "frames": []}
    except BaseException as error:  # the program's failure is the measurement
        frames = traceback.extract_tb(error.__traceback__)
        outcome = {
            "ok": False,
            "type": type(error).__name__,
            "message": str(error),
            "frames": [[frame.filename, frame.lineno] for frame in frames],
        }
    with open(result, "w", encoding="utf-8") as out:
        json.dump(outcome, out)


if __name__ == "__main__":
    main()
