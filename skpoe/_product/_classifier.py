"""The product-of-experts classifier over column-group modalities."""

import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.parallel import delayed
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .._engine._combine import _product_terms
from .._engine._defaults import _early_stopped_trees
from .._engine._exponents import _fit_exponents
from .._engine._fitting import _expert_log_proba, _fit_expert, _sample_weight_params
from .._engine._jobs import _run_jobs
from .._engine._oof import _check_folds_hold_classes, _cross_fit, _make_splits
from .._engine._presence import _expert_rows, _row_mask
from .._engine._prior import _class_counts, _log_prior
from .._engine._spec import (
    _Context,
    _ExpertsComposition,
    _ExpertSpec,
    _LogProbaClassifierMixin,
    _modality_of,
)
from .._engine._threads import _thread_limited
from .._engine._validation import _check_floor, _check_X, _encode_y
from .._vocabulary import INTER, NORMALISER, PRIOR
from ._weights import _resolve_weights


class ProductOfExpertsClassifier(
    ClassifierMixin, _LogProbaClassifierMixin, _ExpertsComposition
):
    r"""Product of intra-modality experts and one inter-modality expert.

    Treats groups of columns of one table as modalities. One *intra* expert is
    fitted per modality on that modality's columns, and one *inter* expert on the
    union of all modalities' columns; their class probabilities are combined as a
    product of experts (Madaan et al., 2024, "I2M2")

    .. math::

        \log p(y \mid x) = \sum_k w_k \log p_k(y \mid x_k) - \log Z(x),

    renormalised over the classes with ``logsumexp`` (see :func:`combine_log_proba`).
    Intra experts capture what each modality says about the label alone; the inter
    expert captures what the modalities say only together. Modelling both keeps the
    model from leaning on one modality.

    Parameters
    ----------
    experts : list of (str, estimator or "drop", columns) tuples
        One ``(name, estimator, columns)`` triple per modality. ``estimator`` is any
        classifier with ``predict_proba`` (cloned, never fitted in place) or
        ``"drop"``. ``columns`` selects the modality's columns as in
        :class:`~sklearn.compose.ColumnTransformer`: a name or an integer index, a
        list of names or indices, a slice (of names, stop included, or of indices),
        a boolean mask, or a callable taking ``X`` and returning one of these (such
        as :func:`~sklearn.compose.make_column_selector`; use a module-level
        function so that the estimator pickles). A column may belong to several
        modalities. Columns in no modality are ignored, as ColumnTransformer's
        ``remainder="drop"``. Names must be unique, must not contain ``"__"`` and
        must not be ``"inter"``.
    inter_estimator : estimator, "drop" or None, default=None
        The inter expert, fitted on the union of the modalities' columns (early
        fusion). ``None`` uses ``HistGradientBoostingClassifier(learning_rate=0.05,
        max_iter=300, max_leaf_nodes=8, early_stopping=True,
        validation_fraction=0.15, n_iter_no_change=20, random_state=0)``:
        nonlinear, so that it can capture interactions between modalities, strong on
        tabular data, it accepts missing values, and it stops boosting when a
        held-out 15% of its training rows stops improving, so that it does not
        overfit a small table. (:class:`ModalityDependencyAnalyzer`'s default pins
        its iterations instead, so that it and its additive baseline train alike.)
        ``"drop"`` leaves the product to the intra experts.
    weights : array-like, dict, "learn" or None, default=None
        Exponent :math:`w_k \ge 0` of each expert. A sequence (of length
        ``n_modalities + 1``) lists the intra experts in ``experts`` order followed
        by the inter expert; a dict maps expert names
        (``"inter"`` for the inter expert) to weights, missing names meaning 1.
        Weights of dropped experts are ignored; a weight of 0 removes an expert from
        the product (it is still fitted, as in
        :class:`~sklearn.ensemble.VotingClassifier`). ``None`` means all ones.
        ``"learn"`` fits the exponents by minimising the log-loss of the product
        (prior-corrected if ``prior_correction``) on out-of-fold predictions of an
        internal cross-validation (``cv``); this costs ``cv`` extra fits of every
        expert, so about ``cv + 1`` times the fit time.
    prior_correction : bool, default=True
        Divide the product by the class prior once per extra expert:
        :math:`p(y \mid x) \propto \prod_k p_k(y \mid x_k)^{w_k} /
        p(y)^{\sum_k w_k - 1}`, with :math:`p(y)` the (sample-weighted) training
        class frequencies. By Bayes, :math:`p_k(y \mid x_k) \propto p(x_k \mid y)\,
        p(y)`; if the modalities are conditionally independent given the label,
        :math:`p(y \mid x) \propto p(y) \prod_k p(x_k \mid y) \propto
        \prod_k p_k(y \mid x_k) / p(y)^{K - 1}`: the plain product counts the prior
        :math:`K` times instead of once, which skews predictions toward the
        majority class on imbalanced data. On a 1,500-row lesion study with 15%
        positives (:func:`skpoe.datasets.make_lesion_study`) the plain product's
        held-out log-loss is 0.728 against chance 0.422, corrected 0.367; on
        balanced digits the two agree (0.214, 0.215). ``False`` gives the seed's
        plain product, :func:`combine_log_proba` without a prior.
    missing_modality : {"error", "drop"}, default="error"
        What to do with a row whose columns of a modality are all NaN (the modality
        is absent); only modalities that some remaining expert reads count.
        ``"error"`` raises, naming the modality and the number of rows.
        ``"drop"`` leaves the absent experts out of that row's product (and out of
        :math:`\sum_k w_k` for the prior correction). At fit, each intra expert
        trains on the rows where its modality is present; the inter expert trains
        on complete rows and is left out of incomplete rows, unless it accepts NaN
        itself (``allow_nan`` tag, e.g. HistGradientBoosting), in which case it
        sees every row with some modality present. Rows with every modality absent
        get the training class prior. A modality that is only partly missing in a
        row goes to its experts as NaN: they must accept NaN.
    proba_floor : float in (0, 1), default=1e-9
        Each expert's probabilities are raised to at least this value before taking
        logs, so that an expert that outputs an exact 0 (trees, k-NN) cannot veto a
        class outright: the product stays finite and free of log(0) warnings, and one
        expert's 0 costs at most ``-log(proba_floor)`` nats (about 20.7 at the
        default). It must stay far below ``1 / n_classes``.
    cv : int, cross-validation generator or iterable, default=5
        The internal cross-validation of ``weights="learn"``; unused otherwise. An
        int means ``StratifiedKFold(cv)`` in data order, the splitter
        :class:`ModalityDependencyAnalyzer` uses for the same ``cv`` without a
        ``random_state``. Every (fold, expert) fit runs in one joblib call.
    n_jobs : int, default=None
        Number of experts fitted in parallel with joblib. ``None`` means 1 unless
        in a :obj:`joblib.parallel_backend` context; ``-1`` uses all processors.
    verbose : int, default=0
        Verbosity of the joblib parallel fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels. Experts are fitted on their codes ``0 .. n_classes - 1``, so a
        fitted expert's own ``classes_`` are integer positions into ``classes_``.
    estimators_ : list of estimators
        The fitted experts that were not dropped: intra experts in ``experts``
        order, then the inter expert.
    named_estimators_ : :class:`~sklearn.utils.Bunch`
        The fitted experts by name (``"inter"`` for the inter expert).
    expert_names_ : list of str
        Names of ``estimators_``, in the same order.
    weights_ : ndarray of shape (`len(estimators_)`,)
        Exponent of each fitted expert in the product (the learned ones with
        ``weights="learn"``).
    class_prior_ : ndarray of shape (n_classes,)
        Training class frequencies (sample-weighted): the prior of the prior
        correction and of rows with every modality absent.
    modality_columns_ : dict of str to ndarray of int
        Column indices of X selected by each modality (dropped ones included).
    inter_columns_ : ndarray of int
        Column indices seen by the inter expert: the union of ``modality_columns_``.
    n_features_in_ : int
        Number of columns of X seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X seen during fit; defined only when X has string
        column names.

    See Also
    --------
    make_product_of_experts : Build the classifier from (estimator, columns) pairs.
    combine_log_proba : The combination rule, as a NumPy function.
    sklearn.ensemble.VotingClassifier : Averages probabilities instead of
        multiplying them.

    Notes
    -----
    Scope: single-output classification, binary or multiclass; no regression or
    multilabel targets. Sample weights, when given, are passed to every expert
    (to the last step of a Pipeline expert); they must be non-negative, and a class
    of zero total weight is absent from training in every term (prior 0, unseen by
    every expert).

    An expert that never saw a class in training (it is absent from its rows, e.g.
    its modality is missing from every row of that class) is uninformative about
    it: its probability for that class is the class prior, and the classes it saw
    share the rest. It cannot veto the class; ``fit`` warns, naming expert and
    class.

    References
    ----------
    .. [1] Madaan, D., Makino, T., Chopra, S., Cho, K. "Jointly Modeling Inter- &
       Intra-Modality Dependencies for Multi-modal Learning", NeurIPS 2024.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skpoe import ProductOfExpertsClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> def lr():
    ...     return make_pipeline(StandardScaler(), LogisticRegression())
    >>> poe = ProductOfExpertsClassifier(
    ...     experts=[("mean", lr(), slice("mean radius", "mean fractal dimension")),
    ...              ("worst", lr(), slice("worst radius", "worst fractal dimension"))],
    ...     inter_estimator=lr(),
    ... ).fit(X, y)
    >>> poe.expert_names_
    ['mean', 'worst', 'inter']
    >>> poe.predict_proba(X.iloc[:2]).round(3)
    array([[1., 0.],
           [1., 0.]])
    """

    _parameter_constraints: dict = {
        **_ExpertsComposition._parameter_constraints,
        "weights": ["array-like", dict, StrOptions({"learn"}), None],
        "prior_correction": ["boolean"],
        "missing_modality": [StrOptions({"error", "drop"})],
        "cv": ["cv_object"],
    }

    def __init__(
        self,
        experts,
        *,
        inter_estimator=None,
        weights=None,
        prior_correction=True,
        missing_modality="error",
        proba_floor=1e-9,
        cv=5,
        n_jobs=None,
        verbose=0,
    ):
        self.experts = experts
        self.inter_estimator = inter_estimator
        self.weights = weights
        self.prior_correction = prior_correction
        self.missing_modality = missing_modality
        self.proba_floor = proba_floor
        self.cv = cv
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _inter_template(self):
        if self.inter_estimator is None:
            return _early_stopped_trees()
        return self.inter_estimator

    @_fit_context(
        # experts are validated by their own fit
        prefer_skip_nested_validation=False
    )
    @_thread_limited
    def fit(self, X, y, sample_weight=None):
        """Fit every expert on its modality's columns (the inter expert on their union).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data. A DataFrame is passed on to the experts as a DataFrame of
            their columns, so experts may select columns by name themselves.
        y : array-like of shape (n_samples,)
            Class labels, of any type (strings included).
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to every expert's ``fit``.

        Returns
        -------
        self : ProductOfExpertsClassifier
            The fitted estimator.
        """
        X = _check_X(self, X, reset=True)
        y_encoded, self.classes_ = _encode_y(self, y, X.shape[0])
        _check_floor(self.proba_floor, self.classes_)
        feature_names = getattr(self, "feature_names_in_", None)
        plan = self._expert_plan(X, self.n_features_in_, feature_names)
        learn = isinstance(self.weights, str) and self.weights == "learn"
        weights = _resolve_weights(None if learn else self.weights, plan)
        active = [spec for spec in plan if not spec.dropped]
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
            for spec in active:  # fail before any fit, naming the expert
                _sample_weight_params(spec.estimator, spec.name, sample_weight)
        _, rows = _expert_rows(X, plan, feature_names, self.missing_modality)
        for spec in active:
            self._check_trainable(spec, rows[spec.name], y_encoded, sample_weight)

        counts = _class_counts(y_encoded, len(self.classes_), sample_weight)
        # A class of zero total weight is absent from training, in every term: its
        # prior is 0 (floored in logs) and no expert has seen it.
        self.class_prior_ = counts / counts.sum()
        self._classes_seen = {
            spec.name: self._classes_seen_by(spec, rows[spec.name], y_encoded, sample_weight)
            for spec in active
        }
        modality_of = _modality_of(plan)
        fitted = _run_jobs(
            [delayed(_fit_expert)(
                spec.estimator, X, spec.columns, y_encoded, sample_weight, spec.name,
                rows=rows[spec.name], modality_of=modality_of,
            ) for spec in active],
            [f"expert {spec.name}" for spec in active], n_jobs=self.n_jobs, verbose=self.verbose,
        )
        self.estimators_ = fitted
        self.expert_names_ = [spec.name for spec in active]
        self.named_estimators_ = Bunch(**dict(zip(self.expert_names_, fitted)))
        self.weights_ = weights[[not spec.dropped for spec in plan]]
        self.modality_columns_ = {spec.name: spec.columns for spec in plan if not spec.is_inter}
        self.inter_columns_ = plan[-1].columns
        if learn:
            self.weights_ = self._learn_weights(X, y_encoded, sample_weight, active, rows,
                                                modality_of)
        return self

    def _classes_seen_by(self, spec, rows, y_encoded, sample_weight):
        """Classes with positive weight among an expert's training rows; warn of the others.

        An expert that never saw a class (its modality absent from every row of the
        class, or those rows all of weight 0) is made uninformative about it at
        predict time, not a veto.
        """
        keep = slice(None) if rows is None else rows
        weights = None if sample_weight is None else sample_weight[keep]
        seen = _class_counts(y_encoded[keep], len(self.classes_), weights) > 0
        trained = self.class_prior_ > 0
        if (trained & ~seen).any():
            missing = self.classes_[trained & ~seen].tolist()
            has_rows = _class_counts(y_encoded[keep], len(self.classes_)) > 0
            why = ("its rows of them all have sample_weight 0"
                   if has_rows[trained & ~seen].all() else
                   "its modality is absent from every such row")
            warnings.warn(
                f"Expert {spec.name!r} has no training row of class(es) {missing!r} ({why}): "
                "it is treated as uninformative about them, giving them their prior "
                "probability, so that it cannot veto them.", UserWarning, stacklevel=3,
            )
        return seen

    def _check_trainable(self, spec, rows, y_encoded, sample_weight):
        """An expert needs two classes among the rows it sees, and some weight there.

        Classes of weight 0 among them are fine (the expert is uninformative about
        them); rows that all weigh 0 leave nothing to learn from.
        """
        keep = slice(None) if rows is None else rows
        where = ("all rows" if rows is None else "complete rows" if spec.is_inter
                 else f"rows where {spec.name!r} is present")
        if sample_weight is not None and not np.any(sample_weight[keep] > 0):
            raise ValueError(
                f"Expert {spec.name!r} cannot be trained: sample_weight is 0 on every one "
                f"of the {where}. Give some of them weight, or drop the expert."
            )
        seen = np.unique(y_encoded[keep])
        if seen.size < 2:
            found = (
                "no row" if seen.size == 0 else f"only class {self.classes_[seen].tolist()[0]!r}"
            )
            raise ValueError(
                f"Expert {spec.name!r} cannot be trained: the {where} hold {found}; an "
                "expert needs at least 2 classes."
            )

    def _learn_weights(self, X, y_encoded, sample_weight, active, rows, modality_of):
        """Exponents minimising the product's out-of-fold log-loss (internal CV)."""
        try:
            splits = _make_splits(self.cv, y_encoded)
        except ValueError as exc:
            needs_groups = "groups" in str(exc)
            raise ValueError(
                f"weights='learn' cross-validates the product on the training rows with "
                f"cv={self.cv!r}, which failed: {str(exc).rstrip('.')}. "
                + ("fit takes no groups: pass cv as a list of (train, test) splits made "
                   "with your groups, e.g. list(GroupKFold(5).split(X, y, groups))."
                   if needs_groups else
                   "Use a smaller cv (fewer folds), or more rows of each class.")
            ) from exc
        _check_folds_hold_classes(splits, y_encoded, self.classes_, rows, active)
        n_samples, n_classes = X.shape[0], len(self.classes_)
        outputs = _cross_fit(
            active, X, y_encoded, splits, rows,
            _Context(n_classes, self.proba_floor, modality_of),
            sample_weight=sample_weight, n_jobs=self.n_jobs,
            verbose=self.verbose,
        )
        oof = [np.full((n_samples, n_classes), np.nan) for _ in active]
        scored = np.zeros(n_samples, dtype=bool)
        for (_, test), fold_out in zip(splits, outputs):
            for k, spec in enumerate(active):
                oof[k][test] = fold_out[spec.name][0]
            scored[test] = True
        present = np.column_stack([_row_mask(rows[spec.name], n_samples) for spec in active])
        return _fit_exponents(
            [lp[scored] for lp in oof], y_encoded[scored],
            _log_prior(self.class_prior_, self.proba_floor) if self.prior_correction else None,
            present=present[scored],
            sample_weight=None if sample_weight is None else sample_weight[scored],
        )

    def _fitted_plan(self):
        """The plan of experts rebuilt from the fitted state, dropped modalities included."""
        fitted = dict(zip(self.expert_names_, self.estimators_))
        plan = [_ExpertSpec(name, fitted.get(name, "drop"), cols)
                for name, cols in self.modality_columns_.items()]
        plan.append(_ExpertSpec(INTER, fitted.get(INTER, "drop"), self.inter_columns_,
                                is_inter=True))
        return plan

    def _experts_log_proba(self, X, log_prior, all_experts=False):
        """Validated X -> (log-probabilities, weights, presence) of the weighted experts.

        Experts of weight 0 are skipped unless ``all_experts``; an expert's
        log-probabilities are NaN on the rows where it is absent.
        """
        check_is_fitted(self)
        X = _check_X(self, X, reset=False)
        plan = self._fitted_plan()
        # Every fitted expert's input is checked, weight 0 or not: the same X is
        # valid or not whatever the weights.
        _, rows = _expert_rows(X, plan, getattr(self, "feature_names_in_", None),
                               self.missing_modality, fitting=False)
        specs = {spec.name: spec for spec in plan}
        used = [k for k, w in enumerate(self.weights_) if all_experts or w > 0]
        names = [self.expert_names_[k] for k in used]
        log_probas = [
            _expert_log_proba(specs[n].estimator, X, specs[n].columns, len(self.classes_),
                              self.proba_floor, n, rows=rows[n], seen=self._classes_seen[n],
                              log_prior=log_prior)
            for n in names
        ]
        present = np.column_stack([_row_mask(rows[n], X.shape[0]) for n in names]) if names \
            else np.ones((X.shape[0], 0), dtype=bool)
        return log_probas, self.weights_[used], present

    def _product(self, X, keep_terms=False):
        """(unnormalised log-product, expert terms, prior term, expert names)."""
        check_is_fitted(self)
        log_prior = _log_prior(self.class_prior_, self.proba_floor)
        log_probas, weights, present = self._experts_log_proba(X, log_prior,
                                                               all_experts=keep_terms)
        names = [n for n, w in zip(self.expert_names_, self.weights_) if keep_terms or w > 0]
        if not log_probas:  # learned weights may all be 0: the prior is the model
            joint = np.tile(log_prior, (present.shape[0], 1))
            return joint, [], joint.copy(), names
        # Rows where no expert weighs in get the prior (see _product_terms).
        joint, terms, prior_term = _product_terms(
            log_probas, weights, log_prior, None if present.all() else present, keep_terms,
            correct_prior=self.prior_correction,
        )
        return joint, terms, prior_term, names

    def predict_log_proba(self, X):
        """Log-probabilities of the product of experts.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            :math:`\\sum_k w_k \\log p_k(y \\mid x_k)` (minus the prior correction),
            renormalised; columns follow ``classes_``.
        """
        joint, _, _, _ = self._product(X)
        joint -= logsumexp(joint, axis=1, keepdims=True)
        return joint

    def predict_contributions(self, X):
        """Each term of the product, per sample and class: which expert drove what.

        For every row and class, the terms sum to ``predict_log_proba`` (within
        floating-point error): each expert's weighted log-probability
        :math:`w_k \\log p_k(y \\mid x_k)` (NaN where the expert is absent: count it
        as 0), the ``"prior"`` term (the prior correction, or the log prior for rows
        with every expert absent, else 0) and the ``"normaliser"``
        (:math:`-\\log Z(x)`). See :func:`modality_drivers` to read it.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        contributions : pandas.DataFrame
            Indexed like X (a RangeIndex for arrays), with a column per
            ``(term, class)``: the experts by name (weight-0 experts included, as 0),
            then ``"prior"`` and ``"normaliser"``.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from skpoe import ProductOfExpertsClassifier
        >>> from skpoe.datasets import make_planted_modalities
        >>> data = make_planted_modalities("independent", n_samples=200, random_state=0)
        >>> poe = ProductOfExpertsClassifier(
        ...     [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()],
        ...     inter_estimator="drop").fit(data.data, data.target)
        >>> contributions = poe.predict_contributions(data.data.iloc[:3])
        >>> contributions.columns.get_level_values("term").unique().tolist()
        ['a', 'b', 'prior', 'normaliser']
        >>> bool(np.allclose(contributions.T.groupby(level="class").sum().T.fillna(0),
        ...                  poe.predict_log_proba(data.data.iloc[:3])))
        True
        """
        import pandas as pd

        joint, terms, prior_term, names = self._product(X, keep_terms=True)
        normaliser = -logsumexp(joint, axis=1, keepdims=True)
        blocks = terms + [prior_term, np.broadcast_to(normaliser, joint.shape)]
        labels = names + [PRIOR, NORMALISER]
        columns = pd.MultiIndex.from_product([labels, self.classes_], names=["term", "class"])
        index = X.index if hasattr(X, "index") and hasattr(X, "iloc") else None
        return pd.DataFrame(np.hstack(blocks), index=index, columns=columns)

    def __sklearn_tags__(self):
        # allow_nan only when every expert takes NaN: with missing_modality="drop",
        # NaNs that blank out a whole modality are accepted too, but not arbitrary ones.
        return self._tags_from_experts(super().__sklearn_tags__())


def make_product_of_experts(*experts, **params):
    """Build a :class:`ProductOfExpertsClassifier` from ``(estimator, columns)`` pairs.

    Like :func:`~sklearn.compose.make_column_transformer`, the experts are named
    after their estimators' classes, lowercased, with ``-1``, ``-2``... appended
    when a class repeats. Pass ``(name, estimator, columns)`` triples instead to
    choose the modality names yourself.

    Parameters
    ----------
    *experts : tuples (estimator, columns) or (name, estimator, columns)
        One per modality; see ``experts`` in :class:`ProductOfExpertsClassifier`.
    **params : dict
        Other parameters of :class:`ProductOfExpertsClassifier`
        (``inter_estimator``, ``weights``, ``prior_correction``, ...).

    Returns
    -------
    ProductOfExpertsClassifier
        An unfitted classifier.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skpoe import make_product_of_experts
    >>> poe = make_product_of_experts(
    ...     (LogisticRegression(), [0, 1]), (GaussianNB(), [2, 3]), (GaussianNB(), [4]),
    ...     inter_estimator="drop")
    >>> [name for name, _, _ in poe.experts]
    ['logisticregression', 'gaussiannb-1', 'gaussiannb-2']
    """
    triples = []
    auto = [spec for spec in experts if len(spec) == 2]
    counts = {}
    for est, _ in auto:
        key = type(est).__name__.lower() if not isinstance(est, str) else est
        counts[key] = counts.get(key, 0) + 1
    seen = {}
    for spec in experts:
        if len(spec) == 3:
            triples.append(tuple(spec))
            continue
        if len(spec) != 2:
            raise ValueError(
                f"Each expert must be (estimator, columns) or (name, estimator, columns); "
                f"got {spec!r}."
            )
        est, cols = spec
        key = type(est).__name__.lower() if not isinstance(est, str) else est
        if counts[key] > 1:
            seen[key] = seen.get(key, 0) + 1
            name = f"{key}-{seen[key]}"
        else:
            name = key
        triples.append((name, est, cols))
    return ProductOfExpertsClassifier(triples, **params)
