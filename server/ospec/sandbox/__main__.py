"""`python -m ospec.sandbox` runs the sandbox server (edge)."""

from __future__ import annotations

from ospec.sandbox.cli import main

raise SystemExit(main())
