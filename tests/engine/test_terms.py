"""The inner-CV scorer of the default experts' logistic fits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import get_scorer

from skpoe._engine._terms import _logistic_cv, _neg_log_loss


def _data(n_classes, seed, labels=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(150, 4))
    codes = (X[:, 0] + rng.normal(size=150) > 0).astype(int) + (
        (X[:, 1] > 0.8).astype(int) if n_classes == 3 else 0)
    return X, (codes if labels is None else np.asarray(labels)[codes])


def _scores(model):  # a dict by class in scikit-learn < 1.8's legacy attributes
    scores = model.scores_
    return np.asarray(list(scores.values()) if isinstance(scores, dict) else scores)


@pytest.mark.parametrize("n_classes, labels", [(2, None), (3, None), (2, ["yes", "no"]),
                                               (3, ["c", "a", "b"])])
def test_the_scorer_chooses_as_sklearns_neg_log_loss_does(n_classes, labels):
    X, y = _data(n_classes, 0, labels)
    ours = _logistic_cv().fit(X, y)
    theirs = LogisticRegressionCV(**{**ours.get_params(), "scoring": "neg_log_loss"}).fit(X, y)
    np.testing.assert_allclose(_scores(ours), _scores(theirs), rtol=1e-10)
    np.testing.assert_array_equal(ours.C_, theirs.C_)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.sampled_from([1.0, 50.0, 1e4]),
       weighted=st.booleans(), n_classes=st.sampled_from([2, 3]))
def test_the_scorer_equals_neg_log_loss_on_a_fitted_model(seed, scale, weighted, n_classes):
    # scale: huge features make probabilities of exactly 0 and 1, where both clip
    X, y = _data(n_classes, seed, ["x", "y", "z"][:n_classes])
    model = _logistic_cv().fit(X, y)
    weight = np.random.default_rng(seed).uniform(0, 2, len(y)) if weighted else None
    theirs = get_scorer("neg_log_loss")(model, X * scale, y, sample_weight=weight)
    ours = _neg_log_loss(model, X * scale, y, sample_weight=weight)
    assert np.isfinite(ours)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
