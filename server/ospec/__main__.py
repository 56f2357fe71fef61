"""`python -m ospec` is the `ospec` command."""

from ospec.cli import main

raise SystemExit(main())
