"""``python -m skpoe``: the command line (see :mod:`skpoe._cli`)."""

import sys

from ._cli._main import main

if __name__ == "__main__":
    sys.exit(main())
