"""The ``skpoe`` command line: ``skpoe analyze`` (also ``python -m skpoe analyze``).

``skpoe groupings`` and ``skpoe bias`` live in ``_cli_study.py``; the helpers
here (reading a table, parsing modalities, checking the output) serve all three.
"""

import argparse
import csv
import fnmatch
import re
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from ._defaults import _mixed_logistic


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


def _add_groups_and_missing(parser, groups_more, missing_more):
    """``--groups`` and ``--missing-modality``, alike in every command."""
    parser.add_argument("--groups", metavar="COL",
                        help="column of group ids (e.g. patient): a group never straddles "
                        f"folds{groups_more}")
    parser.add_argument("--missing-modality", choices=["error", "drop"], default="error",
                        help="a row whose columns of a modality are all empty lacks that "
                        "modality: 'error' (default) stops, 'drop' leaves that modality's "
                        f"expert{missing_more}")


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


def _load_data(args):
    """(X, y, modalities, title, groups) from the bundled default or the user's table."""
    if args.data is None:
        given = [flag for flag, value in (("--target", args.target),
                                          ("--modality", args.modality),
                                          ("--groups", args.groups)) if value]
        if given:
            raise _UsageError(
                f"{', '.join(given)} given without a data file: name the table first, "
                "e.g. skpoe analyze study.csv --target diagnosis --modality image=img_*"
            )
        from .datasets import load_breast_cancer_modalities

        bunch = load_breast_cancer_modalities()
        title = "breast cancer (bundled; image-derived measurements of cell nuclei)"
        return bunch.data, bunch.target, bunch.modalities, title, None
    table, y = _table_and_target(args)
    modalities = _parse_modalities(args.modality, table.columns, args.target)
    used = sorted({c for cols in modalities.values() for c in cols}, key=list(table.columns).index)
    _as_categories(table, used)
    if y.nunique() < 2:
        raise _UsageError(f"target column {args.target!r} has only one class: {y.iloc[0]!r}")
    groups = _groups_column(args, table)
    return table[used], y, modalities, str(args.data), groups


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


def _analyze(args):
    from ._analyzer import ModalityDependencyAnalyzer

    X, y, modalities, title, groups = _load_data(args)
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    out = _check_output(args.output)  # still before the analysis: fail in seconds
    analyzer = ModalityDependencyAnalyzer(
        [(name, _mixed_logistic(), cols) for name, cols in modalities.items()],
        cv=args.cv,
        n_repeats=args.repeats,
        missing_modality=args.missing_modality,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        verbose=args.verbose,
    )
    start = time.perf_counter()
    analyzer.fit(X, y, groups=groups)
    elapsed = time.perf_counter() - start
    report = "\n".join([
        f"Data: {title}: {X.shape[0]} rows; modalities "
        + ", ".join(f"{n} ({len(c)} columns)" for n, c in modalities.items()),
        "Experts: median-imputed, scaled logistic regression per modality, its C chosen "
        "by 5-fold inner cross-validation on log-loss"
        + (f" (one-hot encoded categorical columns: {', '.join(map(str, categorical))})"
           if categorical else "")
        + "; inter expert HistGradientBoostingClassifier on all modalities"
        + (" (rows missing a whole modality left out of its expert)."
           if args.missing_modality == "drop" else "."),
        "",
        analyzer.summary(),
        "",
        f"Analysis wall time: {elapsed:.1f} s",
    ])
    print(report)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.txt").write_text(report + "\n")
    analyzer.results_.to_csv(out / "results.csv")
    analyzer.dependencies_.to_csv(out / "dependencies.csv")
    written = ["report.txt", "results.csv", "dependencies.csv"]
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        print("matplotlib is not installed: no plot (pip install 'skpoe[plot]')")
    else:
        analyzer.plot().savefig(out / "dependencies.png", dpi=120)
        written.append("dependencies.png")
    print(f"Wrote {', '.join(written)} to {out}/")
    return 0


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skpoe",
        description="Measure and model the modalities of a table with products of experts.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    analyze = sub.add_parser(
        "analyze",
        help="measure each modality's intra- and the inter-modality dependency",
        description="Cross-validate each modality's expert alone, the inter expert on all "
        "modalities, and their products; report the intra- and inter-modality "
        "dependencies, the regime and the recommended model.",
        epilog="examples:\n"
        "  skpoe analyze                      # the bundled breast-cancer data\n"
        "  skpoe analyze study.csv --target diagnosis --modality image=img_* \\\n"
        "      --modality clinical=age,sex,bmi --groups patient_id --cv 5 \\\n"
        "      --missing-modality drop --n-jobs 2 --output results/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    analyze.add_argument("data", nargs="?", help=".csv or .parquet table (default: bundled "
                         "breast-cancer data, modalities mean / error / worst)")
    analyze.add_argument("--target", help="name of the label column")
    analyze.add_argument("--modality", action="append", metavar="NAME=COLS",
                         help="a modality: comma-separated column names or glob patterns "
                         "such as img_* (repeat for each modality)")
    _add_groups_and_missing(
        analyze, "", " (and the inter expert, for rows not complete) out of the row. Empty "
        "cells inside a present modality are imputed with the column median inside each "
        "default expert; the inter expert (HistGradientBoosting) takes them as they are. "
        "Example: --missing-modality drop")
    analyze.add_argument("--cv", type=int, default=5,
                         help="number of folds (default 5), e.g. --cv 10")
    analyze.add_argument("--repeats", type=int, default=2,
                         help="repeats of the cross-validation, each on a new shuffle "
                         "(default 2): more repeats, less noise and a more powerful test, "
                         "at the cost of time; e.g. --repeats 1 for a quick look")
    analyze.add_argument("--random-state", type=int, default=0,
                         help="seed of the folds and permutations (default 0)")
    analyze.add_argument("--n-jobs", type=int, default=None,
                         help="(fold, expert) fits run in parallel, e.g. --n-jobs 2")
    analyze.add_argument("--verbose", type=int, default=1,
                         help="progress of the fits on stderr: 0 none, 1 (default) a line "
                         "per batch of fits")
    analyze.add_argument("--output", default="skpoe-output",
                         help="folder for report.txt, results.csv, dependencies.csv and "
                         "dependencies.png (default: skpoe-output)")
    analyze.set_defaults(func=_analyze)
    from ._cli_study import _add_parsers

    _add_parsers(sub)
    return parser


def main(argv=None):
    """Run the ``skpoe`` command line; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "cv", 2) < 2:
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
