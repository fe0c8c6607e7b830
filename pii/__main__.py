"""`python -m pii scan|mask`: the same commands as `gerbang pii`."""

from pii.cli import main

raise SystemExit(main())
