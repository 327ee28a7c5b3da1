"""``skpoe bias``: how much a fitted model relies on each modality, against its information."""

import pickle
from pathlib import Path

import numpy as np

from .._engine._defaults import _boosted_trees, _mixed_logistic
from .._engine._fitting import _OnColumns
from ._common import (
    _add_command,
    _add_common,
    _as_categories,
    _bundled_breast_cancer,
    _check_output,
    _groups_column,
    _parse_modalities,
    _table_and_target,
    _UsageError,
)


def _bias(args):
    from .._analysis._bias import _information, modality_bias
    from .._analysis._emap import modality_interaction_use

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
        bias = modality_bias(model, X_test, y_test, modalities, n_repeats=args.permutations,
                             analyzer=information, groups=groups_test,
                             random_state=args.random_state, n_jobs=args.n_jobs,
                             verbose=args.verbose)
        use = modality_interaction_use(model, X_test, y_test, modalities, groups=groups_test,
                                       random_state=args.random_state)
        reports.append(f"== {name} ==\n{bias.summary()}\n\n{use.summary()}")
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
    from .._product._classifier import ProductOfExpertsClassifier

    used = [c for cols in modalities.values() for c in cols]
    early = _OnColumns(_boosted_trees(), used).fit(X_train, y_train)
    product = ProductOfExpertsClassifier(
        [(m, _mixed_logistic(), cols) for m, cols in modalities.items()],
        inter_estimator="drop", weights="learn", prior_correction=True,
        missing_modality=args.missing_modality,
    ).fit(X_train[used], y_train)
    return {"early fusion": early,
            "product of experts": _OnColumns(product, used, fitted=True)}


def _add_parser(sub):
    bias = _add_command(
        sub, "bias",
        help="how much a fitted model relies on each modality against its information",
        description="Permute each modality's columns together and measure how much the "
        "model's log-loss grows (reliance), against the modality's intra dependency "
        "(information). With --model, a pickled fitted model is measured on DATA, which "
        "must be rows it was not trained on; without, early fusion and the product of "
        "experts are fitted on part of DATA and measured on the rest.",
        examples=[
            'skpoe bias                          # bundled data: early fusion vs the product',
            'skpoe bias holdout.csv --target diagnosis --modality image=img_* \\',
            '    --modality clinical=age,sex --model model.pkl',
        ],
    )
    bias.add_argument("--modality", action="append", metavar="NAME=COLS",
                      help="a modality: comma-separated names or glob patterns (repeat)")
    bias.add_argument("--model", help="a fitted model saved with pickle (trusted file)")
    bias.add_argument("--test-size", type=float, default=0.3,
                      help="held-out share when fitting the two models (default 0.3)")
    # --repeats repeats the cross-validation in every command; the permutations have
    # their own name (--n-repeats, their first name, still works)
    bias.add_argument("--permutations", "--n-repeats", dest="permutations", type=int,
                      default=5, help="permutations per modality (default 5)")
    _add_common(bias, cv=", repeated twice", repeats=False,
                groups_more=" (nor the held-out split)",
                missing_more=" out of the row, as in skpoe analyze",
                verbose="progress of the analysis's fits and the permutations (default 1)",
                output="folder for bias.txt and one CSV per model")
    bias.set_defaults(func=_bias)

