"""`python -m lstm_core ...`: see lstm_core/tools/cli.py.

TensorFlow's native start-up lines are dropped from stderr first
(`tools/quiet.py`); progress goes to the real stderr.
"""

import sys

from .tools.cli import main
from .tools.quiet import filter_native_stderr

sys.exit(main(progress=filter_native_stderr()))
