"""The parts the logistic default experts are built of: spline terms and the CV'd fit.

Both logistic experts choose their regularisation by inner cross-validation on
log-loss (:func:`_logistic_cv`): a fixed ``C=1`` overfits a wide embedding with few
events (128 columns, ~200 events: worse than chance before calibration). On a
narrow modality (at most ``_MAX_SPLINE_COLUMNS`` numeric columns) they are additive
spline models (:class:`_SplinesIfNarrow`): a U-shaped effect, common in clinical
measurements, is information a straight line cannot use. On a large table (every
class at least ``_HOLDOUT_MIN_CLASS`` times) ``C`` is chosen on one inner fold, not
five (:class:`_InnerFolds`).
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.preprocessing import SplineTransformer
from sklearn.utils.validation import check_is_fitted

# From strong shrinkage (a wide embedding, few events) to nearly none (a few strong
# columns); one decade apart, so that 5 inner folds can tell them apart.
_CS = (1e-3, 1e-2, 1e-1, 1.0, 10.0)


def _neg_log_loss(estimator, X, y, sample_weight=None):
    """``neg_log_loss`` as scikit-learn computes it, without its checks on every call.

    LogisticRegressionCV scores each ``C`` of each inner fold: on a few hundred rows
    the scorer's input validation was two thirds of the experts' fit time. It
    sets ``classes_`` to every class of the whole ``y`` before scoring, so each
    test label is found by ``searchsorted``, and the probabilities are a logistic
    model's: the checks have nothing to catch, and the value is the same
    (probabilities clipped to ``[eps, 1 - eps]``, as ``log_loss`` clips them).
    """
    proba = estimator.predict_proba(X)
    true = proba[np.arange(len(y)), np.searchsorted(estimator.classes_, y)]
    eps = np.finfo(proba.dtype).eps
    return float(np.average(np.log(np.clip(true, eps, 1 - eps)), weights=sample_weight))


# Every class this many times in the rows fitted: the first inner fold alone (20%)
# then holds >= 1,000 of each. On 16,000 rows of the 20,000-row, 150-column table of
# benchmarks/run.py (8 seeds, 20,000 fresh rows each) the product-term inter
# expert chose the same C and products' weight as with five folds in 8/8 (fresh
# log-loss within 2e-5 nats) in a third of the time (5.9 -> 1.9 s); a 50-column
# intra expert the same C in 4/8, at most 2e-4 nats worse. With five folds the
# analysis took 2.0x the boosted trees' time there; with one, 0.84x.
_HOLDOUT_MIN_CLASS = 5_000


class _InnerFolds(BaseCrossValidator):
    """The inner folds that choose ``C``: 5 stratified, unshuffled; 1 of them if large.

    Unshuffled, as scikit-learn's ``cv=5``: rows of one patient, when they are
    contiguous, mostly stay in one fold. With at least ``holdout_min_class`` rows
    of every class only the first fold is yielded (validate on it, train on the
    rest): one fit per ``C`` instead of five, where five folds add little but time.
    """

    def __init__(self, n_splits=5, holdout_min_class=_HOLDOUT_MIN_CLASS):
        self.n_splits = n_splits
        self.holdout_min_class = holdout_min_class

    def _is_large(self, y):
        return y is not None and \
            np.min(np.unique(np.asarray(y), return_counts=True)[1]) >= self.holdout_min_class

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of inner folds: 1 on a large table, else ``n_splits``.

        Parameters
        ----------
        X : object
            Ignored.
        y : array-like of shape (n_samples,), default=None
            Labels; without them, ``n_splits``.
        groups : object
            Ignored.

        Returns
        -------
        n_splits : int
            The number of (train, test) pairs :meth:`split` yields.
        """
        return 1 if self._is_large(y) else self.n_splits

    def split(self, X, y, groups=None):
        """Yield (train, test) row positions of each inner fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows.
        y : array-like of shape (n_samples,)
            Labels (the folds are stratified).
        groups : object
            Ignored.

        Yields
        ------
        train, test : ndarray
            Row positions.
        """
        folds = StratifiedKFold(self.n_splits).split(X, y)
        yield from ([next(folds)] if self._is_large(y) else folds)


def _logistic_cv():
    """Logistic regression whose ``C`` is chosen by inner CV on log-loss (:class:`_InnerFolds`)."""
    # the threshold read at each call: benchmarks/analyzer_calibration.py sets it for
    # one row to compare one inner fold with five on the same data
    folds = _InnerFolds(holdout_min_class=_HOLDOUT_MIN_CLASS)
    model = LogisticRegressionCV(Cs=np.array(_CS), cv=folds, scoring=_neg_log_loss,
                                 l1_ratios=(0.0,), max_iter=1000)
    if "use_legacy_attributes" in model.get_params():  # scikit-learn >= 1.8 warns without
        model.set_params(use_legacy_attributes=False)
    return model


# Splines multiply a modality's width by n_knots + 2 (cubic): on 3 weak columns with
# 80 events they raised the count of a U-shaped modality from 9/16 to 15/16 seeds;
# on a 128-column embedding they cost 10x the time and lost information (0.036 ->
# 0.030 nats; benchmarks/analyzer_calibration.py).
_MAX_SPLINE_COLUMNS = 32


class _SplinesIfNarrow(TransformerMixin, BaseEstimator):
    """Cubic B-splines of each column when there are at most ``max_columns`` of them.

    A wider input passes through unchanged (a linear model after it).
    """

    def __init__(self, max_columns=_MAX_SPLINE_COLUMNS, n_knots=5):
        self.max_columns = max_columns
        self.n_knots = n_knots

    def fit(self, X, y=None):
        self.n_features_in_ = X.shape[1]
        self.splines_ = None
        if X.shape[1] <= self.max_columns:
            # linear beyond the training range: a new extreme value stays monotone
            self.splines_ = SplineTransformer(n_knots=self.n_knots,
                                              extrapolation="linear").fit(X)
        return self

    def transform(self, X):
        check_is_fitted(self)
        return X if self.splines_ is None else self.splines_.transform(X)


