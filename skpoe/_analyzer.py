"""ModalityDependencyAnalyzer: measure each modality's contribution alone and jointly."""

from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import _fit_context, clone
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, check_cv
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import INTER, _ExpertsComposition
from ._combine import combine_log_proba
from ._experts import _expert_log_proba, _fit_expert
from ._exponents import _fit_exponents
from ._modalities import _as_column_key
from ._scoring import METRICS, _fold_metrics, _paired_se
from ._validation import _check_values_for_experts, _check_X, _encode_y

CHANCE = "chance"
PRODUCT_INTRA = "product(intra)"
PRODUCT_ALL = "product(intra+inter)"
CALIBRATED_INTRA = "calibrated product(intra)"
CALIBRATED_ALL = "calibrated product(intra+inter)"


def _intra_row(name):
    return f"intra: {name}"


def _permuted_row(name):
    return f"inter | {name} permuted"


def _without_row(name):
    return f"product without {name}"


def _permute_block(X_sub, positions, rng):
    """Copy of X_sub whose columns ``positions`` are permuted together across rows."""
    perm = rng.permutation(X_sub.shape[0])
    if hasattr(X_sub, "iloc"):
        out = X_sub.copy()
        out.iloc[:, positions] = X_sub.iloc[perm, positions].to_numpy()
        return out
    if sp.issparse(X_sub):
        # Column selection by diagonal 0/1 matrices keeps the result sparse.
        in_block = np.zeros(X_sub.shape[1])
        in_block[positions] = 1.0
        X_sub = sp.csr_matrix(X_sub)
        return X_sub @ sp.diags(1.0 - in_block) + X_sub[perm] @ sp.diags(in_block)
    out = np.array(X_sub, copy=True)
    out[:, positions] = X_sub[np.ix_(perm, positions)]
    return out


def _fit_on_fold(spec, X, y, train, test, n_classes, floor, blocks, seed):
    """Fit one expert on a fold's training rows; log-probabilities on its test rows.

    For the inter expert, ``blocks`` maps each modality to its positions among the
    inter expert's columns: each block is permuted across the test rows and scored
    again, with no refit.
    """
    X_train = _safe_indexing(X, train, axis=0)
    X_test = _safe_indexing(X, test, axis=0)
    fitted = _fit_expert(spec.estimator, X_train, spec.columns, y[train], None, spec.name)
    log_proba = _expert_log_proba(fitted, X_test, spec.columns, n_classes, floor, spec.name)
    permuted = {}
    if blocks:
        rng = np.random.default_rng(seed)
        X_sub = _safe_indexing(X_test, _as_column_key(spec.columns), axis=1)
        all_columns = np.arange(X_sub.shape[1])
        for name, positions in blocks.items():
            X_perm = _permute_block(X_sub, positions, rng)
            permuted[name] = _expert_log_proba(
                fitted, X_perm, all_columns, n_classes, floor, spec.name
            )
    return log_proba, permuted


class ModalityDependencyAnalyzer(_ExpertsComposition):
    r"""Measure how much each modality, alone and jointly, tells about the label.

    Measure before you model: with cross-validation, the analyzer scores on the
    same folds (so every comparison is paired)

    - chance: the training folds' class prior;
    - each modality's *intra* expert alone;
    - the *inter* expert on all modalities together (early fusion);
    - the products of the intra experts, and of the intra and inter experts, plain
      and calibrated (below), recombined from the out-of-fold log-probabilities
      with no extra fit;
    - for each modality, the inter expert with that modality's columns permuted
      together across the held-out rows, and the product without that modality
      (its intra expert left out and its block permuted for the inter expert).

    From these, in log-loss (nats of information about the label):

    - the *intra dependency* of a modality is chance log-loss minus its expert's
      log-loss;
    - the *inter dependency* is the calibrated intra product's log-loss minus the
      inter expert's: what the joint model captures beyond independent evidence.

    The *calibrated* product corrects for the class prior (counted once per expert
    in a plain product of posteriors) and has one non-negative exponent per expert,
    fitted on the other folds' out-of-fold predictions; a plain product over-counts
    the evidence that modalities share, which must not be mistaken for
    interaction. A dependency *counts* when its mean over the folds exceeds twice
    its paired standard error (corrected for the overlap of CV training sets,
    Nadeau & Bengio 2003). The regime follows: ``"intra"``, ``"inter"``,
    ``"both"`` or ``"neither"``.

    Parameters
    ----------
    experts : list of (str, estimator or "drop", columns) tuples
        One intra expert per modality, as in :class:`ProductOfExpertsClassifier`.
    inter_estimator : estimator, "drop" or None, default=None
        The inter expert, on the union of the modalities' columns. ``None`` uses
        ``HistGradientBoostingClassifier(random_state=0)``: it must be nonlinear,
        since a linear joint model cannot show interactions between modalities
        (an XOR of two modalities is invisible to it).
    cv : int, cross-validation generator or iterable, default=5
        An int gives ``StratifiedKFold(cv, shuffle=True)``, or
        ``StratifiedGroupKFold`` when ``groups`` are passed to ``fit``, both seeded
        by ``random_state``. Any scikit-learn splitter works, repeated and grouped
        ones included.
    proba_floor : float in (0, 1), default=1e-9
        Floor of every expert's probabilities before the log (see
        :class:`ProductOfExpertsClassifier`).
    n_jobs : int, default=None
        Number of (expert, fold) fits run in parallel with joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds (when ``cv`` is an int) and the permutations.
    verbose : int, default=0
        Progress of the (expert, fold) fits.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    results_ : pandas.DataFrame
        One row per model; for each metric (accuracy, balanced accuracy, log-loss,
        ROC AUC) its mean over folds and its standard deviation (``*_sd``).
    fold_scores_ : pandas.DataFrame
        Every model's metrics on every fold (long format).
    dependencies_ : pandas.DataFrame
        One row per modality (``kind="intra"``) and one for ``"inter"``:
        ``dependency`` (nats), ``se``, ``counts``, ``accuracy_gain``, and for
        modalities ``inter_reliance`` (how much the inter expert's log-loss grows
        when the modality is permuted) and ``product_loss_without`` (how much the
        product's log-loss grows without the modality), each with its ``_se``.
    regime_ : str
        ``"intra"``, ``"inter"``, ``"both"`` or ``"neither"``.
    folds_ : list of :class:`~sklearn.utils.Bunch`
        Per fold: ``test`` indices, ``log_proba`` (dict of expert name to
        out-of-fold log-probabilities), ``permuted`` (dict of modality to the inter
        expert's log-probabilities with that modality permuted), ``log_prior``, and
        ``calibration`` (dict of product to fitted exponents).
    modality_columns_ : dict of str to ndarray of int
        Column indices of each modality.
    n_expert_fits_ : int
        Number of expert fits made: experts times folds.
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
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        experts,
        inter_estimator=None,
        *,
        cv=5,
        proba_floor=1e-9,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.experts = experts
        self.inter_estimator = inter_estimator
        self.cv = cv
        self.proba_floor = proba_floor
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _splits(self, X, y, groups, seed):
        if isinstance(self.cv, Integral):
            if groups is not None:
                splitter = StratifiedGroupKFold(self.cv, shuffle=True, random_state=seed)
            else:
                splitter = StratifiedKFold(self.cv, shuffle=True, random_state=seed)
        else:
            splitter = check_cv(self.cv, y, classifier=True)
        return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y, groups)]

    @_fit_context(prefer_skip_nested_validation=False)
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
        y, self.classes_ = _encode_y(self, y, X.shape[0])
        n_classes = len(self.classes_)
        feature_names = getattr(self, "feature_names_in_", None)
        plan = self._expert_plan(X, self.n_features_in_, feature_names)
        _check_values_for_experts(X, plan, feature_names)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.shape[0] != X.shape[0]:
                raise ValueError(
                    f"groups has {groups.shape[0]} entries but X has {X.shape[0]} rows."
                )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        splits = self._splits(X, y, groups, seed)

        intra = [spec for spec in plan[:-1] if not spec.dropped]
        inter = None if plan[-1].dropped else plan[-1]
        if not intra:
            raise ValueError(
                "Every intra expert is 'drop': the analysis needs at least one modality's "
                "expert."
            )
        blocks = {}
        if inter is not None:
            blocks = {
                spec.name: np.searchsorted(inter.columns, spec.columns) for spec in plan[:-1]
            }
        active = intra + ([inter] if inter is not None else [])
        seeds = np.random.SeedSequence(seed).generate_state(len(splits))
        jobs = [
            delayed(_fit_on_fold)(
                spec, X, y, train, test, n_classes, self.proba_floor,
                blocks if spec is inter else None, int(seeds[f]),
            )
            for f, (train, test) in enumerate(splits)
            for spec in active
        ]
        outputs = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(jobs)
        self.n_expert_fits_ = len(jobs)

        self.folds_ = []
        for f, (train, test) in enumerate(splits):
            fold_out = outputs[f * len(active) : (f + 1) * len(active)]
            counts = np.bincount(y[train], minlength=n_classes).astype(np.float64)
            self.folds_.append(Bunch(
                test=test,
                log_proba={spec.name: lp for spec, (lp, _) in zip(active, fold_out)},
                permuted=fold_out[-1][1] if inter is not None else {},
                log_prior=np.log(np.maximum(counts / counts.sum(), self.proba_floor)),
                test_train_ratio=len(test) / len(train),
            ))
        self.modality_columns_ = {spec.name: spec.columns for spec in plan[:-1]}
        self._intra_names = [spec.name for spec in intra]
        self._has_inter = inter is not None
        self._calibrate(y)
        self._score(y)
        return self

    def _calibrate(self, y):
        """Fit the calibrated products' exponents for each fold on the other folds."""
        products = {CALIBRATED_INTRA: self._intra_names}
        if self._has_inter:
            products[CALIBRATED_ALL] = self._intra_names + [INTER]
        for fold in self.folds_:
            fold.calibration = {}
            # Folds whose test rows overlap this one's (repeated CV) would leak its labels.
            others = [g for g in self.folds_
                      if g is not fold and not np.intersect1d(g.test, fold.test).size]
            for product, names in products.items():
                if others:
                    weights = _fit_exponents(
                        [np.concatenate([g.log_proba[n] for g in others]) for n in names],
                        np.concatenate([y[g.test] for g in others]),
                        np.concatenate([np.tile(g.log_prior, (len(g.test), 1)) for g in others]),
                    )
                else:  # a single split: nothing to fit the exponents on
                    weights = np.ones(len(names))
                fold.calibration[product] = weights

    def _fold_models(self, fold):
        """Every model's log-probabilities on one fold's test rows, by model name."""
        lp = fold.log_proba
        intra = [lp[n] for n in self._intra_names]
        models = {CHANCE: np.tile(fold.log_prior, (len(fold.test), 1))}
        models.update({_intra_row(n): lp[n] for n in self._intra_names})
        if self._has_inter:
            models[INTER] = lp[INTER]
        models[PRODUCT_INTRA] = combine_log_proba(intra)
        models[CALIBRATED_INTRA] = combine_log_proba(
            intra, fold.calibration[CALIBRATED_INTRA], log_prior=fold.log_prior
        )
        if self._has_inter:
            models[PRODUCT_ALL] = combine_log_proba(intra + [lp[INTER]])
            models[CALIBRATED_ALL] = combine_log_proba(
                intra + [lp[INTER]], fold.calibration[CALIBRATED_ALL], log_prior=fold.log_prior
            )
            for name, permuted in fold.permuted.items():
                models[_permuted_row(name)] = permuted
                others = [lp[n] for n in self._intra_names if n != name]
                models[_without_row(name)] = combine_log_proba(others + [permuted])
        return models

    def _score(self, y):
        rows = []
        for f, fold in enumerate(self.folds_):
            for model, log_proba in self._fold_models(fold).items():
                rows.append({"model": model, "fold": f, **_fold_metrics(log_proba, y[fold.test])})
        self.fold_scores_ = pd.DataFrame(rows)
        order = list(dict.fromkeys(self.fold_scores_["model"]))
        grouped = self.fold_scores_.groupby("model", sort=False)[list(METRICS)]
        means, sds = grouped.mean(), grouped.std(ddof=1).add_suffix("_sd")
        columns = [c for m in METRICS for c in (m, f"{m}_sd")]
        self.results_ = means.join(sds)[columns].loc[order]
        self.dependencies_ = self._dependencies()
        self.regime_ = _regime(self.dependencies_)

    def _per_fold(self, model, metric="log_loss"):
        scores = self.fold_scores_[self.fold_scores_["model"] == model]
        return scores.sort_values("fold")[metric].to_numpy()

    def _dependencies(self):
        ratio = float(np.mean([fold.test_train_ratio for fold in self.folds_]))

        def gain(baseline, model, metric="log_loss", sign=1.0):
            diff = sign * (self._per_fold(baseline, metric) - self._per_fold(model, metric))
            return float(np.mean(diff)), _paired_se(diff, ratio)

        rows = {}
        for name in self._intra_names:
            dep, se = gain(CHANCE, _intra_row(name))
            acc, _ = gain(CHANCE, _intra_row(name), "accuracy", sign=-1.0)
            row = {"kind": "intra", "dependency": dep, "se": se, "accuracy_gain": acc}
            if self._has_inter:
                row["inter_reliance"], row["inter_reliance_se"] = gain(INTER, _permuted_row(name),
                                                                       sign=-1.0)
                row["product_loss_without"], row["product_loss_without_se"] = gain(
                    PRODUCT_ALL, _without_row(name), sign=-1.0
                )
            rows[name] = row
        if self._has_inter:
            dep, se = gain(CALIBRATED_INTRA, INTER)
            acc, _ = gain(CALIBRATED_INTRA, INTER, "accuracy", sign=-1.0)
            rows[INTER] = {"kind": "inter", "dependency": dep, "se": se, "accuracy_gain": acc}
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.insert(3, "counts", (table["dependency"] > 2 * table["se"]).to_numpy())
        table.index.name = "expert"
        return table

    # skops persists plain containers, not DataFrames: the fitted tables travel as
    # dicts ("tight" orient keeps index and column names) and are rebuilt on load.
    _FRAMES = ("results_", "fold_scores_", "dependencies_")

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ gives __dict__ itself
        for name in self._FRAMES:
            if name in state:
                state[name] = {"__frame__": state[name].to_dict(orient="tight")}
        return state

    def __setstate__(self, state):
        for name in self._FRAMES:
            if isinstance(state.get(name), dict) and "__frame__" in state[name]:
                state[name] = pd.DataFrame.from_dict(state[name]["__frame__"], orient="tight")
        super().__setstate__(state)

    def recommended_estimator(self):
        """An unfitted :class:`ProductOfExpertsClassifier` for the regime found.

        Keeps the intra experts whose dependency counts and the inter expert if
        the inter dependency counts (``"intra"``: a product of the counted intra
        experts; ``"inter"``: early fusion; ``"both"``: the I2M2 product). When
        nothing counts (``"neither"``), every expert is kept: the data did not
        justify dropping any. A product of several experts is configured as the
        analysis measured it, calibrated: ``prior_correction=True`` and
        ``weights="learn"`` (which refits the experts on ``cv`` folds).

        Returns
        -------
        ProductOfExpertsClassifier
            Configured with clones of this analyzer's experts.
        """
        from ._product import ProductOfExpertsClassifier

        check_is_fitted(self)
        deps = self.dependencies_
        keep_all = self.regime_ == "neither"

        def keep(name):
            return name in deps.index and (keep_all or bool(deps.loc[name, "counts"]))

        experts = [
            (name, clone(est) if keep(name) else "drop", cols)
            for name, est, cols in self.experts
        ]
        inter = clone(self._inter_template()) if self._has_inter and keep(INTER) else "drop"
        n_kept = sum(not isinstance(e, str) for _, e, _ in experts) + (inter != "drop")
        if n_kept == 0:
            experts = [(n, clone(e), c) for n, e, c in self.experts]
            n_kept = len(experts)
        calibrated = n_kept > 1
        return ProductOfExpertsClassifier(
            experts,
            inter_estimator=inter,
            weights="learn" if calibrated else None,
            prior_correction=calibrated,
            proba_floor=self.proba_floor,
            cv=self.cv if isinstance(self.cv, Integral) else 5,
            n_jobs=self.n_jobs,
        )

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
        """Plot each modality's intra dependency and the inter dependency, with 2 SE bars.

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
