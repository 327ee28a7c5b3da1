"""What every command shares: reading the table, parsing modalities, the common options."""

import argparse
import csv
import fnmatch
import re
import sys
import tempfile
from pathlib import Path

import pandas as pd


class _UsageError(Exception):
    """A problem with the user's command or data: printed as one line, exit code 2."""


def _read_table(path):
    table = _read_file(path)
    if table.shape[0] == 0:
        raise _UsageError(f"{path} has 0 rows (a header only?): nothing to analyse")
    return table


def _csv_format(path):
    """``read_csv`` options of the file: its separator, and its decimal mark.

    Sniffed from its first lines, so that a semicolon-separated file (a European
    spreadsheet, often with decimal commas) is not read as one column, its target
    then reported unknown. Comma and '.' when nothing else fits.
    """
    with open(path, newline="", errors="replace") as handle:
        sample = "".join(handle.readline() for _ in range(20))
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
    decimal = "," if sep != "," and re.search(r"\d,\d", sample) else "."
    return {"sep": sep, "decimal": decimal}


def _read_file(path):
    path = Path(path)
    if not path.exists():
        raise _UsageError(f"data file not found: {path}")
    try:
        if path.suffix.lower() == ".parquet":
            try:
                return pd.read_parquet(path)
            except ImportError:
                raise _UsageError(
                    f"cannot read {path}: parquet needs pyarrow (pip install 'skpoe[parquet]')"
                ) from None
        if path.suffix.lower() in (".csv", ".txt", ".tsv"):
            return pd.read_csv(path, **_csv_format(path))
    except _UsageError:
        raise
    except Exception as exc:  # pandas raises many types for unreadable files
        raise _UsageError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None
    raise _UsageError(f"unsupported file type {path.suffix!r} for {path}: use .csv or .parquet")


def _parse_modality(text, columns, target):
    """``NAME=COLS`` with COLS comma-separated names or glob patterns -> (name, [cols])."""
    name, sep, spec = text.partition("=")
    if not sep or not name or not spec:
        raise _UsageError(f"--modality {text!r}: expected NAME=COL1,COL2 or NAME=pattern*")
    selected = []
    for item in (s.strip() for s in spec.split(",")):
        if any(ch in item for ch in "*?["):
            matched = fnmatch.filter([str(c) for c in columns], item)
            if not matched:
                raise _UsageError(f"modality {name!r}: pattern {item!r} matches no column")
        elif item == target:
            raise _UsageError(
                f"modality {name!r} names the target column {target!r}: a modality may "
                "not contain the label"
            )
        elif item in columns:
            matched = [item]
        else:
            raise _UsageError(
                f"modality {name!r}: unknown column {item!r}{_close_names(item, columns)}"
            )
        if target in matched:
            print(f"note: modality {name!r}: pattern {item!r} matches the target column "
                  f"{target!r}; it is left out of the modality", file=sys.stderr)
        selected += [c for c in matched if c not in selected and c != target]
    if not selected:
        raise _UsageError(f"modality {name!r} selects no column besides the target")
    return name, selected


def _close_names(name, columns):
    """`` (did you mean ...?)`` with the columns closest to ``name``, or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.5)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""


def _table_and_target(args):
    """(table, label column) of the data file, the target checked."""
    table = _read_table(args.data)
    if args.target is None:
        raise _UsageError("--target is required with a data file")
    if args.target not in table.columns:
        raise _UsageError(
            f"unknown target column {args.target!r}{_close_names(args.target, table.columns)}"
        )
    y = table[args.target]
    if y.isna().any():
        raise _UsageError(f"target column {args.target!r} has {int(y.isna().sum())} missing values")
    return table, y


def _groups_column(args, table):
    """The ``--groups`` column's values (e.g. patient ids), or None; checked by name."""
    if args.groups is None:
        return None
    if args.groups not in table.columns:
        raise _UsageError(
            f"unknown groups column {args.groups!r}{_close_names(args.groups, table.columns)}"
        )
    return table[args.groups].to_numpy()


def _parse_modalities(texts, columns, target):
    """Repeated ``NAME=COLS`` arguments -> {name: [cols]}, each name once."""
    if not texts:
        raise _UsageError("give at least one --modality NAME=COLS with a data file")
    modalities = {}
    for text in texts:
        name, selected = _parse_modality(text, list(columns), target)
        if name in modalities:
            raise _UsageError(f"modality {name!r} is given twice: give each name once")
        modalities[name] = selected
    return modalities


def _as_categories(table, columns):
    """Text and boolean columns of the table read from disk as ``category``, in place.

    The default experts one-hot encode them (the intra experts) or split on their
    levels (HistGradientBoosting, ``categorical_features="from_dtype"``).
    """
    for column in columns:
        if (not pd.api.types.is_numeric_dtype(table[column])
                or pd.api.types.is_bool_dtype(table[column])):
            table[column] = table[column].astype("category")


def _check_output(path):
    """Create --output and prove it writable, before any computation."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--output {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise _UsageError(f"--output {out}: cannot write there ({exc.strerror})") from None
    return out


def _bundled_breast_cancer():
    from ..datasets import load_breast_cancer_modalities

    data = load_breast_cancer_modalities()
    return data.data, data.target, data.modalities


def _add_command(sub, name, *, help, description, examples, data="(default: bundled)"):
    """A command's parser: its help, description, examples and the table it reads."""
    parser = sub.add_parser(name, help=help, description=description,
                            epilog="examples:\n" + "\n".join(f"  {e}" for e in examples),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", help=f".csv or .parquet table {data}")
    return parser


def _add_common(parser, *, output, verbose, groups_more, missing_more, cv="", repeats=True):
    """The options every command takes, declared once: the table's target, the folds,
    the seed, the parallel fits, the groups, missing modalities, progress and output."""
    parser.add_argument("--target", help="name of the label column")
    parser.add_argument("--cv", type=int, default=5,
                        help=f"number of folds (default 5{cv}), e.g. --cv 10")
    if repeats:
        parser.add_argument("--repeats", type=int, default=2,
                            help="repeats of the cross-validation, each on a new shuffle "
                            "(default 2): more repeats, less noise and a more powerful test, "
                            "at the cost of time; e.g. --repeats 1 for a quick look")
    parser.add_argument("--random-state", type=int, default=0,
                        help="seed of the folds and permutations (default 0)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="fits run in parallel, e.g. --n-jobs 2")
    parser.add_argument("--groups", metavar="COL",
                        help="column of group ids (e.g. patient): a group never straddles "
                        f"folds{groups_more}")
    parser.add_argument("--missing-modality", choices=["error", "drop"], default="error",
                        help="a row whose columns of a modality are all empty lacks that "
                        "modality: 'error' (default) stops, 'drop' leaves that modality's "
                        f"expert{missing_more}")
    parser.add_argument("--verbose", type=int, default=1, help=verbose)
    parser.add_argument("--output", default="skpoe-output", help=output)
