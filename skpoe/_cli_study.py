"""``skpoe groupings`` and ``skpoe bias``: which columns form a modality, and modality bias."""

import argparse
import pickle
from pathlib import Path

import numpy as np

from ._cli import (
    _add_groups_and_missing,
    _as_categories,
    _check_output,
    _groups_column,
    _parse_modalities,
    _parse_modality,
    _table_and_target,
    _UsageError,
)
from ._defaults import _boosted_trees, _mixed_logistic
from ._threads import _fit_threads


def _bundled_breast_cancer():
    from .datasets import load_breast_cancer_modalities

    data = load_breast_cancer_modalities()
    return data.data, data.target, data.modalities


def _measurement_families(columns):
    """Breast cancer's ten measurements (radius, texture, ...), each over its three views."""
    families = {}
    for column in columns:
        family = column.replace("mean ", "").replace("worst ", "").replace(" error", "")
        families.setdefault(family.replace(" ", "_"), []).append(column)
    return families


def _parse_grouping(text, columns, target):
    """``NAME:mod=cols;mod=cols`` -> (name, {mod: [cols]})."""
    name, sep, spec = text.partition(":")
    if not sep or not name or not spec:
        raise _UsageError(f"--grouping {text!r}: expected NAME:mod=COLS;mod=COLS")
    modalities = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        modality, cols = _parse_modality(part, columns, target)
        if modality in modalities:
            raise _UsageError(f"grouping {name!r}: modality {modality!r} is given twice")
        modalities[modality] = cols
    return name, modalities


def _groupings(args):
    from ._groupings import compare_groupings

    if args.data is None:
        if args.target or args.grouping or args.groups:
            raise _UsageError("--target/--grouping/--groups given without a data file")
        X, y, views = _bundled_breast_cancer()
        groups = None
        candidates = {"views": views, "families": _measurement_families(X.columns)}
        include = ("all",) + tuple(args.include or ())
        title = "breast cancer (bundled): 3 views, 10 measurement families, one modality"
    else:
        table, y = _table_and_target(args)
        if not args.grouping:
            raise _UsageError("give at least one --grouping NAME:mod=COLS;mod=COLS")
        candidates = {}
        for text in args.grouping:
            name, modalities = _parse_grouping(text, list(table.columns), args.target)
            if name in candidates:
                raise _UsageError(f"grouping {name!r} is given twice: give each name once")
            candidates[name] = modalities
        used = sorted({c for g in candidates.values() for cols in g.values() for c in cols},
                      key=list(table.columns).index)
        _as_categories(table, used)
        X, include, title = table[used], tuple(args.include or ()), str(args.data)
        groups = _groups_column(args, table)
    out = _check_output(args.output)
    result = compare_groupings(candidates, X, y, include=include, cv=args.cv, groups=groups,
                               n_repeats=args.repeats, n_jobs=args.n_jobs,
                               missing_modality=args.missing_modality,
                               random_state=args.random_state, verbose=args.verbose)
    report = f"Data: {title}: {X.shape[0]} rows\n\n{result.summary()}"
    print(report)
    (out / "groupings.txt").write_text(report + "\n")
    result.table_.to_csv(out / "groupings.csv")
    print(f"Wrote groupings.txt, groupings.csv to {out}/")
    return 0


def _bias(args):
    from ._bias import _information, modality_bias

    if args.data is None:
        if args.target or args.modality or args.model or args.groups:
            raise _UsageError("--target/--modality/--model/--groups given without a data file")
        X, y, modalities = _bundled_breast_cancer()
        groups = None
        title = "breast cancer (bundled)"
    else:
        table, y = _table_and_target(args)
        modalities = _parse_modalities(args.modality, table.columns, args.target)
        groups = _groups_column(args, table)
        _as_categories(table, [c for cols in modalities.values() for c in cols])
        X = table.drop(columns=[args.target])
        title = str(args.data)
    out = _check_output(args.output)
    if args.model is not None:
        path = Path(args.model)
        if not path.exists():
            raise _UsageError(f"model file not found: {path}")
        try:
            with path.open("rb") as handle:
                models = {path.name: pickle.load(handle)}  # the user's own file: trusted
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                TypeError, ValueError) as exc:
            raise _UsageError(
                f"--model {path}: not a readable pickle of a fitted model "
                f"({type(exc).__name__}: {exc}). Save the model with pickle.dump(model, "
                "file) or joblib.dump, in an environment with the same packages."
            ) from None
        train, test = np.arange(len(y)), np.arange(len(y))
        where = "the given rows (they must be held out from the model's training)"
    else:
        train, test = _held_out_split(X, y, groups, args)
        where = f"a held-out {args.test_size:.0%} of the rows" + (
            f" (whole {args.groups!r} groups)" if groups is not None else "")
    X_test, y_test = X.iloc[test], np.asarray(y)[test]
    groups_test = None if groups is None else np.asarray(groups)[test]
    # the information first, once for every model: its checks (columns, missing
    # modalities, NaN, groups) fail before any model is fitted
    information = _information(X_test, y_test, modalities, cv=args.cv, groups=groups_test,
                               missing_modality=args.missing_modality,
                               random_state=args.random_state, n_jobs=args.n_jobs,
                               verbose=args.verbose)
    if args.model is None:
        models = _fit_two_models(X.iloc[train], np.asarray(y)[train], modalities, args)
    reports = []
    for name, model in models.items():
        bias = modality_bias(model, X_test, y_test, modalities, n_repeats=args.n_repeats,
                             analyzer=information, groups=groups_test,
                             random_state=args.random_state, n_jobs=args.n_jobs,
                             verbose=args.verbose)
        reports.append(f"== {name} ==\n{bias.summary()}")
        bias.table_.to_csv(out / f"bias_{name.replace(' ', '_')}.csv")
    report = f"Data: {title}; bias measured on {where}\n\n" + "\n\n".join(reports)
    print(report)
    (out / "bias.txt").write_text(report + "\n")
    print(f"Wrote bias.txt and one CSV per model to {out}/")
    return 0


def _held_out_split(X, y, groups, args):
    """(train, test) row indices: stratified by class, or whole groups (patients)."""
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    if groups is None:
        return train_test_split(np.arange(len(y)), test_size=args.test_size,
                                random_state=args.random_state, stratify=y)
    return next(GroupShuffleSplit(1, test_size=args.test_size,
                                  random_state=args.random_state).split(X, y, groups))


def _fit_two_models(X_train, y_train, modalities, args):
    """Early fusion and the product of experts, fitted on the training rows."""
    from ._product import ProductOfExpertsClassifier

    used = [c for cols in modalities.values() for c in cols]
    early = _OnColumns(_boosted_trees(), used).fit(X_train, y_train)
    product = ProductOfExpertsClassifier(
        [(m, _mixed_logistic(), cols) for m, cols in modalities.items()],
        inter_estimator="drop", weights="learn", prior_correction=True,
        missing_modality=args.missing_modality,
    ).fit(X_train[used], y_train)
    return {"early fusion": early,
            "product of experts": _OnColumns(product, used, fitted=True)}


class _OnColumns:
    """A model on some columns of a DataFrame, taking the whole frame (for the bias)."""

    def __init__(self, estimator, columns, fitted=False):
        self.estimator, self.columns = estimator, list(columns)
        if fitted:
            self.classes_ = estimator.classes_

    def fit(self, X, y):
        with _fit_threads(len(X) * len(self.columns)):
            self.estimator.fit(X[self.columns], y)
        self.classes_ = self.estimator.classes_
        return self

    def predict_proba(self, X):
        return self.estimator.predict_proba(X[self.columns])

    def __sklearn_is_fitted__(self):
        return hasattr(self, "classes_")


def _common(parser):
    parser.add_argument("--target", help="name of the label column")
    parser.add_argument("--cv", type=int, default=5,
                        help="number of folds of the analysis (default 5, repeated twice)")
    parser.add_argument("--random-state", type=int, default=0,
                        help="seed of the folds and permutations (default 0)")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="fits run in parallel, e.g. --n-jobs 2")
    _add_groups_and_missing(parser, " (nor, in bias, the held-out split)",
                            " out of the row, as in skpoe analyze")


def _add_parsers(sub):
    groupings = sub.add_parser(
        "groupings",
        help="compare ways to group columns into modalities",
        description="Analyse every grouping of columns into modalities on the same folds "
        "and recommend the finest grouping not measurably worse than the best. With no "
        "data file: the bundled breast-cancer data as its 3 views, its 10 measurement "
        "families and one modality.",
        epilog="examples:\n"
        "  skpoe groupings\n"
        "  skpoe groupings study.csv --target diagnosis \\\n"
        "      --grouping 'two:image=img_*;clinical=age,sex' \\\n"
        "      --grouping 'one:all=img_*,age,sex' \\\n"
        "      --include singletons --output results/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    groupings.add_argument("data", nargs="?", help=".csv or .parquet table (default: bundled)")
    groupings.add_argument("--grouping", action="append", metavar="NAME:mod=COLS;mod=COLS",
                           help="a grouping: modalities separated by ';', each NAME=COLS "
                           "with names or glob patterns (repeat for each grouping)")
    groupings.add_argument("--include", nargs="*", choices=["singletons", "all"],
                           help="reference groupings: every column alone, one modality")
    _common(groupings)
    groupings.add_argument("--repeats", type=int, default=2,
                           help="repeats of the cross-validation, each on a new shuffle "
                           "(default 2)")
    groupings.add_argument("--verbose", type=int, default=1, help="progress (default 1)")
    groupings.add_argument("--output", default="skpoe-output",
                           help="folder for groupings.txt and groupings.csv")
    groupings.set_defaults(func=_groupings)

    bias = sub.add_parser(
        "bias",
        help="how much a fitted model relies on each modality against its information",
        description="Permute each modality's columns together and measure how much the "
        "model's log-loss grows (reliance), against the modality's intra dependency "
        "(information). With --model, a pickled fitted model is measured on DATA, which "
        "must be rows it was not trained on; without, early fusion and the product of "
        "experts are fitted on part of DATA and measured on the rest.",
        epilog="examples:\n"
        "  skpoe bias                          # bundled data: early fusion vs the product\n"
        "  skpoe bias holdout.csv --target diagnosis --modality image=img_* \\\n"
        "      --modality clinical=age,sex --model model.pkl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bias.add_argument("data", nargs="?", help=".csv or .parquet table (default: bundled)")
    bias.add_argument("--modality", action="append", metavar="NAME=COLS",
                      help="a modality: comma-separated names or glob patterns (repeat)")
    bias.add_argument("--model", help="a fitted model saved with pickle (trusted file)")
    bias.add_argument("--test-size", type=float, default=0.3,
                      help="held-out share when fitting the two models (default 0.3)")
    bias.add_argument("--n-repeats", type=int, default=5,
                      help="permutations per modality (default 5)")
    _common(bias)
    bias.add_argument("--verbose", type=int, default=1,
                      help="progress of the analysis's fits and the permutations (default 1)")
    bias.add_argument("--output", default="skpoe-output",
                      help="folder for bias.txt and one CSV per model")
    bias.set_defaults(func=_bias)

