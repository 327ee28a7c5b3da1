"""The product-of-experts classifier over column-group modalities."""

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils import Bunch
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._base import INTER, _ExpertsComposition, _ExpertSpec
from ._combine import combine_log_proba
from ._experts import _expert_log_proba, _fit_expert, _sample_weight_params
from ._validation import _check_values_for_experts, _check_X, _encode_y
from ._weights import _resolve_weights


class ProductOfExpertsClassifier(ClassifierMixin, _ExpertsComposition):
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
        fusion). ``None`` uses ``HistGradientBoostingClassifier(random_state=0)``:
        nonlinear, so that it can capture interactions between modalities, strong on
        tabular data, and it accepts missing values. ``"drop"`` leaves the product to
        the intra experts.
    weights : array-like of shape (n_modalities + 1,), dict or None, default=None
        Exponent :math:`w_k \ge 0` of each expert. A sequence lists the intra experts
        in ``experts`` order followed by the inter expert; a dict maps expert names
        (``"inter"`` for the inter expert) to weights, missing names meaning 1.
        Weights of dropped experts are ignored; a weight of 0 removes an expert from
        the product (it is still fitted, as in
        :class:`~sklearn.ensemble.VotingClassifier`). ``None`` means all ones.
    proba_floor : float in (0, 1), default=1e-9
        Each expert's probabilities are raised to at least this value before taking
        logs, so that an expert that outputs an exact 0 (trees, k-NN) or never saw a
        class cannot veto it outright: the product stays finite and free of log(0)
        warnings, and one expert's 0 costs at most ``-log(proba_floor)`` nats
        (about 20.7 at the default).
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
    weights_ : ndarray of shape (len(estimators_),)
        Exponent of each fitted expert in the product.
    modality_columns_ : dict of str to ndarray of int
        Column indices of X selected by each modality (dropped ones included).
    inter_columns_ : ndarray of int
        Column indices seen by the inter expert: the union of ``modality_columns_``.
    n_features_in_ : int
        Number of columns of X seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
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
    (to the last step of a Pipeline expert).

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
        "weights": ["array-like", dict, None],
    }

    def __init__(
        self,
        experts,
        *,
        inter_estimator=None,
        weights=None,
        proba_floor=1e-9,
        n_jobs=None,
        verbose=0,
    ):
        self.experts = experts
        self.inter_estimator = inter_estimator
        self.weights = weights
        self.proba_floor = proba_floor
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(
        # experts are validated by their own fit
        prefer_skip_nested_validation=False
    )
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
        feature_names = getattr(self, "feature_names_in_", None)
        plan = self._expert_plan(X, self.n_features_in_, feature_names)
        weights = _resolve_weights(self.weights, plan)
        _check_values_for_experts(X, plan, feature_names)
        active = [spec for spec in plan if not spec.dropped]
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
            for spec in active:  # fail before any fit, naming the expert
                _sample_weight_params(spec.estimator, spec.name, sample_weight)

        fitted = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(_fit_expert)(
                spec.estimator, X, spec.columns, y_encoded, sample_weight, spec.name
            )
            for spec in active
        )
        self.estimators_ = fitted
        self.expert_names_ = [spec.name for spec in active]
        self.named_estimators_ = Bunch(**dict(zip(self.expert_names_, fitted)))
        self.weights_ = weights[[not spec.dropped for spec in plan]]
        self.modality_columns_ = {spec.name: spec.columns for spec in plan if not spec.is_inter}
        self.inter_columns_ = plan[-1].columns
        return self

    def _fitted_plan(self):
        columns = [
            self.inter_columns_ if name == INTER else self.modality_columns_[name]
            for name in self.expert_names_
        ]
        return [
            _ExpertSpec(name, est, cols, is_inter=name == INTER)
            for name, est, cols in zip(self.expert_names_, self.estimators_, columns)
        ]

    def _experts_log_proba(self, X):
        """Validated X -> (log-probabilities of each weighted expert, their weights)."""
        check_is_fitted(self)
        X = _check_X(self, X, reset=False)
        feature_names = getattr(self, "feature_names_in_", None)
        used = [
            (spec, w) for spec, w in zip(self._fitted_plan(), self.weights_) if w > 0
        ]
        _check_values_for_experts(X, [spec for spec, _ in used], feature_names)
        log_probas = [
            _expert_log_proba(
                spec.estimator, X, spec.columns, len(self.classes_), self.proba_floor, spec.name
            )
            for spec, _ in used
        ]
        return log_probas, np.array([w for _, w in used])

    def predict_log_proba(self, X):
        """Log-probabilities of the product of experts.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            :math:`\\sum_k w_k \\log p_k(y \\mid x_k)`, renormalised; columns follow
            ``classes_``.
        """
        log_probas, weights = self._experts_log_proba(X)
        return combine_log_proba(log_probas, weights)

    def predict_proba(self, X):
        """Probabilities of the product of experts (``exp`` of ``predict_log_proba``).

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """Most probable class under the product of experts.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples, with the columns seen in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def __sklearn_tags__(self):
        return self._tags_from_experts(super().__sklearn_tags__())


def make_product_of_experts(
    *experts, inter_estimator=None, weights=None, proba_floor=1e-9, n_jobs=None, verbose=0
):
    """Build a :class:`ProductOfExpertsClassifier` from ``(estimator, columns)`` pairs.

    Like :func:`~sklearn.compose.make_column_transformer`, the experts are named
    after their estimators' classes, lowercased, with ``-1``, ``-2``... appended
    when a class repeats. Pass ``(name, estimator, columns)`` triples instead to
    choose the modality names yourself.

    Parameters
    ----------
    *experts : tuples (estimator, columns) or (name, estimator, columns)
        One per modality; see ``experts`` in :class:`ProductOfExpertsClassifier`.
    inter_estimator : estimator, "drop" or None, default=None
        See :class:`ProductOfExpertsClassifier`.
    weights : array-like, dict or None, default=None
        See :class:`ProductOfExpertsClassifier`.
    proba_floor : float, default=1e-9
        See :class:`ProductOfExpertsClassifier`.
    n_jobs : int, default=None
        See :class:`ProductOfExpertsClassifier`.
    verbose : int, default=0
        See :class:`ProductOfExpertsClassifier`.

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
    return ProductOfExpertsClassifier(
        triples,
        inter_estimator=inter_estimator,
        weights=weights,
        proba_floor=proba_floor,
        n_jobs=n_jobs,
        verbose=verbose,
    )
