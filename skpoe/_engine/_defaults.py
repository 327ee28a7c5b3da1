"""The package's default experts, each named by what it is: one place for all of them.

- :func:`_boosted_trees`: the default inter expert of the analyzer (measurement:
  pinned capacity), the intra expert of :func:`compare_groupings`, and early
  fusion in ``skpoe bias``;
- :func:`_early_stopped_trees`: the default inter expert of the classifier
  (prediction: capacity chosen by the training rows);
- :func:`_imputed_logistic`: the intra expert of :func:`modality_bias`'s own
  analysis (any X);
- :func:`_mixed_logistic`: the intra expert of the command line (DataFrames with
  numeric and categorical columns);
- :func:`_interaction_logistic`: the inter expert of the command line, the same
  model plus products of columns across modalities.

The logistic experts are built of the parts in ``_terms.py`` (spline terms of a
narrow modality, ``C`` chosen by inner CV on log-loss).
"""

from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ._interaction_logistic import _InteractionLogistic
from ._terms import _logistic_cv, _SplinesIfNarrow


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


def _early_stopped_trees():
    """:func:`_boosted_trees` that stops when 15% of its training rows stop improving."""
    # Prediction, not measurement: the classifier has no additive baseline to train
    # alike, and 300 pinned iterations overfit small tables (a 1,500-row lesion
    # study: the default product's held-out log-loss 0.430 against chance 0.422;
    # early-stopped 0.367; breast cancer 0.190 -> 0.153).
    return _boosted_trees().set_params(early_stopping=True, validation_fraction=0.15,
                                       n_iter_no_change=20)


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


def _interaction_logistic():
    """:func:`_mixed_logistic` on all modalities, plus products of their columns.

    See ``_interaction_logistic.py``: with few events it finds interactions that
    boosted trees miss, and its additive baseline is itself without the products.
    """
    return _InteractionLogistic()
