"""The ``skpoe`` command line: ``skpoe analyze``, ``skpoe groupings`` and ``skpoe bias``.

One module per command (``_analyze.py``, ``_groupings.py``, ``_bias.py``), each
with its parser; what they share (reading a table, parsing modalities, the
common options) is in ``_common.py``.
"""

import argparse
import sys

from . import _analyze, _bias, _groupings
from ._common import _UsageError


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skpoe",
        description="Measure and model the modalities of a table with products of experts.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in (_analyze, _groupings, _bias):
        command._add_parser(sub)
    return parser


def main(argv=None):
    """Run the ``skpoe`` command line; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.cv < 2:
        parser.error("--cv must be at least 2")
    if getattr(args, "repeats", 1) < 1:
        parser.error("--repeats must be at least 1")
    try:
        return args.func(args)
    except (_UsageError, ValueError, TypeError) as exc:  # incl. the estimators' own messages
        print(f"skpoe: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
