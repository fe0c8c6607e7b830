"""`python -m gateway` is the `gerbang` command."""

from gateway.cli import main

raise SystemExit(main())
