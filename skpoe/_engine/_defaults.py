"""The package's default experts, each named by what it is: one place for all of them.

- :func:`_boosted_trees`: the default inter expert of the analyzer (measurement:
  pinned capacity), the intra expert of :func:`compare_groupings`, and early
  fusion in ``skpoe bias``;
- :func:`_early_stopped_trees`: the default inter expert of the classifier
  (prediction: capacity chosen by the training rows);
- :func:`_imputed_logistic`: the intra expert of :func:`modality_bias`'s own
  analysis (any X);
- :func:`_mixed_logistic`: the intra expert of the command line (DataFrames with
  numeric and categorical columns).

Both logistic experts choose their regularisation by inner cross-validation on
log-loss (:func:`_logistic_cv`): a fixed ``C=1`` overfits a wide embedding with few
events (128 columns, ~200 events: worse than chance before calibration). On a
narrow modality (at most ``_MAX_SPLINE_COLUMNS`` numeric columns) they are additive
spline models (:class:`_SplinesIfNarrow`): a U-shaped effect, common in clinical
measurements, is information a straight line cannot use.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted


def _boosted_trees():
    """Gradient-boosted trees with pinned iterations; they take NaN as it is."""
    # Pinned, not scikit-learn's defaults: early_stopping='auto' switches on above
    # 10,000 rows (and an inter expert and its additive baseline must train for
    # the same iterations), and small trees with a lower learning rate keep the
    # additive baseline (interaction_cst) as well fitted as the free model
    # (benchmarks/analyzer_calibration.py).
    return HistGradientBoostingClassifier(
        learning_rate=0.05, max_iter=300, max_leaf_nodes=8, early_stopping=False,
        random_state=0,
    )


# From strong shrinkage (a wide embedding, few events) to nearly none (a few strong
# columns); one decade apart, so that 5 inner folds can tell them apart.
_CS = (1e-3, 1e-2, 1e-1, 1.0, 10.0)


def _logistic_cv():
    """Logistic regression whose ``C`` is chosen by 5-fold inner CV on log-loss."""
    model = LogisticRegressionCV(Cs=np.array(_CS), cv=5, scoring="neg_log_loss",
                                 l1_ratios=(0.0,), max_iter=1000)
    if "use_legacy_attributes" in model.get_params():  # scikit-learn >= 1.8 warns without
        model.set_params(use_legacy_attributes=False)
    return model


def _early_stopped_trees():
    """:func:`_boosted_trees` that stops when 15% of its training rows stop improving."""
    # Prediction, not measurement: the classifier has no additive baseline to train
    # alike, and 300 pinned iterations overfit small tables (a 1,500-row lesion
    # study: the default product's held-out log-loss 0.430 against chance 0.422;
    # early-stopped 0.367; breast cancer 0.190 -> 0.153).
    return _boosted_trees().set_params(early_stopping=True, validation_fraction=0.15,
                                       n_iter_no_change=20)


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


def _numbers():
    """Median imputation (NaN inside a present modality), scaling, splines if narrow."""
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         _SplinesIfNarrow())


def _imputed_logistic():
    """:func:`_numbers`, then a logistic regression: an additive model of the columns."""
    return make_pipeline(*[step for _, step in _numbers().steps], _logistic_cv())


def _mixed_logistic():
    """:func:`_imputed_logistic` on the numeric columns, one-hot on the others.

    Columns are chosen by dtype, so one expert serves any modality: numbers go
    through :func:`_numbers`; strings, categories and booleans imputed with their
    most frequent value and one-hot encoded (a level unseen in training is ignored).
    """
    columns = ColumnTransformer([
        ("numbers", _numbers(), make_column_selector(dtype_include="number")),
        ("categories", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                     OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_exclude="number")),
    ])
    return make_pipeline(columns, _logistic_cv())
