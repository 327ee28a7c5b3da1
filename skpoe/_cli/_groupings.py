"""``skpoe groupings``: compare ways to group a table's columns into modalities."""


from ._common import (
    _add_command,
    _add_common,
    _as_categories,
    _bundled_breast_cancer,
    _check_output,
    _groups_column,
    _parse_modality,
    _table_and_target,
    _UsageError,
)


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
    from .._analysis._groupings import compare_groupings

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


def _add_parser(sub):
    groupings = _add_command(
        sub, "groupings",
        help="compare ways to group columns into modalities",
        description="Analyse every grouping of columns into modalities on the same folds "
        "and recommend the finest grouping not measurably worse than the best. With no "
        "data file: the bundled breast-cancer data as its 3 views, its 10 measurement "
        "families and one modality.",
        examples=[
            'skpoe groupings',
            'skpoe groupings study.csv --target diagnosis \\',
            "    --grouping 'two:image=img_*;clinical=age,sex' \\",
            "    --grouping 'one:all=img_*,age,sex' \\",
            '    --include singletons --output results/',
        ],
    )
    groupings.add_argument("--grouping", action="append", metavar="NAME:mod=COLS;mod=COLS",
                           help="a grouping: modalities separated by ';', each NAME=COLS "
                           "with names or glob patterns (repeat for each grouping)")
    groupings.add_argument("--include", nargs="*", choices=["singletons", "all"],
                           help="reference groupings: every column alone, one modality")
    _add_common(groupings, groups_more="", missing_more=" out of the row, as in skpoe analyze",
                verbose="progress (default 1)",
                output="folder for groupings.txt and groupings.csv")
    groupings.set_defaults(func=_groupings)
