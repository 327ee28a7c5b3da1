"""ModalityDependencyAnalyzer: measure each modality's contribution alone and jointly."""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import _fit_context, clone
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._additive import LINEAR, _additive_baseline
from ._base import BASELINE, INTER, _ExpertsComposition, _modality_of
from ._clusters import _warn_if_clustered
from ._combine import _log_prior, _normalised_product
from ._exponents import _cross_fitted, _fit_exponents
from ._oof import _check_folds_hold_classes, _cross_fit, _make_splits, _test_class_counts
from ._presence import _expert_rows, _row_mask
from ._scoring import (
    _Z_ONE_SIDED,
    METRICS,
    _beyond,
    _fold_metrics,
    _paired_se,
    _per_row_se,
    _t_cutoff,
)
from ._threads import _thread_limited
from ._validation import _check_floor, _check_X, _encode_y

CHANCE = "chance"
PRODUCT_INTRA = "product(intra)"
PRODUCT_ALL = "product(intra+inter)"
CALIBRATED_INTRA = "calibrated product(intra)"
CALIBRATED_ALL = "calibrated product(intra+inter)"
COMPARISON = "inter expert vs calibrated product(intra)"


def _intra_row(name):
    return f"intra: {name}"


def _calibrated(model):
    return f"{model} (calibrated)"


def _permuted_row(name):
    return f"inter | {name} permuted"


def _without_row(name):
    return f"product without {name}"


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
    }

    def __init__(
        self,
        experts,
        inter_estimator=None,
        *,
        cv=5,
        n_repeats=2,
        missing_modality="error",
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
        X, y, jobs = self._plan_jobs(X, y, groups)
        outputs = _cross_fit(
            jobs.specs, X, y, jobs.splits, jobs.rows, len(self.classes_), self.proba_floor,
            blocks=jobs.blocks, seed=jobs.seed, modality_of=jobs.modality_of,
            n_jobs=self.n_jobs, verbose=self.verbose,
        )
        self._score_jobs(X, y, jobs, outputs)
        return self

    def _plan_jobs(self, X, y, groups, splits=None):
        """Validate the input and plan the (fold, expert) fits: ``(X, encoded y, jobs)``.

        ``splits`` (a list of (train, test)) replaces the folds of ``cv``, so that
        several analyses can share folds and one job list (``compare_groupings``).
        """
        X = _check_X(self, X, reset=True)
        y, self.classes_ = _encode_y(self, y, X.shape[0])
        _check_floor(self.proba_floor, self.classes_)
        feature_names = getattr(self, "feature_names_in_", None)
        plan = self._expert_plan(X, self.n_features_in_, feature_names)
        modalities, inter = plan[:-1], (None if plan[-1].dropped else plan[-1])
        intra = [spec for spec in modalities if not spec.dropped]
        if not intra:
            raise ValueError(
                "Every intra expert is 'drop': the analysis needs at least one modality's "
                "expert."
            )
        presence, rows = _expert_rows(X, plan, feature_names, self.missing_modality)
        if inter is not None:
            # The inter dependency compares the inter expert with its additive baseline
            # where every modality is present: on rows lacking one, the free model can
            # learn that a modality acts differently when another is missing, an
            # interaction with missingness that the baseline cannot fit and that would
            # read as one between modalities (+0.005 nats on additive data, b absent
            # in 25% of the rows). So both train and are scored on the complete rows.
            complete = ~presence.absent.any(axis=1)
            rows[INTER] = None if complete.all() else complete
        if groups is None:
            _warn_if_clustered(X, modalities, rows)
        else:
            groups = np.asarray(groups)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        if splits is None:
            splits = _make_splits(self.cv, y, groups,
                                  None if self.random_state is None else seed, self.n_repeats)
        if len(splits) < 2:
            raise ValueError(
                f"cv gave {len(splits)} split(s): the analysis compares models fold by fold "
                "(a paired standard error), which needs at least 2 folds. Pass cv=5, or "
                "more (train, test) splits."
            )

        specs, blocks, baseline = list(intra), {}, []
        self.inter_baseline_ = None
        if inter is not None:
            self.inter_baseline_, baseline = _additive_baseline(inter, modalities, feature_names)
            for spec in baseline:
                rows[spec.name] = rows[INTER]
            specs += [inter] + baseline
            blocks = {INTER: {
                spec.name: np.searchsorted(inter.columns, spec.columns) for spec in modalities
            }}
        _check_folds_hold_classes(splits, y, self.classes_, rows, specs)
        test_counts = _test_class_counts(splits, y, self.classes_)
        self.modality_columns_ = {spec.name: spec.columns for spec in modalities}
        self._intra_names = [spec.name for spec in intra]
        self._baseline_names = [spec.name for spec in baseline]
        return X, y, Bunch(specs=specs, rows=rows, blocks=blocks, splits=splits, seed=seed,
                           modality_of=_modality_of(plan), test_counts=test_counts,
                           clusters=groups)

    def _score_jobs(self, X, y, jobs, outputs):
        """Store the out-of-fold outputs as ``folds_``, calibrate and score every model."""
        n_classes = len(self.classes_)
        rows = jobs.rows
        self.n_expert_fits_ = len(jobs.specs) * len(jobs.splits)
        self.test_class_counts_ = jobs.test_counts
        # the units of evidence of the per-row test: rows, or groups (patients)
        self._grouped = jobs.clusters is not None
        self._clusters = np.arange(len(y)) if jobs.clusters is None else jobs.clusters
        self.folds_ = []
        for (train, test), fold_out in zip(jobs.splits, outputs):
            counts = np.bincount(y[train], minlength=n_classes).astype(np.float64)
            self.folds_.append(Bunch(
                test=test,
                log_proba={name: lp for name, (lp, _) in fold_out.items()},
                present={spec.name: _row_mask(rows.get(spec.name), len(y))[test]
                         for spec in jobs.specs},
                permuted=fold_out[INTER][1] if INTER in fold_out else {},
                log_prior=_log_prior(counts / counts.sum(), self.proba_floor),
                test_train_ratio=len(test) / len(train),
            ))
        self._n_rows = {name: int(X.shape[0] if r is None else r.sum())
                        for name, r in rows.items()}
        self._n_samples = X.shape[0]
        self._calibrate(y)
        self._score(y)

    @property
    def _has_inter(self):
        return self.inter_baseline_ is not None

    def _experts_of(self):
        """Each scored model -> (its experts, whether calibrated).

        The inter expert with a modality's block permuted is the pseudo-expert
        ``_permuted_row(name)`` (see :meth:`_fold_inputs`).
        """
        models = {CHANCE: ([], False)}
        for name in self._intra_names:
            models[_intra_row(name)] = ([name], False)
            models[_calibrated(_intra_row(name))] = ([name], True)
        if self._has_inter:
            models[INTER] = ([INTER], False)
            models[_calibrated(INTER)] = ([INTER], True)
            if self._baseline_names:
                models[BASELINE] = (self._baseline_names, False)
                models[_calibrated(BASELINE)] = (self._baseline_names, True)
        models[PRODUCT_INTRA] = (self._intra_names, False)
        models[CALIBRATED_INTRA] = (self._intra_names, True)
        if self._has_inter:
            models[PRODUCT_ALL] = (self._intra_names + [INTER], False)
            models[CALIBRATED_ALL] = (self._intra_names + [INTER], True)
        for name in self._without_names():
            others = [n for n in self._intra_names if n != name]
            if self._has_inter:
                models[_permuted_row(name)] = ([_permuted_row(name)], False)
                others = others + [_permuted_row(name)]
            models[_without_row(name)] = (others, False)
            models[_calibrated(_without_row(name))] = (others, True)
        return models

    def _without_names(self):
        """The modalities whose removal from the full product is scored (its ablations).

        Every intra modality, when the full product has another expert to fall back on.
        """
        return self._intra_names if len(self._intra_names) + self._has_inter > 1 else []

    def _full_product(self):
        """The calibrated product of every expert: what an ablation is compared with."""
        return CALIBRATED_ALL if self._has_inter else CALIBRATED_INTRA

    @staticmethod
    def _fold_inputs(fold):
        """A fold's log-probabilities and presence masks, the permuted inter expert included."""
        log_proba, present = dict(fold.log_proba), dict(fold.present)
        for name, permuted in fold.permuted.items():
            log_proba[_permuted_row(name)] = permuted
            present[_permuted_row(name)] = fold.present[INTER]
        return log_proba, present

    def _calibrate(self, y):
        """Fit each calibrated model's exponents on every fold, and cross-fit them."""
        calibrated = {m: names for m, (names, cal) in self._experts_of().items() if cal}
        inputs = [self._fold_inputs(fold) for fold in self.folds_]
        per_fold = {
            m: [
                _fit_exponents(
                    [log_proba[n] for n in names], y[fold.test], fold.log_prior,
                    present=np.column_stack([present[n] for n in names]),
                )
                for fold, (log_proba, present) in zip(self.folds_, inputs)
            ]
            for m, names in calibrated.items()
        }
        tests = [fold.test for fold in self.folds_]
        for m in calibrated:
            for fold, weights in zip(self.folds_, _cross_fitted(per_fold[m], tests)):
                fold.setdefault("calibration", {})[m] = weights

    def _fold_models(self, fold):
        """Every model's log-probabilities on one fold's test rows, by model name."""
        n_test = len(fold.test)
        log_proba, present = self._fold_inputs(fold)
        models = {}
        for model, (names, calibrated) in self._experts_of().items():
            if not names:  # chance, normalised as every product is
                models[model] = np.tile(fold.log_prior - logsumexp(fold.log_prior), (n_test, 1))
                continue
            models[model] = _normalised_product(
                [log_proba[n] for n in names],
                fold.calibration[model] if calibrated else None,
                fold.log_prior,
                np.column_stack([present[n] for n in names]),
                correct_prior=calibrated,
            )
        return models

    def _score(self, y):
        rows = []
        per_row = [CHANCE] + [_calibrated(_intra_row(name)) for name in self._intra_names]
        row_losses = {model: [] for model in per_row}
        for f, fold in enumerate(self.folds_):
            y_test = y[fold.test]
            for model, log_proba in self._fold_models(fold).items():
                rows.append({"model": model, "fold": f, **_fold_metrics(log_proba, y_test)})
                if model in row_losses:
                    row_losses[model].append(-log_proba[np.arange(len(y_test)), y_test])
        self.fold_scores_ = pd.DataFrame(rows)
        order = list(dict.fromkeys(self.fold_scores_["model"]))
        grouped = self.fold_scores_.groupby("model", sort=False)[list(METRICS)]
        means, sds = grouped.mean(), grouped.std(ddof=1).add_suffix("_sd")
        columns = [c for m in METRICS for c in (m, f"{m}_sd")]
        self.results_ = means.join(sds)[columns].loc[order]
        self.t_cutoff_ = _t_cutoff(len(self.folds_))
        self.dependencies_ = self._dependencies(row_losses)
        self.comparison_ = self._comparison()
        self.regime_ = _regime(self.dependencies_)

    def _per_fold(self, model, metric="log_loss"):
        scores = self.fold_scores_[self.fold_scores_["model"] == model]
        return scores.sort_values("fold")[metric].to_numpy()

    def _gain(self, baseline, model, metric="log_loss"):
        """Mean and paired SE over folds of ``model``'s improvement on ``baseline``.

        For log-loss the improvement is baseline minus model; for accuracy, model
        minus baseline.
        """
        ratio = float(np.mean([fold.test_train_ratio for fold in self.folds_]))
        diff = self._per_fold(baseline, metric) - self._per_fold(model, metric)
        if metric != "log_loss":
            diff = -diff
        return float(np.mean(diff)), _paired_se(diff, ratio)

    def _row_gain(self, row_losses, baseline, model):
        """Mean and clustered per-row SE of ``model``'s log-loss gain on ``baseline``."""
        diff = np.concatenate(row_losses[baseline]) - np.concatenate(row_losses[model])
        clusters = np.concatenate([self._clusters[fold.test] for fold in self.folds_])
        return float(np.mean(diff)), _per_row_se(diff, clusters)

    def _dependencies(self, row_losses):
        rows = {}
        for name in self._intra_names:
            model = _calibrated(_intra_row(name))
            # Per-row test (see _scoring.py): sharper than the fold-paired one, and
            # valid for intra experts in every planted null we simulated.
            dep, se = self._row_gain(row_losses, CHANCE, model)
            row = {"kind": "intra", "dependency": dep, "se": se, "cutoff": _Z_ONE_SIDED,
                   "accuracy_gain": self._gain(CHANCE, model, "accuracy")[0],
                   "n_rows": self._n_rows[name]}
            # The models on the right lose information: their gain is negative.
            if self._has_inter:
                reliance, reliance_se = self._gain(_permuted_row(name), INTER)
                row.update(inter_reliance=reliance, inter_reliance_se=reliance_se)
            if name in self._without_names():
                without, without_se = self._gain(_calibrated(_without_row(name)),
                                                 self._full_product())
                row.update(product_loss_without=without, product_loss_without_se=without_se)
            rows[name] = row
        if self._has_inter:
            if self.inter_baseline_ == LINEAR:
                dep, se, acc = 0.0, np.nan, 0.0
            else:
                dep, se = self._gain(_calibrated(BASELINE), _calibrated(INTER))
                acc = self._gain(_calibrated(BASELINE), _calibrated(INTER), "accuracy")[0]
            rows[INTER] = {"kind": "inter", "dependency": dep, "se": se,
                           "cutoff": self.t_cutoff_, "accuracy_gain": acc,
                           "n_rows": self._n_rows[INTER]}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.insert(4, "counts", _beyond(table["dependency"], table["se"], table["cutoff"]))
        table.index.name = "expert"
        return table

    def _comparison(self):
        if not self._has_inter:
            return None
        inter = _calibrated(INTER)
        gain, se = self._gain(CALIBRATED_INTRA, inter)
        return pd.DataFrame(
            {"log_loss_gain": [gain], "se": [se],
             "accuracy_gain": [self._gain(CALIBRATED_INTRA, inter, "accuracy")[0]]},
            index=pd.Index([COMPARISON], name="comparison"),
        )

    # skops persists plain containers, not DataFrames: the fitted tables travel as
    # dicts ("tight" orient keeps index and column names) and are rebuilt on load.
    _FRAMES = ("results_", "fold_scores_", "dependencies_", "comparison_")

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
        from ._product import ProductOfExpertsClassifier

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
        from ._report import _signed

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

    def plot(self, ax=None):
        """Plot each modality's intra dependency and the inter dependency, with cutoff bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        fig : matplotlib Figure
        """
        from ._plotting import _plot_dependencies

        check_is_fitted(self)
        return _plot_dependencies(self, ax=ax)


def _regime(dependencies):
    intra = bool(dependencies.loc[dependencies["kind"] == "intra", "counts"].any())
    inter = bool(dependencies.loc[dependencies["kind"] == "inter", "counts"].any())
    return {(True, True): "both", (True, False): "intra", (False, True): "inter"}.get(
        (intra, inter), "neither"
    )

