"""`python -m relookx`: the command line (see `relookx.cli`)."""

from relookx.cli import main

raise SystemExit(main())
