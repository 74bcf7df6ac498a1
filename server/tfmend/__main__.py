"""`python -m tfmend`: the command-line interface."""

from tfmend.cli import main

raise SystemExit(main())
