"""The ``skpoe`` command line: ``skpoe analyze`` (also ``python -m skpoe analyze``)."""

import argparse
import fnmatch
import sys
import time
from pathlib import Path

import pandas as pd


class _UsageError(Exception):
    """A problem with the user's command or data: printed as one line, exit code 2."""


def _read_table(path):
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
        if path.suffix.lower() in (".csv", ".txt"):
            return pd.read_csv(path)
        if path.suffix.lower() == ".tsv":
            return pd.read_csv(path, sep="\t")
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
        elif item in columns:
            matched = [item]
        else:
            raise _UsageError(f"modality {name!r}: unknown column {item!r}")
        selected += [c for c in matched if c not in selected and c != target]
    if not selected:
        raise _UsageError(f"modality {name!r} selects no column besides the target")
    return name, selected


def _load_data(args):
    """(X, y, modalities, title, groups) from the bundled default or the user's table."""
    if args.data is None:
        from .datasets import load_breast_cancer_modalities

        bunch = load_breast_cancer_modalities()
        title = "breast cancer (bundled; image-derived measurements of cell nuclei)"
        return bunch.data, bunch.target, bunch.modalities, title, None
    table = _read_table(args.data)
    if args.target is None:
        raise _UsageError("--target is required with a data file")
    if args.target not in table.columns:
        raise _UsageError(f"unknown target column {args.target!r}")
    if not args.modality:
        raise _UsageError("give at least one --modality NAME=COLS with a data file")
    modalities = dict(_parse_modality(m, list(table.columns), args.target) for m in args.modality)
    used = sorted({c for cols in modalities.values() for c in cols}, key=list(table.columns).index)
    non_numeric = [c for c in used if not pd.api.types.is_numeric_dtype(table[c])]
    if non_numeric:
        raise _UsageError(
            f"non-numeric column {non_numeric[0]!r}: the default experts take numbers only; "
            "encode it first"
        )
    y = table[args.target]
    if y.isna().any():
        raise _UsageError(f"target column {args.target!r} has {int(y.isna().sum())} missing values")
    if y.nunique() < 2:
        raise _UsageError(f"target column {args.target!r} has only one class: {y.iloc[0]!r}")
    groups = None
    if args.groups is not None:
        if args.groups not in table.columns:
            raise _UsageError(f"unknown groups column {args.groups!r}")
        groups = table[args.groups].to_numpy()
    return table[used], y, modalities, str(args.data), groups


def _default_expert():
    """Median imputation (NaN inside a present modality), scaling, logistic regression."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         LogisticRegression(max_iter=1000))


def _analyze(args):
    from ._analyzer import ModalityDependencyAnalyzer

    X, y, modalities, title, groups = _load_data(args)
    analyzer = ModalityDependencyAnalyzer(
        [(name, _default_expert(), cols) for name, cols in modalities.items()],
        cv=args.cv,
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
        "Experts: median-imputed, scaled logistic regression per modality; inter expert "
        "HistGradientBoostingClassifier on all modalities"
        + (" (rows missing a whole modality left out of its expert)."
           if args.missing_modality == "drop" else "."),
        "",
        analyzer.summary(),
        "",
        f"Analysis wall time: {elapsed:.1f} s",
    ])
    print(report)
    out = Path(args.output)
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
    )
    analyze.add_argument("data", nargs="?", help=".csv or .parquet table (default: bundled "
                         "breast-cancer data, modalities mean / error / worst)")
    analyze.add_argument("--target", help="name of the label column")
    analyze.add_argument("--modality", action="append", metavar="NAME=COLS",
                         help="a modality: comma-separated column names or glob patterns "
                         "such as img_* (repeat for each modality)")
    analyze.add_argument("--groups", metavar="COL",
                         help="column of group ids (e.g. patient): a group never straddles "
                         "folds")
    analyze.add_argument("--missing-modality", choices=["error", "drop"], default="error",
                         help="a row whose columns of a modality are all empty lacks that "
                         "modality: 'error' (default) stops, 'drop' leaves that modality's "
                         "expert (and the inter expert, for rows not complete) out of the row. "
                         "Empty cells inside a present modality are imputed with the column "
                         "median inside each default expert; the inter expert "
                         "(HistGradientBoosting) takes them as they are. Example: "
                         "--missing-modality drop")
    analyze.add_argument("--cv", type=int, default=5, help="number of folds (default 5)")
    analyze.add_argument("--random-state", type=int, default=0)
    analyze.add_argument("--n-jobs", type=int, default=None)
    analyze.add_argument("--verbose", type=int, default=0)
    analyze.add_argument("--output", default="skpoe-output",
                         help="folder for report.txt, results.csv, dependencies.csv and "
                         "dependencies.png (default: skpoe-output)")
    analyze.set_defaults(func=_analyze)
    return parser


def main(argv=None):
    """Run the ``skpoe`` command line; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "cv", 2) < 2:
        parser.error("--cv must be at least 2")
    try:
        return args.func(args)
    except (_UsageError, ValueError, TypeError) as exc:  # incl. the estimators' own messages
        print(f"skpoe: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
