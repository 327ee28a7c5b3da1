"""ModalityDependencyAnalyzer: measure each modality's contribution alone and jointly."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import _fit_context, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._engine._spec import _ExpertsComposition
from .._engine._threads import _thread_limited
from .._engine._validation import _check_X, _encode_y
from .._vocabulary import INTER
from ._scoring import _beyond, _signed
from ._study import plan_study, run_study, score_study


class ModalityDependencyAnalyzer(_ExpertsComposition):
    r"""Measure how much each modality, alone and jointly, tells about the label.

    Measure before you model: with cross-validation, the analyzer scores on the
    same folds (so every comparison is paired)

    - chance: the training folds' class prior;
    - each modality's *intra* expert alone;
    - the *inter* expert on all modalities together (early fusion), and its
      *additive baseline*: the same model forbidden to combine features of
      different modalities (see below);
    - the products of the intra experts, and of the intra and inter experts,
      recombined from the out-of-fold log-probabilities with no extra fit;
    - for each modality, the inter expert with that modality's columns permuted
      together across the held-out rows, and the product without that modality.

    Every model is scored raw and *calibrated*: prior-corrected, with one
    non-negative exponent per expert (a temperature for a single expert) fitted on
    the other folds, so that both sides of every comparison are calibrated alike.
    From the calibrated log-losses (nats of information about the label):

    - the *intra dependency* of a modality is chance log-loss minus its expert's;
    - the *inter dependency* is the additive baseline's log-loss minus the inter
      expert's: the excess log-loss of the best cross-modality-additive model over
      the unrestricted one of the same capacity. Negative values are reported as
      they are.

    The additive baseline of a bare ``HistGradientBoostingClassifier`` is the same
    estimator with ``interaction_cst`` holding one feature set per modality
    (modalities must then be disjoint). A ``LogisticRegression`` inter expert
    (bare, or after scalers and imputers only) is additive itself: its inter
    dependency is 0 by construction and is not estimated. Any other inter
    estimator is compared with the calibrated product of its clones fitted on each
    modality, an approximation that is additive only when the modalities are
    independent given the label (correlated modalities can show a false inter
    dependency).

    A dependency *counts* when its mean over the folds exceeds ``t(0.975, J - 1)``
    times its paired standard error, where ``J`` is the number of folds (times
    repeats) and the standard error is corrected for the overlap of CV training
    sets (Nadeau & Bengio 2003). The regime follows: ``"intra"``, ``"inter"``,
    ``"both"`` or ``"neither"``. What the inter expert adds to *your* intra
    experts (their calibrated product against it) is reported in
    ``comparison_`` as a model-selection comparison, not used for the regime.

    Parameters
    ----------
    experts : list of (str, estimator or "drop", columns) tuples
        One intra expert per modality, as in :class:`ProductOfExpertsClassifier`.
    inter_estimator : estimator, "drop" or None, default=None
        The inter expert, on the union of the modalities' columns. ``None`` uses
        ``HistGradientBoostingClassifier(early_stopping=False, random_state=0)``:
        nonlinear, so that it can show interactions between modalities, with its
        number of iterations pinned so that it and its additive baseline train
        alike.
    cv : int, cross-validation generator or iterable, default=5
        An int gives ``StratifiedKFold(cv)``, or ``StratifiedGroupKFold(cv)`` when
        ``groups`` are passed to ``fit``, shuffled with ``random_state`` when it is
        not None (the same splitter as :class:`ProductOfExpertsClassifier`'s
        ``cv``). Any scikit-learn splitter works, repeated and grouped ones
        included.
    n_repeats : int, default=2
        How many times an int ``cv`` is run, each time on a new shuffle (so the
        folds are shuffled even when ``random_state`` is None); ignored when
        ``cv`` is a splitter. Repeats do not bias the estimates; they reduce
        their noise and give the paired test ``J = cv * n_repeats`` folds
        (``J - 1`` degrees of freedom), which raises its power: on two weakly
        informative modalities with boosted-tree experts, 5-fold CV counts each
        in about 80% of simulated studies, 5-fold repeated twice in over 90%
        (``benchmarks/analyzer_calibration.py``), at twice the fitting time.
    missing_modality : {"error", "drop"}, default="error"
        A row whose columns of a modality are all NaN lacks that modality.
        ``"error"`` raises; ``"drop"`` trains and scores each expert on the rows
        where it is present, as :class:`ProductOfExpertsClassifier` does (the inter
        expert: complete rows, or every row with some modality when it accepts
        NaN); a model's prediction on a row none of its experts sees is the prior.
    pairs : bool or "auto", default=False
        Map which pairs of modalities interact (``pairs_``): for each pair, the
        additive baseline against the same model with the pair's two modalities
        merged into one ``interaction_cst`` set, on the same folds. Needs a
        HistGradientBoosting inter expert and three modalities or more (with
        two, the one pair is the inter dependency). Each pair costs one more
        fit of the inter expert per fold: with three modalities the map takes
        +75% on the bundled breast-cancer analysis (6.9 -> 12.1 s), and on a
        20,000 x 400 table it would double the analysis, past five times one
        cross-validation of the inter expert; so it is asked for. ``"auto"``
        maps 3 to 5 modalities (at most 10 pairs) and skips the map otherwise
        (for a search over groupings); ``True`` maps any number.
    decomposition : bool, default=False
        Decompose the information about the label into each modality's
        unique and redundant parts and the synergy (``decomposition_``), every
        atom from the inter expert's own additive family on the same folds
        (see the user guide). Needs a HistGradientBoosting inter expert; costs
        ``2K`` extra fits per fold for ``K`` modalities (``K`` for two), so it is
        asked for.
    proba_floor : float in (0, 1), default=1e-9
        Floor of every expert's probabilities before the log (see
        :class:`ProductOfExpertsClassifier`).
    n_jobs : int, default=None
        Number of (fold, expert) fits run in parallel with joblib.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds (when ``cv`` is an int) and seeds the permutations.
    verbose : int, default=0
        Progress of the (fold, expert) fits.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    results_ : pandas.DataFrame
        One row per model, raw and ``(calibrated)``; for each metric (accuracy,
        balanced accuracy, log-loss, ROC AUC) its mean over folds and its
        standard deviation (``*_sd``).
    fold_scores_ : pandas.DataFrame
        Every model's metrics on every fold (long format).
    dependencies_ : pandas.DataFrame
        One row per modality (``kind="intra"``) and one for ``"inter"``:
        ``dependency`` (nats, calibrated), ``se``, ``cutoff`` and ``counts``
        (``dependency > cutoff * se``), ``accuracy_gain``, ``n_rows`` (rows
        where the expert is present), and for modalities
        ``inter_reliance`` (how much the inter expert's log-loss grows when the
        modality is permuted) and ``product_loss_without`` (how much the
        calibrated product of every expert loses without the modality: its intra
        expert left out and its block permuted for the inter expert), each with
        its ``_se`` (fold-paired, as the inter dependency).
    pairs_ : pandas.DataFrame or None
        One row per pair of modalities (``"a x b"``): ``interaction`` (nats,
        calibrated: what letting the two interact adds to the additive
        baseline), its fold-paired ``se``, the ``cutoff`` (t, Bonferroni over the
        pairs, so that the map claims a false pair in at most 5% of studies) and
        whether it ``counts``.
        None when not mapped (see ``pairs``).
    decomposition_ : pandas.DataFrame or None
        One row per atom: ``information``, ``unique`` and ``redundancy`` of each
        modality, then ``synergy`` (the inter dependency) and ``total`` (chance
        minus the inter expert), in ``nats`` with their fold-paired ``se`` and
        ``counts``. For two modalities the atoms satisfy a partial information
        decomposition's equations exactly. None unless ``decomposition=True``.
    comparison_ : pandas.DataFrame or None
        Model selection, not a dependency: the calibrated inter expert's gain in
        log-loss and accuracy over the calibrated product of your intra experts,
        with its standard error. None without an inter expert.
    inter_baseline_ : str or None
        How the inter expert's additive baseline was made: ``"interaction_cst"``,
        ``"additive by construction"`` or ``"product of per-modality clones"``.
    regime_ : str
        ``"intra"``, ``"inter"``, ``"both"`` or ``"neither"``.
    t_cutoff_ : float
        The cutoff ``t(0.975, J - 1)`` in standard errors of the fold-paired tests
        (the inter dependency, reliance, model selection). Intra dependencies use
        the per-row test instead: one-sided 5%, 1.645 standard errors of the mean
        over the held-out rows, clustered by row or by ``groups`` (Bayle et al.
        2020), which keeps every planted null's false positives at 0/40 and raises
        the power on few events (``benchmarks/analyzer_calibration.py``).
    folds_ : list of :class:`~sklearn.utils.Bunch`
        Per fold: ``test`` indices, ``log_proba`` (dict of expert name to
        out-of-fold log-probabilities, NaN where the expert is absent),
        ``present`` (dict of expert name to a boolean mask of the test rows),
        ``permuted`` (dict of modality to the inter expert's log-probabilities
        with that modality permuted), ``log_prior``, and ``calibration`` (dict of
        model to its exponents, fitted on the other folds).
    modality_columns_ : dict of str to ndarray of int
        Column indices of each modality.
    n_expert_fits_ : int
        Number of expert fits made: experts (baselines included) times folds.
    test_class_counts_ : ndarray of shape (n_folds, n_classes)
        Held-out rows of each class (in the order of ``classes_``) in each test
        fold: the events a fold's scores rest on. Fewer than 10 of a class in some
        fold draws a warning at fit.
    n_features_in_ : int
        Number of columns of X.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X, when X is a DataFrame with string column names.

    See Also
    --------
    ProductOfExpertsClassifier : The model the analysis recommends.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skpoe import ModalityDependencyAnalyzer
    >>> from skpoe.datasets import load_breast_cancer_modalities
    >>> data = load_breast_cancer_modalities()
    >>> lr = make_pipeline(StandardScaler(), LogisticRegression())
    >>> analyzer = ModalityDependencyAnalyzer(
    ...     [(name, lr, cols) for name, cols in data.modalities.items()],
    ...     cv=3, random_state=0,
    ... ).fit(data.data, data.target)
    >>> analyzer.regime_
    'intra'
    >>> analyzer.dependencies_.loc["worst", "counts"]
    np.True_
    """

    _parameter_constraints: dict = {
        **_ExpertsComposition._parameter_constraints,
        "cv": ["cv_object"],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "missing_modality": [StrOptions({"error", "drop"})],
        "random_state": ["random_state"],
        "pairs": [StrOptions({"auto"}), "boolean"],
        "decomposition": ["boolean"],
    }

    def __init__(
        self,
        experts,
        inter_estimator=None,
        *,
        cv=5,
        n_repeats=2,
        missing_modality="error",
        pairs=False,
        decomposition=False,
        proba_floor=1e-9,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.experts = experts
        self.inter_estimator = inter_estimator
        self.cv = cv
        self.n_repeats = n_repeats
        self.missing_modality = missing_modality
        self.pairs = pairs
        self.decomposition = decomposition
        self.proba_floor = proba_floor
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    @_thread_limited
    def fit(self, X, y, groups=None):
        """Run the analysis: fit every expert once per fold and score every model.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The table.
        y : array-like of shape (n_samples,)
            Class labels.
        groups : array-like of shape (n_samples,), default=None
            Group labels (e.g. patient ids): no group appears on both sides of a
            fold when ``cv`` is an int or a group splitter.

        Returns
        -------
        self : ModalityDependencyAnalyzer
            The fitted analyzer.
        """
        X = _check_X(self, X, reset=True)
        y, classes = _encode_y(self, y, X.shape[0])
        plan = plan_study(self, X, y, classes, getattr(self, "feature_names_in_", None), groups)
        _set_fitted(self, score_study(plan, run_study(plan, n_jobs=self.n_jobs,
                                                      verbose=self.verbose)))
        return self

    # skops persists plain containers, not DataFrames: the fitted tables travel as
    # dicts ("tight" orient keeps index and column names) and are rebuilt on load.
    _FRAMES = ("results_", "fold_scores_", "dependencies_", "comparison_", "pairs_",
               "decomposition_")

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ gives __dict__ itself
        for name in self._FRAMES:
            if isinstance(state.get(name), pd.DataFrame):
                state[name] = {"__frame__": state[name].to_dict(orient="tight")}
        return state

    def __setstate__(self, state):
        for name in self._FRAMES:
            if isinstance(state.get(name), dict) and "__frame__" in state[name]:
                state[name] = pd.DataFrame.from_dict(state[name]["__frame__"], orient="tight")
        super().__setstate__(state)

    def recommended_estimator(self):
        """An unfitted :class:`ProductOfExpertsClassifier` for the regime found.

        Keeps the inter expert if the inter dependency counts, and each intra
        expert whose dependency counts, or, when the inter expert is left out,
        whose modality the calibrated product needs (``product_loss_without``
        beyond its cutoff: a modality weak alone can still carry what the
        others lack). ``"inter"`` gives early fusion, ``"both"`` the I2M2
        product. When nothing counts (``"neither"``), every expert is kept: the
        data did not justify dropping any. :meth:`summary` says why each expert
        is kept or left out. A product of several experts is configured as the
        analysis measured it, calibrated: ``prior_correction=True`` and
        ``weights="learn"`` (which refits the experts on ``cv`` folds).

        Returns
        -------
        ProductOfExpertsClassifier
            Configured with clones of this analyzer's experts.
        """
        from .._product._classifier import ProductOfExpertsClassifier

        check_is_fitted(self)
        decisions = self._decisions()
        experts = [
            (name, clone(est) if decisions.get(name, (False,))[0] else "drop", cols)
            for name, est, cols in self.experts
        ]
        inter = clone(self._inter_template()) if decisions.get(INTER, (False,))[0] else "drop"
        n_kept = sum(not isinstance(e, str) for _, e, _ in experts) + (inter != "drop")
        calibrated = n_kept > 1
        # a splitter object may need the groups, which the classifier never sees
        cv = self.cv if isinstance(self.cv, Integral) else 5
        return ProductOfExpertsClassifier(
            experts,
            inter_estimator=inter,
            weights="learn" if calibrated else None,
            prior_correction=calibrated,
            missing_modality=self.missing_modality,
            proba_floor=self.proba_floor,
            cv=cv,
            n_jobs=self.n_jobs,
        )

    def _decisions(self):
        """Each analysed expert -> (kept in the recommended model, why): the one rule."""
        deps = self.dependencies_

        def measured(name, column="dependency"):
            value = _signed(deps.loc[name, column])
            se = deps.loc[name, "se" if column == "dependency" else f"{column}_se"]
            return value if np.isnan(se) else f"{value} +/- {se:.3f}"  # NaN: 0 by construction

        if self.regime_ == "neither":
            return {name: (True, "kept: nothing counts, so the data justify dropping no "
                                 "expert") for name in deps.index}
        decisions = {}
        inter_kept = INTER in deps.index and bool(deps.loc[INTER, "counts"])
        for name in self._intra_names:
            alone = f"counts alone ({measured(name)})"
            if deps.loc[name, "counts"]:
                decisions[name] = (True, f"kept: {alone}")
                continue
            alone = f"does not count alone ({measured(name)})"
            if inter_kept:
                decisions[name] = (False, f"own expert left out: {alone}; the inter expert "
                                          "reads it")
                continue
            if "product_loss_without" not in deps.columns or \
                    np.isnan(deps.loc[name, "product_loss_without"]):
                decisions[name] = (False, f"left out: {alone}")
                continue
            needed = bool(_beyond(deps.loc[name, "product_loss_without"],
                                  deps.loc[name, "product_loss_without_se"], self.t_cutoff_))
            without = measured(name, "product_loss_without")
            decisions[name] = (
                (True, f"kept: {alone}, but the calibrated product is worse without it "
                       f"({without})") if needed else
                (False, f"left out: {alone}, and the calibrated product is no worse "
                        f"without it ({without})"))
        if INTER in deps.index:
            decisions[INTER] = (inter_kept, f"{'kept' if inter_kept else 'left out'}: the "
                                f"inter dependency {'counts' if inter_kept else 'does not count'}"
                                f" ({measured(INTER)})")
        return decisions

    def summary(self):
        """A readable text report of the analysis.

        Returns
        -------
        str
        """
        from ._report import _summary_text

        check_is_fitted(self)
        return _summary_text(self)

    def _html_repr(self):
        # Notebooks show the fitted analyzer as its report, the unfitted one as usual.
        if not hasattr(self, "regime_"):
            return super()._html_repr()
        from ._report import _summary_html

        return _summary_html(self)

    def plot(self, ax=None, kind="dependencies"):
        """Plot the dependencies, the pairwise interaction map or the decomposition.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        kind : {"dependencies", "pairs", "decomposition"}, default="dependencies"
            ``"dependencies"``: each modality's intra dependency and the inter
            dependency, with cutoff bars; ``"pairs"``: a modality x modality
            heatmap of ``pairs_``; ``"decomposition"``: one stacked bar per
            modality (unique + redundant information) and a synergy bar.

        Returns
        -------
        fig : matplotlib Figure
        """
        from ._plotting import _plot_decomposition, _plot_dependencies, _plot_pairs

        check_is_fitted(self)
        plots = {"dependencies": _plot_dependencies, "pairs": _plot_pairs,
                 "decomposition": _plot_decomposition}
        if kind not in plots:
            raise ValueError(f"kind must be one of {sorted(plots)}; got {kind!r}.")
        attribute = {"pairs": "pairs_", "decomposition": "decomposition_"}.get(kind)
        if attribute and getattr(self, attribute) is None:
            raise ValueError(
                f"plot(kind={kind!r}) needs {attribute}, which this analysis did not compute: "
                f"fit with {'pairs=True' if kind == 'pairs' else 'decomposition=True'} and a "
                "HistGradientBoosting inter expert."
            )
        return plots[kind](self, ax=ax)



def _set_fitted(analyzer, state):
    """Make ``analyzer`` a fitted analysis: the state :func:`score_study` returns."""
    for name, value in state.items():
        setattr(analyzer, name, value)
    return analyzer
