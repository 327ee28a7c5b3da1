"""Which columns form a modality: compare candidate groupings on the same folds."""

import html
import re
import warnings
from dataclasses import replace
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import StrOptions, validate_params

from .._engine._columns import _column_label
from .._engine._defaults import _boosted_trees
from .._engine._oof import _cross_fit, _make_splits
from .._engine._seeds import _draw_seeds
from .._engine._threads import _thread_limited
from .._engine._validation import _check_table, _encode_y
from .._vocabulary import BASELINE, CALIBRATED_INTRA, INTER, calibrated, full_product
from ._additive import CONSTRAINED, INTERACTION_CST
from ._analyzer import ModalityDependencyAnalyzer, _set_fitted
from ._html import _HtmlReport
from ._scoring import _beyond
from ._study import paired_difference, plan_study, score_study

SINGLETONS = "singletons"
ALL = "all"
_SEP = "/"  # grouping/modality: the jobs' names in one shared job list


def propose_groupings(columns, *, separators="_. -"):
    """Candidate groupings of columns from their name prefixes and suffixes.

    A column name ``"mean radius"`` splits at its separators into a prefix
    (``"mean"``) and a suffix (``"radius"``). Two groupings are proposed: by
    prefix and by suffix, each kept when it has at least two groups and fewer
    groups than columns. A column without a separator is a group of its own.

    Parameters
    ----------
    columns : sequence of str
        Column names (e.g. ``X.columns``).
    separators : str, default="_. -"
        Characters that separate the parts of a name.

    Returns
    -------
    groupings : dict of str to dict of str to list of str
        ``{"prefix": {...}, "suffix": {...}}`` (those kept), each a modalities
        dict for :func:`compare_groupings`.

    Examples
    --------
    >>> from skpoe import propose_groupings
    >>> propose_groupings(["img_r", "img_g", "age", "clin_bmi", "clin_sex"])["prefix"]
    {'img': ['img_r', 'img_g'], 'age': ['age'], 'clin': ['clin_bmi', 'clin_sex']}
    """
    if not isinstance(separators, str) or not separators:
        raise ValueError(
            f"separators must be a non-empty str of characters that split column names, "
            f"such as '_. -'; got {separators!r}."
        )
    pattern = "[" + re.escape(separators) + "]"
    columns = [str(c) for c in columns]
    proposals = {}
    for kind, pick in (("prefix", 0), ("suffix", -1)):
        groups = {}
        for column in columns:
            parts = [p for p in re.split(pattern, column) if p]
            key = parts[pick] if len(parts) > 1 else column
            groups.setdefault(key, []).append(column)
        if 2 <= len(groups) < len(columns):
            proposals[kind] = groups
    return proposals


def _reference_groupings(include, X, feature_names):
    columns = (list(feature_names) if feature_names is not None
               else list(range(X.shape[1])))
    out = {}
    if SINGLETONS in include:
        out[SINGLETONS] = {str(c): [c] for c in columns}
    if ALL in include:
        out[ALL] = {ALL: columns}
    return out


_LEGEND = {
    "n_modalities": "how many modalities the grouping makes",
    "log_loss": "the grouping's score (see above), nats, calibrated, mean over folds",
    "accuracy": "its accuracy",
    "intra_log_loss": "the calibrated product of the grouping's intra experts",
    "full_log_loss": "the same with the inter expert (I2M2)",
    "inter_dependency": "what combining the grouping's modalities adds, nats",
    "inter_counts": "whether it counts (t cutoff)",
    "regime": "the analyzer's regime for this grouping",
    "loss_vs_best": "paired log-loss difference with the lowest, nats",
    "se": "its standard error over the folds",
    "worse_than_best": "whether the difference counts (t cutoff)",
}


class GroupingComparison(_HtmlReport):
    """The result of :func:`compare_groupings`: a table, a plot and an HTML view.

    Attributes
    ----------
    table_ : pandas.DataFrame
        One row per grouping, ranked: the groupings not measurably worse than
        the lowest ``log_loss`` first, finest (most modalities) first, then the
        measurably worse ones by ``log_loss``; the first row is ``recommended_``.
        Columns: ``n_modalities``; the grouping's ``log_loss`` and ``accuracy``
        (see ``score_``); the calibrated product of its intra experts
        (``intra_log_loss``) and with the inter expert (``full_log_loss``); the
        ``inter_dependency`` and whether it ``inter_counts``; the ``regime``; and
        ``loss_vs_best`` (paired log-loss difference with the lowest over the
        folds) with its ``se`` and whether it counts (``worse_than_best``, at the
        t cutoff).
    score_ : str
        What ``log_loss`` scores. With a HistGradientBoosting inter expert (the
        default): the *additive model over the grouping*, the same boosted model
        allowed to combine columns within a modality only (``interaction_cst``,
        calibrated): the grouping that keeps together exactly the columns that
        interact fits best with the fewest combinations. Otherwise the calibrated
        product of the grouping's intra experts.
    recommended_ : str
        The grouping with the most modalities among those not measurably worse
        than the lowest (ties: the lower log-loss): the finest grouping the data
        support, a one-standard-error-style rule. Coarser groupings can always
        fit as well, with more combinations to learn; the lowest log-loss alone
        often falls on a coarser grouping by noise (on planted pairs,
        ``benchmarks/groupings_and_bias.py``: the finest supported grouping is
        the true one in 20 of 20 seeds, the lowest log-loss in 16).
    analyzers_ : dict of str to ModalityDependencyAnalyzer
        The fitted analysis of each grouping (all on the same folds).
    n_expert_fits_ : int
        Expert fits made, over every grouping, in one joblib job list.

    Examples
    --------
    >>> from skpoe import compare_groupings
    >>> from skpoe.datasets import make_planted_modalities
    >>> data = make_planted_modalities("independent", n_samples=200, random_state=0)
    >>> result = compare_groupings(
    ...     {"two": data.modalities}, data.data, data.target, cv=3,
    ...     include=("all",), random_state=0)
    >>> sorted(result.table_.index)
    ['all', 'two']
    """

    def __init__(self, analyzers, n_expert_fits):
        self.analyzers_ = analyzers
        self.n_expert_fits_ = n_expert_fits
        additive = all(a.inter_baseline_ in CONSTRAINED for a in analyzers.values())
        self._model = calibrated(BASELINE) if additive else CALIBRATED_INTRA
        self.t_cutoff_ = next(iter(analyzers.values())).t_cutoff_
        self.score_ = ("additive model over the grouping (interaction_cst)" if additive
                       else "calibrated product of the grouping's intra experts")
        self.table_ = self._table()
        self.recommended_ = self.table_.index[0]

    def _table(self):
        folds = {name: self._per_fold(a) for name, a in self.analyzers_.items()}
        means = {name: float(np.mean(v)) for name, v in folds.items()}
        best = min(means, key=means.get)
        folds_of_all = next(iter(self.analyzers_.values())).folds_  # the same for every grouping
        rows = {}
        for name, analyzer in self.analyzers_.items():
            res, deps = analyzer.results_, analyzer.dependencies_
            full = full_product(INTER in deps.index)
            mean, se = paired_difference(folds_of_all, folds[name] - folds[best])
            se = se if name != best else 0.0
            rows[name] = {
                "n_modalities": int((deps["kind"] == "intra").sum()),
                "log_loss": res.loc[self._model, "log_loss"],
                "accuracy": res.loc[self._model, "accuracy"],
                "intra_log_loss": res.loc[CALIBRATED_INTRA, "log_loss"],
                "full_log_loss": res.loc[full, "log_loss"],
                "inter_dependency": (deps.loc[INTER, "dependency"] if INTER in deps.index
                                     else np.nan),
                "inter_counts": bool(deps.loc[INTER, "counts"]) if INTER in deps.index
                else False,
                "regime": analyzer.regime_,
                "loss_vs_best": mean,
                "se": se,
                "worse_than_best": bool(_beyond(mean, se, self.t_cutoff_))
                if name != best else False,
            }
        table = pd.DataFrame.from_dict(rows, orient="index").sort_values(
            ["worse_than_best", "n_modalities", "log_loss"], ascending=[True, False, True],
            kind="stable")
        table.index.name = "grouping"
        return table

    def _per_fold(self, analyzer):
        scores = analyzer.fold_scores_
        rows = scores[scores["model"] == self._model]
        return rows.sort_values("fold")["log_loss"].to_numpy()

    def summary(self):
        """The table as text, with a sentence naming the best grouping.

        Returns
        -------
        str
        """
        best = self.table_["log_loss"].idxmin()
        worse = self.table_.index[self.table_["worse_than_best"]].tolist()
        tied = [g for g in self.table_.index if g != best and g not in worse]
        lines = [
            f"Grouping comparison (log_loss: {self.score_}; same folds)",
            self.table_.to_string(float_format=lambda v: f"{v:.3f}"),
            "",
            f"Lowest log-loss: {best!r}."
            + (f" Measurably worse: {worse}." if worse else "")
            + (f" Not distinguishable from it: {tied}." if tied else ""),
            f"Recommended: {self.recommended_!r}, the finest grouping not measurably worse "
            "than the lowest.",
        ]
        return "\n".join(lines)

    _title, _table_heading, _legend = (
        "Grouping comparison", "Groupings, recommended first", _LEGEND)

    def _lead(self):
        return (f"Recommended grouping: <b>{html.escape(str(self.recommended_))}</b>, the "
                "finest not measurably worse than the lowest log-loss "
                f"({html.escape(self.score_)}; every grouping on the same folds).")

    def plot(self, ax=None):
        """Each grouping's log-loss above the best one's, with t-cutoff error bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        fig : matplotlib Figure
        """
        from ._plotting import _plot_groupings

        return _plot_groupings(self, ax=ax)


def _warn_of_columns_left_out(plans, feature_names):
    """Warn for each grouping that misses columns another grouping uses, naming them."""
    used = {name: set(np.concatenate(list(plan.modality_columns.values())).tolist())
            for name, plan in plans.items()}
    every = set().union(*used.values())
    for name, columns in used.items():
        left_out = sorted(every - columns)
        if left_out:
            labels = [_column_label(j, feature_names) for j in left_out[:5]]
            more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
            warnings.warn(
                f"grouping {name!r} leaves out {len(left_out)} column(s) that other "
                f"groupings use: {', '.join(labels)}{more}. Its score rests on fewer "
                "columns, so it is not comparable like for like; add them to one of its "
                "modalities.",
                UserWarning,
                stacklevel=4,  # the caller of compare_groupings (through _thread_limited)
            )


def _fit_key(spec, rows):
    """What makes two fits the same: estimator type and parameters, columns, rows.

    One ``interaction_cst`` set holding every column constrains nothing (the same
    trees as none: the additive baseline of a one-modality grouping is its inter
    expert), so it reads as none.
    """
    params = spec.estimator.get_params(deep=True)
    constraint = params.get(INTERACTION_CST)
    if (isinstance(constraint, (list, tuple)) and len(constraint) == 1
            and len(set(constraint[0])) == len(spec.columns)):
        params[INTERACTION_CST] = None
    return (type(spec.estimator), repr(sorted(params.items(), key=lambda kv: kv[0])),
            tuple(np.asarray(spec.columns).tolist()),
            None if rows is None else np.asarray(rows).tobytes())


@validate_params(
    {"cv": ["cv_object"], "n_jobs": [Integral, None], "random_state": ["random_state"],
     "missing_modality": [StrOptions({"error", "drop"})], "verbose": ["verbose"]},
    prefer_skip_nested_validation=False,
)
@_thread_limited
def compare_groupings(groupings, X, y, *, expert=None, inter_estimator=None, cv=5,
                      n_repeats=2, groups=None, include=(), missing_modality="error",
                      n_jobs=None, random_state=None, verbose=0):
    """Compare ways to group the columns into modalities, on the same folds.

    Every grouping is analysed as :class:`ModalityDependencyAnalyzer` would, with
    one ``expert`` (cloned) per modality and the same inter expert, on the same
    cross-validation folds, so that the groupings' log-losses are paired. All the
    (grouping, fold, expert) fits run in one joblib job list. With the default
    (HistGradientBoosting) inter expert, each grouping is scored by its additive
    model: the boosted model allowed to combine columns within a modality only.
    The recommended grouping is the finest one not measurably worse than the
    lowest log-loss. See :class:`GroupingComparison`.

    Parameters
    ----------
    groupings : dict of str to dict
        Grouping name -> modalities, each a dict of modality name -> columns (any
        column selection the package accepts). See :func:`propose_groupings`.
    X : {array-like, DataFrame} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    expert : estimator, default=None
        The intra expert of every modality. ``None``: the default inter expert's
        model (a pinned ``HistGradientBoostingClassifier``), nonlinear, so that a
        grouping that keeps interacting columns together can show it.
    inter_estimator : estimator, "drop" or None, default=None
        As in :class:`ModalityDependencyAnalyzer`.
    cv : int or splitter, default=5
    n_repeats : int, default=2
        Repeats of an int ``cv``, as in :class:`ModalityDependencyAnalyzer`.
    groups : array-like of shape (n_samples,), default=None
        Group labels (e.g. patient ids) for the folds.
    include : sequence of {"singletons", "all"}, default=()
        Reference groupings to add: every column its own modality, and one
        modality with every column.
    missing_modality : {"error", "drop"}, default="error"
    n_jobs : int, default=None
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0

    Returns
    -------
    GroupingComparison
        ``table_`` (recommended first), ``analyzers_``, ``summary()``, ``plot()``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpoe import compare_groupings
    >>> from skpoe.datasets import load_breast_cancer_modalities
    >>> data = load_breast_cancer_modalities()
    >>> result = compare_groupings(
    ...     {"views": data.modalities}, data.data, data.target,
    ...     expert=LogisticRegression(max_iter=5000), include=("all",), cv=3,
    ...     random_state=0)
    >>> result.table_.columns[:3].tolist()
    ['n_modalities', 'log_loss', 'accuracy']
    """
    if not isinstance(groupings, dict):
        raise TypeError(
            "groupings must be a dict of grouping name -> {modality name: columns}; got "
            f"{type(groupings).__name__}."
        )
    for name, modalities in groupings.items():
        if not isinstance(modalities, dict):
            raise TypeError(
                f"grouping {name!r} must be a dict of modality name -> columns; got "
                f"{type(modalities).__name__}."
            )
    if not isinstance(n_repeats, (int, np.integer)) or n_repeats < 1:
        raise ValueError(f"n_repeats must be an int >= 1; got {n_repeats!r}.")
    include = (include,) if isinstance(include, str) else tuple(include)
    unknown = sorted(set(include) - {SINGLETONS, ALL})
    if unknown:
        raise ValueError(f"include takes 'singletons' and 'all'; got {unknown!r}.")
    clash = sorted(set(include) & set(groupings))
    if clash:
        raise ValueError(
            f"grouping name {clash[0]!r} is also asked for in include: the reference "
            f"grouping would replace yours. Rename your grouping, or drop {clash[0]!r} "
            "from include."
        )
    X, feature_names = _check_table(X)
    y_codes, classes = _encode_y("compare_groupings", y, X.shape[0])
    candidates = {**groupings, **_reference_groupings(include, X, feature_names)}
    if len(candidates) < 1:
        raise ValueError("groupings is empty: give at least one grouping.")
    template = _boosted_trees() if expert is None else expert
    seed = _draw_seeds(random_state)
    splits = _make_splits(cv, y_codes, None if groups is None else np.asarray(groups),
                          None if random_state is None else seed, n_repeats)
    analyzers, plans, specs, rows, blocks, owner, first_of = {}, {}, [], {}, {}, {}, {}
    shown = {}  # job name -> what progress lines call it
    for g, (name, modalities) in enumerate(candidates.items()):
        if not modalities:
            raise ValueError(
                f"grouping {name!r} must be a non-empty dict of modality -> columns."
            )
        analyzer = ModalityDependencyAnalyzer(
            [(m, clone(template), cols) for m, cols in modalities.items()],
            inter_estimator=inter_estimator, cv=cv, n_repeats=n_repeats,
            missing_modality=missing_modality, pairs=False,  # a grouping is scored as a whole
            random_state=seed,
        )
        try:
            jobs = plan_study(analyzer, X, y_codes, classes, feature_names, groups, splits)
        except ValueError as exc:
            raise ValueError(f"grouping {name!r}: {exc}") from exc
        analyzers[name], plans[name] = analyzer, jobs
        for spec in jobs.specs:
            # one job list for every grouping: names made unique by the grouping's
            # position (a user's names may hold the separator), and told apart after;
            # a fit that another grouping already asked for (the inter expert, a
            # one-modality grouping's experts) is made once and shared
            key = f"{g}{_SEP}{spec.name}"
            first = first_of.setdefault(_fit_key(spec, jobs.rows.get(spec.name)), key)
            if first == key:
                specs.append(replace(spec, name=key))
                rows[key] = jobs.rows.get(spec.name)
                shown[key] = f"{name}: {spec.name}"
            owner[key] = (name, spec.name, first)
            for block, positions in jobs.blocks.get(spec.name, {}).items():
                blocks.setdefault(first, {})[f"{g}{_SEP}{block}"] = positions
    _warn_of_columns_left_out(plans, feature_names)
    outputs = _cross_fit(
        # a column belongs to a different modality in each grouping: messages name the
        # expert (its grouping and modality) instead
        specs, X, y_codes, splits, rows, replace(jobs.context, modality_of={}),
        blocks=blocks, seed=seed,
        n_jobs=n_jobs, verbose=verbose, shown=shown,
    )
    per_grouping = {name: [{} for _ in splits] for name in analyzers}
    for f, fold in enumerate(outputs):
        for key, (grouping, expert_name, first) in owner.items():
            log_proba, permuted = fold[first]
            prefix = key[:key.index(_SEP) + 1]  # this grouping's own permuted blocks
            per_grouping[grouping][f][expert_name] = (log_proba, {
                block[len(prefix):]: values for block, values in permuted.items()
                if block.startswith(prefix)})
    for name, analyzer in analyzers.items():
        _set_fitted(analyzer, score_study(plans[name], per_grouping[name]))
    return GroupingComparison(analyzers, len(specs) * len(splits))

