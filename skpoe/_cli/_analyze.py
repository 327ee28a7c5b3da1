"""``skpoe analyze``: each modality's intra- and the inter-modality dependency of a table."""

import time

import pandas as pd

from .._engine._defaults import _interaction_logistic, _mixed_logistic
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
        X, y, modalities = _bundled_breast_cancer()
        title = "breast cancer (bundled; image-derived measurements of cell nuclei)"
        return X, y, modalities, title, None
    table, y = _table_and_target(args)
    modalities = _parse_modalities(args.modality, table.columns, args.target)
    used = sorted({c for cols in modalities.values() for c in cols}, key=list(table.columns).index)
    _as_categories(table, used)
    if y.nunique() < 2:
        raise _UsageError(f"target column {args.target!r} has only one class: {y.iloc[0]!r}")
    groups = _groups_column(args, table)
    return table[used], y, modalities, str(args.data), groups


def _analyze(args):
    from .._analysis._analyzer import ModalityDependencyAnalyzer

    X, y, modalities, title, groups = _load_data(args)
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    out = _check_output(args.output)  # still before the analysis: fail in seconds
    analyzer = ModalityDependencyAnalyzer(
        [(name, _mixed_logistic(), cols) for name, cols in modalities.items()],
        inter_estimator=_interaction_logistic(),
        cv=args.cv,
        n_repeats=args.repeats,
        missing_modality=args.missing_modality,
        pairs=args.pairs, decomposition=args.decomposition,
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
        "by 5-fold inner cross-validation on log-loss (one of the folds when every class "
        "has 5,000 rows), on cubic splines of each column "
        "of a modality of at most 32 numeric columns"
        + (f" (one-hot encoded categorical columns: {', '.join(map(str, categorical))})"
           if categorical else "")
        + "; inter expert the same on all modalities plus the products of columns of "
        "different modalities (at most 8 principal directions per modality), tested "
        "against itself without them"
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
    extra = {kind: getattr(analyzer, f"{kind}_") for kind in ("pairs", "decomposition")}
    extra = {kind: table for kind, table in extra.items() if table is not None}
    for kind, table in extra.items():
        table.to_csv(out / f"{kind}.csv")
        written.append(f"{kind}.csv")
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        print("matplotlib is not installed: no plot (pip install 'skpoe[plot]')")
    else:
        analyzer.plot().savefig(out / "dependencies.png", dpi=120)
        written.append("dependencies.png")
        for kind in extra:
            analyzer.plot(kind=kind).savefig(out / f"{kind}.png", dpi=120)
            written.append(f"{kind}.png")
    print(f"Wrote {', '.join(written)} to {out}/")
    return 0


def _add_parser(sub):
    analyze = _add_command(
        sub, "analyze",
        help="measure each modality's intra- and the inter-modality dependency",
        description="Cross-validate each modality's expert alone, the inter expert on all "
        "modalities, and their products; report the intra- and inter-modality "
        "dependencies, the regime and the recommended model.",
        examples=[
            'skpoe analyze                      # the bundled breast-cancer data',
            'skpoe analyze study.csv --target diagnosis --modality image=img_* \\',
            '    --modality clinical=age,sex,bmi --groups patient_id --cv 5 \\',
            '    --missing-modality drop --n-jobs 2 --output results/',
        ],
        data='(default: bundled breast-cancer data, modalities mean / error / worst)',
    )
    analyze.add_argument("--modality", action="append", metavar="NAME=COLS",
                         help="a modality: comma-separated column names or glob patterns "
                         "such as img_* (repeat for each modality)")
    analyze.add_argument("--pairs", action="store_true",
                         help="map which pairs of modalities interact (3 modalities or more; "
                         "one extra fit per pair and fold)")
    analyze.add_argument("--decomposition", action="store_true",
                         help="split the information into each modality's unique and "
                         "redundant parts and the synergy (2 extra fits per modality and "
                         "fold)")
    _add_common(
        analyze, groups_more="",
        missing_more=" (and the inter expert, for rows not complete) out of the row. Empty "
        "cells inside a present modality are imputed with the column median inside each "
        "default expert, the inter expert's included. "
        "Example: --missing-modality drop",
        verbose="progress of the fits on stderr: 0 none, 1 (default) a line per batch of "
        "fits",
        output="folder for report.txt, results.csv, dependencies.csv and dependencies.png "
        "(default: skpoe-output)")
    analyze.set_defaults(func=_analyze)
