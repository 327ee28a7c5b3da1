"""Modality bias of a fitted model: its reliance on each modality against its information."""

import html
import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils._param_validation import StrOptions, validate_params
from sklearn.utils.parallel import delayed
from sklearn.utils.validation import check_is_fitted

from .._engine._defaults import _imputed_logistic, _mixed_logistic
from .._engine._jobs import _run_jobs
from .._engine._oof import _permute_block
from .._engine._prior import _class_counts
from .._engine._seeds import _draw_seeds
from .._engine._threads import _thread_limited
from .._vocabulary import INTER
from ._analyzer import ModalityDependencyAnalyzer
from ._held_out import _check_held_out, _log_proba
from ._html import _HtmlReport
from ._scoring import _per_row_se

# bias ratios within this band read as "in proportion": a well-specified model on
# equally informative modalities lands in it (benchmarks/groupings_and_bias.py)
_BALANCED = (0.7, 1.4)


# Fewer held-out rows of the scarcest class than this, and no bias ratio is read as
# over- or under-reliance: the shares of a few nats-thousandths rest on a handful of
# events (a 400-row held-out set with 15% positives gave a ratio of 4.91 on 0.003 nats).
_MIN_EVENTS = 20
# draws of the ratio's interval (seeded: the same table gives the same interval)
_DRAWS = 4000


def _row_losses(model, X, y_codes, classes):
    """Each row's log-loss under the model (the true class's probability, clipped)."""
    return -_log_proba(model, X, len(classes))[np.arange(len(y_codes)), y_codes]


def _permuted_losses(model, X, y_codes, classes, positions, seed):
    rng = np.random.default_rng(seed)
    return _row_losses(model, _permute_block(X, positions, rng), y_codes, classes)


def _ratio_interval(table, information_se, seed):
    """5th and 95th percentiles of each bias ratio under the reliance and information SEs.

    Each reliance and information is drawn from a normal with its mean and SE
    (independently: an approximation, the modalities' estimates share rows), the
    shares and ratios recomputed per draw, as in the table.
    """
    rng = np.random.default_rng(seed)
    shape = (_DRAWS, len(table))
    reliance = table["reliance"].to_numpy() + rng.normal(size=shape) * \
        np.nan_to_num(table["reliance_se"].to_numpy())
    information = table["information"].to_numpy() + rng.normal(size=shape) * \
        np.nan_to_num(information_se)
    reliance, information = np.maximum(reliance, 0.0), np.maximum(information, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (reliance / reliance.sum(axis=1, keepdims=True)) / \
            (information / information.sum(axis=1, keepdims=True))
    # no information drawn: a reliance is infinitely "more" (inf); 0 / 0 is left out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a modality undefined in every draw
        # "nearest": no interpolation between infinite draws
        low, high = np.nanpercentile(ratio, [5, 95], axis=0, method="nearest")
    defined = table["bias_ratio"].notna().to_numpy()
    return np.where(defined, low, np.nan), np.where(defined, high, np.nan)


_LEGEND = {
    "reliance": "log-loss increase when the modality's columns are permuted together, "
                "nats (mean over repeats)",
    "reliance_se": "its standard error over the held-out rows (clustered by group when "
                   "groups are given), repeats averaged",
    "information": "the modality's intra dependency: what it tells about the label alone",
    "reliance_share": "its share of the model's reliance (clipped at 0)",
    "information_share": "its share of the information (clipped at 0)",
    "bias_ratio": "reliance share / information share: 1 in proportion, >> 1 over-reliance, "
                  "<< 1 under-use",
    "ratio_low": "5th percentile of the bias ratio under the SEs of reliance and information",
    "ratio_high": "95th percentile: over- or under-reliance is claimed only when the whole "
                  "interval lies outside 0.7-1.4",
}


class ModalityBias(_HtmlReport):
    """The result of :func:`modality_bias`: a table, a sentence, a plot, an HTML view.

    Attributes
    ----------
    table_ : pandas.DataFrame
        One row per modality: ``reliance`` (log-loss increase when the modality's
        columns are permuted together, nats, mean over repeats) and
        ``reliance_se``; ``information`` (the modality's intra dependency, nats);
        ``reliance_share`` and ``information_share`` (each clipped at 0 and
        divided by its sum over modalities); ``bias_ratio`` (reliance share /
        information share: 1 balanced, above 1 over-reliance, below 1 under-use)
        and its interval ``ratio_low`` - ``ratio_high`` (5th and 95th percentiles
        under the SEs of reliance and information).
    base_log_loss_ : float
        The model's log-loss on the data, unpermuted.
    chance_log_loss_ : float
        The log-loss of the data's own class rates: a model above it is
        miscalibrated there, and the summary says so.
    n_events_ : tuple of (label, int)
        The scarcest class of the rows and its count: below 20, no ratio is read
        as over- or under-reliance.
    analyzer_ : ModalityDependencyAnalyzer
        Where the information comes from.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpoe import modality_bias
    >>> from skpoe.datasets import make_planted_modalities
    >>> train = make_planted_modalities("independent", n_samples=400, random_state=0)
    >>> test = make_planted_modalities("independent", n_samples=400, random_state=1)
    >>> model = LogisticRegression().fit(train.data, train.target)
    >>> bias = modality_bias(model, test.data, test.target, test.modalities,
    ...                      random_state=0)
    >>> bias.table_.columns.tolist()[:3]
    ['reliance', 'reliance_se', 'information']
    """

    def __init__(self, table, base_log_loss, analyzer, chance_log_loss, events):
        self.table_ = table
        self.base_log_loss_ = base_log_loss
        self.analyzer_ = analyzer
        self.chance_log_loss_ = chance_log_loss
        self.n_events_ = events

    def _calibration_warning(self):
        """A sentence when the model predicts these rows worse than their class rates."""
        if self.base_log_loss_ <= self.chance_log_loss_:
            return ""
        return (f" Beware: the model's log-loss on these rows ({self.base_log_loss_:.3f} "
                f"nats) is worse than chance ({self.chance_log_loss_:.3f}, the class rates): "
                "its probabilities are miscalibrated, and its reliance reflects that as much "
                "as what the modalities tell it. Calibrate the model (e.g. "
                "CalibratedClassifierCV, or prior_correction=True for a product) first.")

    def sentence(self):
        """One sentence naming the most over-relied modality, or saying none is.

        Returns
        -------
        str
        """
        ratios = self.table_["bias_ratio"].dropna()
        if ratios.empty:
            return "No modality carries measurable information: no bias ratio to report."
        low, high = _BALANCED
        if ratios.max() <= high and ratios.min() >= low:
            return (f"The model relies on the modalities in proportion to their information "
                    f"(bias ratios {ratios.min():.2f} to {ratios.max():.2f}).")
        label, count = self.n_events_
        if count < _MIN_EVENTS:
            return (f"Too few held-out events to read a bias ratio: {count} row(s) of class "
                    f"{label!r} (at least {_MIN_EVENTS} needed); bias ratios "
                    f"{ratios.min():.2f} to {ratios.max():.2f} are shown, not read.")
        table = self.table_.loc[ratios.index]
        over = table[table["ratio_low"] > high]
        under = table[table["ratio_high"] < low]
        if over.empty and under.empty:
            return (f"No modality is measurably out of proportion: bias ratios "
                    f"{ratios.min():.2f} to {ratios.max():.2f}, each interval reaching "
                    f"{low}-{high}.")
        text = []
        if not over.empty:
            top = over["bias_ratio"].idxmax()
            row = over.loc[top]
            text.append(f"The model over-relies on {top!r}: {row['reliance_share']:.0%} of its "
                        f"reliance against {row['information_share']:.0%} of the information "
                        f"(bias ratio {row['bias_ratio']:.2f}, "
                        f"{row['ratio_low']:.2f}-{row['ratio_high']:.2f}).")
        if not under.empty:
            bottom = under["bias_ratio"].idxmin()
            row = under.loc[bottom]
            text.append(f"It under-uses {bottom!r} (bias ratio {row['bias_ratio']:.2f}, "
                        f"{row['ratio_low']:.2f}-{row['ratio_high']:.2f}).")
        return " ".join(text)

    def summary(self):
        """The table and the sentence as text.

        Returns
        -------
        str
        """
        return "\n".join([
            f"Modality bias (model log-loss on these rows: {self.base_log_loss_:.3f} nats; "
            f"chance: {self.chance_log_loss_:.3f})",
            self.table_.to_string(float_format=lambda v: f"{v:.3f}"),
            "",
            self.sentence() + self._calibration_warning(),
        ])

    _title, _table_heading, _legend = ("Modality bias", "Reliance and information", _LEGEND)

    def _lead(self):
        return (f"{html.escape(self.sentence())} Model log-loss on these rows: "
                f"{self.base_log_loss_:.3f} nats (chance {self.chance_log_loss_:.3f})."
                f"{html.escape(self._calibration_warning())}")

    def plot(self, ax=None):
        """Reliance share against information share per modality.

        Parameters
        ----------
        ax : matplotlib Axes, default=None

        Returns
        -------
        fig : matplotlib Figure
        """
        from ._plotting import _plot_bias

        return _plot_bias(self, ax=ax)


def _information(X, y, modalities, *, expert=None, cv=5, groups=None,
                 missing_modality="error", random_state=None, n_jobs=None, verbose=0):
    """The analysis behind the bias ratios: each modality's intra dependency on (X, y).

    One intra expert per modality (``expert``, or the default: a median-imputed,
    scaled logistic regression choosing C by inner CV, one-hot encoding a frame's
    categorical columns), no inter expert.
    """
    default = _mixed_logistic if hasattr(X, "columns") else _imputed_logistic
    return ModalityDependencyAnalyzer(
        [(m, clone(expert) if expert is not None else default(), cols)
         for m, cols in modalities.items()],
        inter_estimator="drop", cv=cv, missing_modality=missing_modality,
        random_state=random_state, n_jobs=n_jobs, verbose=verbose,
    ).fit(X, y, groups=groups)


@validate_params(
    {"cv": ["cv_object"], "n_jobs": [Integral, None], "random_state": ["random_state"],
     "verbose": ["verbose"],
     "missing_modality": [StrOptions({"error", "drop"})]},
    prefer_skip_nested_validation=False,
)
@_thread_limited
def modality_bias(model, X, y, modalities, *, n_repeats=5, analyzer=None, expert=None,
                  cv=5, groups=None, missing_modality="error", n_jobs=None, random_state=None,
                  verbose=0):
    """How much a fitted model relies on each modality, against how much it tells.

    *Reliance* is the increase of the model's log-loss when a modality's columns
    are permuted together across rows (``n_repeats`` times, with a standard error
    over the repeats). *Information* is the modality's intra dependency: chance
    log-loss minus a calibrated expert's cross-validated log-loss on that modality
    alone (from ``analyzer`` or a new :class:`ModalityDependencyAnalyzer`). Their
    shares over the modalities give the *bias ratio*: 1 when the model leans on
    each modality as much as it informs, well above 1 for over-reliance, well
    below 1 for under-use.

    Use held-out data, rows the model was not trained on: on its training rows a
    model's reliance reflects what it memorised, not what it learned.

    Parameters
    ----------
    model : fitted classifier
        Any fitted classifier with ``predict_proba`` and ``classes_`` that takes
        X as given here (scikit-learn, skorch, this package's).
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        Held-out rows.
    y : array-like of shape (n_samples,)
        Their labels, among ``model.classes_``.
    modalities : dict of str to columns
        Modality name -> columns (any column selection the package accepts).
    n_repeats : int, default=5
        Permutations per modality.
    analyzer : fitted ModalityDependencyAnalyzer, default=None
        Source of the information; its modality names must match. ``None`` fits
        one on (X, y) with ``expert`` per modality and no inter expert.
    expert : estimator, default=None
        The intra expert when ``analyzer`` is None; default a median-imputed,
        scaled logistic regression (on a DataFrame, with its categorical columns
        one-hot encoded).
    cv : int or splitter, default=5
        Folds of the new analyzer (an int is repeated twice, the analyzer's
        default ``n_repeats``).
    groups : array-like of shape (n_samples,), default=None
        Group labels (e.g. patient ids) for the new analyzer's folds.
    missing_modality : {"error", "drop"}, default="error"
        For the new analyzer, as in :class:`ModalityDependencyAnalyzer`: with
        ``"drop"``, each modality's expert sees the rows where it is present. The
        model itself is given every row, as it is.
    n_jobs : int, default=None
        Parallel permutations (results do not depend on it).
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        At 1 or more, a progress line per finished fit of the analysis and per
        finished permutation, with the time left.

    Returns
    -------
    ModalityBias

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpoe import modality_bias
    >>> from skpoe.datasets import make_planted_modalities
    >>> data = make_planted_modalities("noise", n_samples=400, random_state=0)
    >>> model = LogisticRegression().fit(data.data[:200], data.target[:200])
    >>> bias = modality_bias(model, data.data[200:], data.target[200:], data.modalities,
    ...                      random_state=0)
    >>> bias.table_.loc["a", "information_share"] > 0.9
    np.True_
    """
    if not isinstance(n_repeats, (int, np.integer)) or n_repeats < 2:
        raise ValueError(f"n_repeats must be an int >= 2 (for a standard error); got "
                         f"{n_repeats!r}.")
    checked = _check_held_out(model, X, y, modalities, groups)
    X, columns, classes, y_codes = checked.X, checked.columns, checked.classes, checked.y_codes
    # the model's own predictions first, then the information: every check (the
    # model's columns, missing values, groups) fails in seconds, before any fit
    base = _row_losses(model, X, y_codes, classes)
    if analyzer is None:
        analyzer = _information(X, y, modalities, expert=expert, cv=cv, groups=groups,
                                missing_modality=missing_modality,
                                random_state=random_state, n_jobs=n_jobs, verbose=verbose)
    else:
        check_is_fitted(analyzer, "dependencies_")
        missing = [m for m in columns if m not in analyzer.dependencies_.index]
        if missing:
            raise ValueError(
                f"the analyzer has no modality {missing[0]!r}; its modalities are "
                f"{[m for m in analyzer.dependencies_.index if m != INTER]!r}."
            )
    jobs = [(m, r) for m in columns for r in range(n_repeats)]
    # drawn before the jobs run, so that n_jobs changes nothing
    seeds = _draw_seeds(random_state, size=len(jobs) + 1)
    losses = _run_jobs(
        [delayed(_permuted_losses)(model, X, y_codes, classes, columns[m], int(seeds[k]))
         for k, (m, r) in enumerate(jobs)],
        [f"{m} permuted {r + 1}/{n_repeats}" for m, r in jobs], n_jobs=n_jobs, verbose=verbose,
        unit="permutations",
    )
    # per row: the loss increase, averaged over the repeats
    by_modality = {m: np.mean([loss for (name, _), loss in zip(jobs, losses) if name == m],
                              axis=0) - base for m in columns}
    clusters = np.arange(len(y_codes)) if groups is None else np.asarray(groups)

    deps = analyzer.dependencies_.loc[list(columns)]
    table = pd.DataFrame({
        "reliance": [by_modality[m].mean() for m in columns],
        "reliance_se": [_per_row_se(by_modality[m], clusters) for m in columns],
        "information": deps["dependency"].to_numpy(),
    }, index=pd.Index(list(columns), name="modality"))
    for what in ("reliance", "information"):
        clipped = np.maximum(table[what].to_numpy(), 0.0)
        total = clipped.sum()
        table[f"{what}_share"] = clipped / total if total > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = table["reliance_share"] / table["information_share"]
    table["bias_ratio"] = ratio.where(table["information_share"] > 0)
    table["ratio_low"], table["ratio_high"] = _ratio_interval(
        table, deps["se"].to_numpy(), int(seeds[-1]))
    counts = _class_counts(y_codes, len(classes)).astype(int)
    present = np.flatnonzero(counts)
    scarce = present[np.argmin(counts[present])]
    rates = counts / len(y_codes)
    chance = float(-np.mean(np.log(rates[y_codes])))  # the class rates of these rows
    return ModalityBias(table, float(base.mean()), analyzer, chance,
                        (classes[scarce:scarce + 1].tolist()[0], int(counts[scarce])))
