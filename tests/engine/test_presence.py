"""The presence rule (``_engine/_presence.py``): which rows each expert trains and is scored on."""

import numpy as np
import pandas as pd
import pytest
from conftest import CLIN, IMG, make_table
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline

from skpoe import ProductOfExpertsClassifier
from skpoe.datasets import make_planted_modalities


def blank(data, modality, fraction, seed):
    """A copy of data.data with ``fraction`` of its rows missing ``modality`` entirely."""
    X = data.data.copy()
    missing = np.random.default_rng(seed).uniform(size=len(X)) < fraction
    X.loc[missing, data.modalities[modality]] = np.nan
    return X, missing


def intra_product(data, **kwargs):
    params = {"inter_estimator": "drop", "missing_modality": "drop", **kwargs}
    experts = [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()]
    return ProductOfExpertsClassifier(experts, **params)


def test_product_without_absent_experts_beats_mean_imputation_early_fusion():
    train = make_planted_modalities("independent", n_samples=1000, weights=[0.8, 0.2],
                                    random_state=0)
    test = make_planted_modalities("independent", n_samples=2000, weights=[0.8, 0.2],
                                   random_state=1)
    X_train, _ = blank(train, "b", 0.3, seed=0)
    X_test, missing = blank(test, "b", 0.3, seed=1)
    assert 0.25 < missing.mean() < 0.35
    product = intra_product(train, prior_correction=True).fit(X_train, train.target)
    imputed = make_pipeline(SimpleImputer(strategy="mean"), LogisticRegression())
    imputed.fit(X_train, train.target)
    proba = product.predict_proba(X_test)
    assert proba.shape == (2000, 2) and np.isfinite(proba).all()  # every row predicted
    assert log_loss(test.target, proba) < log_loss(test.target, imputed.predict_proba(X_test))
    # rows without b are predicted by a's expert alone (and the prior correction,
    # which is 0 for a single expert: its posterior already carries the prior once)
    a_columns = test.modalities["a"]
    a_alone = product.named_estimators_["a"].predict_proba(X_test.loc[missing, a_columns])
    np.testing.assert_allclose(proba[missing], a_alone, atol=1e-9)


def test_experts_train_on_the_rows_where_their_modality_is_present():
    data = make_planted_modalities("redundant", n_samples=400, random_state=2)
    X, missing = blank(data, "a", 0.3, seed=2)
    model = ProductOfExpertsClassifier(
        [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()],
        inter_estimator=LogisticRegression(), missing_modality="drop",
    ).fit(X, data.target)
    present = ~missing
    a_cols = data.modalities["a"]
    expected = LogisticRegression().fit(X.loc[present, a_cols], data.target[present])
    np.testing.assert_allclose(model.named_estimators_["a"].coef_, expected.coef_)
    # the inter expert (no NaN support) trained on complete rows only...
    assert model.named_estimators_["inter"].n_features_in_ == 6
    # ...and is left out where a is absent: there only b's expert speaks
    b_alone = model.named_estimators_["b"].predict_proba(X.loc[missing, data.modalities["b"]])
    np.testing.assert_allclose(model.predict_proba(X)[missing], b_alone, atol=1e-9)


def test_inter_expert_that_accepts_nan_sees_incomplete_rows():
    data = make_planted_modalities("xor", n_samples=600, random_state=3)
    X, missing = blank(data, "a", 0.3, seed=3)
    model = ProductOfExpertsClassifier(
        [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()],
        inter_estimator=HistGradientBoostingClassifier(max_iter=30, random_state=0),
        missing_modality="drop",
    ).fit(X, data.target)
    contributions = model.predict_contributions(X)
    assert contributions["inter"][missing].notna().all().all()
    assert contributions["a"][missing].isna().all().all()


def test_rows_with_every_modality_absent_get_the_training_prior():
    data = make_planted_modalities("independent", n_samples=300, weights=[0.7, 0.3],
                                   random_state=4)
    X = data.data.copy()
    X.iloc[:5] = np.nan
    for prior_correction in (False, True):
        model = intra_product(data, prior_correction=prior_correction).fit(X, data.target)
        prior = np.bincount(data.target) / len(data.target)  # every training row counts
        np.testing.assert_allclose(model.predict_proba(X.iloc[:5]), np.tile(prior, (5, 1)))
        np.testing.assert_allclose(model.class_prior_, prior)


def test_error_option_names_the_modality_and_row_count():
    data = make_planted_modalities("independent", n_samples=200, random_state=5)
    X, missing = blank(data, "b", 0.3, seed=5)
    model = intra_product(data, missing_modality="error")
    with pytest.raises(ValueError, match=rf"Modality 'b' is missing \(all its columns NaN\) in "
                                         rf"{missing.sum()} row\(s\) of 200"):
        model.fit(X, data.target)
    fitted = intra_product(data, missing_modality="error").fit(data.data, data.target)
    with pytest.raises(ValueError, match=r"Modality 'b' is missing .* in \d+ row\(s\)"):
        fitted.predict(X)


def test_partly_missing_modality_needs_an_expert_that_accepts_nan():
    data = make_planted_modalities("independent", n_samples=200, random_state=6)
    X = data.data.copy()
    X.loc[3, "b_1"] = np.nan  # b is present in row 3, with a hole
    with pytest.raises(ValueError, match=r"NaN in column 'b_1' \(modality 'b'\), but the "
                                         r"expert 'b' \(LogisticRegression\)"):
        intra_product(data).fit(X, data.target)
    hgb = ProductOfExpertsClassifier(
        [("a", LogisticRegression(), data.modalities["a"]),
         ("b", HistGradientBoostingClassifier(max_iter=20), data.modalities["b"])],
        inter_estimator="drop", missing_modality="drop",
    ).fit(X, data.target)
    assert np.isfinite(hgb.predict_proba(X)).all()


def test_an_expert_left_with_one_class_is_named():
    data = make_planted_modalities("independent", n_samples=200, random_state=7)
    X = data.data.copy()
    X.loc[data.target == 1, data.modalities["b"]] = np.nan  # b only seen in class 0
    with pytest.raises(ValueError, match=r"Expert 'b' cannot be trained: the rows where 'b' "
                                         r"is present hold only class 0"):
        intra_product(data).fit(X, data.target)


def test_caller_data_with_missing_values_is_not_modified():
    data = make_planted_modalities("independent", n_samples=200, random_state=8)
    X, _ = blank(data, "a", 0.3, seed=8)
    X_copy = X.copy()
    intra_product(data, weights="learn", cv=3).fit(X, data.target).predict_contributions(X)
    pd.testing.assert_frame_equal(X, X_copy)


def test_a_modality_no_expert_reads_may_be_absent():
    X, y = make_table()
    X = X.copy()
    X.loc[:10, CLIN] = np.nan  # clinical absent from 11 rows
    model = ProductOfExpertsClassifier(
        [("image", LogisticRegression(), IMG), ("clinical", "drop", CLIN)],
        inter_estimator="drop",
    ).fit(X, y)  # missing_modality="error" by default: nothing reads clinical
    assert model.predict(X).shape == (240,)
    with pytest.raises(ValueError, match="Modality 'clinical' is missing"):
        model.set_params(inter_estimator=LogisticRegression()).fit(X, y)
