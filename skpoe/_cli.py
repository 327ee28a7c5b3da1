"""The ``skpoe`` command line: ``skpoe compare`` (and ``python -m skpoe compare``)."""

import argparse
import fnmatch
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


class _UsageError(Exception):
    """A problem with the user's command or data: printed as one line, exit code 2."""


def _read_table(path):
    path = Path(path)
    if not path.exists():
        raise _UsageError(f"data file not found: {path}")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() in (".csv", ".txt"):
            return pd.read_csv(path)
        if path.suffix.lower() == ".tsv":
            return pd.read_csv(path, sep="\t")
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
    """(X, y, modalities, title) from the bundled default or the user's table."""
    if args.data is None:
        from .datasets import load_breast_cancer_modalities

        bunch = load_breast_cancer_modalities()
        return bunch.data, bunch.target, bunch.modalities, "breast cancer (bundled)"
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
    return table[used], y, modalities, str(args.data)


def _default_expert():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _compare(args):
    from sklearn.model_selection import StratifiedKFold, cross_validate

    from ._product import ProductOfExpertsClassifier

    X, y, modalities, title = _load_data(args)
    poe = ProductOfExpertsClassifier(
        [(name, _default_expert(), cols) for name, cols in modalities.items()],
        n_jobs=args.n_jobs,
    )
    names = list(modalities)
    # Each model is the same classifier with experts dropped: fusion choices are
    # just parameter settings, the way a grid search would explore them.
    models = {f"{n} alone": {m: "drop" for m in names if m != n} | {"inter_estimator": "drop"}
              for n in names}
    models["early fusion (inter alone)"] = {m: "drop" for m in names}
    models["product of intra experts"] = {"inter_estimator": "drop"}
    models["product of intra + inter"] = {}
    cv = StratifiedKFold(n_splits=args.cv, shuffle=True, random_state=args.random_state)
    rows = []
    start = time.perf_counter()
    for label, params in models.items():
        scores = cross_validate(
            _with(poe, params),
            X, y, cv=cv, scoring=("accuracy", "neg_log_loss"),
        )
        rows.append({
            "model": label,
            "accuracy": scores["test_accuracy"].mean(),
            "accuracy_sd": scores["test_accuracy"].std(ddof=1),
            "log_loss": -scores["test_neg_log_loss"].mean(),
            "log_loss_sd": scores["test_neg_log_loss"].std(ddof=1),
        })
    table = pd.DataFrame(rows).set_index("model")
    print(f"Cross-validated comparison on {title}: {X.shape[0]} rows, modalities "
          + ", ".join(f"{n} ({len(c)} columns)" for n, c in modalities.items()))
    print(f"{args.cv}-fold stratified CV; experts: scaled logistic regression per modality, "
          "HistGradientBoostingClassifier on all modalities (inter).\n")
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 120):
        print(table.to_string())
    print(f"\nwall time: {time.perf_counter() - start:.1f} s")
    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "comparison.csv")
        print(f"wrote {out / 'comparison.csv'}")
    return 0


def _with(estimator, params):
    from sklearn.base import clone

    return clone(estimator).set_params(**params)


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skpoe",
        description="Measure and model the modalities of a table with products of experts.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    compare = sub.add_parser(
        "compare",
        help="cross-validate each modality alone, early fusion and the products of experts",
    )
    compare.add_argument("data", nargs="?", help=".csv or .parquet table (default: bundled "
                         "breast-cancer data, modalities mean / error / worst)")
    compare.add_argument("--target", help="name of the label column")
    compare.add_argument("--modality", action="append", metavar="NAME=COLS",
                         help="a modality: comma-separated column names or glob patterns "
                         "such as img_* (repeat for each modality)")
    compare.add_argument("--cv", type=int, default=5, help="number of folds (default 5)")
    compare.add_argument("--random-state", type=int, default=0)
    compare.add_argument("--n-jobs", type=int, default=None)
    compare.add_argument("--output", help="folder to write comparison.csv into")
    compare.set_defaults(func=_compare)
    return parser


def main(argv=None):
    """Run the ``skpoe`` command line; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "cv", 2) < 2:
        parser.error("--cv must be at least 2")
    try:
        return args.func(args)
    except _UsageError as exc:
        print(f"skpoe: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
