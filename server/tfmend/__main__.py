"""`python -m tfmend`: the command-line interface."""

from tfmend.cli.entry import main

raise SystemExit(main())
