"""`python -m lstm_core ...`: see lstm_core/cli.py."""

import sys

from .tools.cli import main

sys.exit(main())
