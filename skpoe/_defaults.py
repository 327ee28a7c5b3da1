"""The package's default experts, each named by what it is: one place for all of them.

- :func:`_boosted_trees`: the default inter expert (classifier and analyzer), the
  intra expert of :func:`compare_groupings`, and early fusion in ``skpoe bias``;
- :func:`_imputed_logistic`: the intra expert of :func:`modality_bias`'s own
  analysis (any X);
- :func:`_mixed_logistic`: the intra expert of the command line (DataFrames with
  numeric and categorical columns).
"""

from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


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


def _imputed_logistic():
    """Median imputation (NaN inside a present modality), scaling, logistic regression."""
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         LogisticRegression(max_iter=1000))


def _mixed_logistic():
    """:func:`_imputed_logistic` on the numeric columns, one-hot on the others.

    Columns are chosen by dtype, so one expert serves any modality: numbers are
    median-imputed and scaled; strings, categories and booleans imputed with their
    most frequent value and one-hot encoded (a level unseen in training is ignored).
    """
    columns = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         make_column_selector(dtype_include="number")),
        ("categories", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                     OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_exclude="number")),
    ])
    return make_pipeline(columns, LogisticRegression(max_iter=1000))
