"""`python -m policies test|eval ...` (the same as `gerbang policy ...`)."""

from policies.cli import main

raise SystemExit(main())
