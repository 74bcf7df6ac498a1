"""`python -m tfmend`: the command-line interface."""

from tfmend.cli.main import main

raise SystemExit(main())
