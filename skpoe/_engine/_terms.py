"""The parts the logistic default experts are built of: spline terms and the CV'd fit.

Both logistic experts choose their regularisation by inner cross-validation on
log-loss (:func:`_logistic_cv`): a fixed ``C=1`` overfits a wide embedding with few
events (128 columns, ~200 events: worse than chance before calibration). On a
narrow modality (at most ``_MAX_SPLINE_COLUMNS`` numeric columns) they are additive
spline models (:class:`_SplinesIfNarrow`): a U-shaped effect, common in clinical
measurements, is information a straight line cannot use.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegressionCV
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


def _logistic_cv():
    """Logistic regression whose ``C`` is chosen by 5-fold inner CV on log-loss."""
    model = LogisticRegressionCV(Cs=np.array(_CS), cv=5, scoring=_neg_log_loss,
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


