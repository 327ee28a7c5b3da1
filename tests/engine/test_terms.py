"""The inner CV of the default experts' logistic fits: its folds and its scorer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold

from skpoe._engine import _terms
from skpoe._engine._terms import _CS, _HOLDOUT_MIN_CLASS, _InnerFolds, _logistic_cv, _neg_log_loss


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


def _labels(counts):
    return np.repeat(np.arange(len(counts)), counts)


def test_below_the_threshold_the_inner_folds_are_sklearns_five():
    # the choice of C on every table short of the threshold is what cv=5 made it
    y = np.random.default_rng(0).permutation(_labels([40, 25, 35]))
    X = np.zeros((len(y), 1))
    ours = list(_InnerFolds(holdout_min_class=26).split(X, y))
    theirs = list(StratifiedKFold(5).split(X, y))
    assert len(ours) == _InnerFolds(holdout_min_class=26).get_n_splits(X, y) == 5
    for (train, test), (train_, test_) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, train_)
        np.testing.assert_array_equal(test, test_)


def test_every_class_above_the_threshold_gives_the_first_fold_alone():
    y = np.random.default_rng(1).permutation(_labels([60, 80]))
    X = np.zeros((len(y), 1))
    folds = _InnerFolds(holdout_min_class=60)
    [(train, test)] = list(folds.split(X, y))
    first_train, first_test = next(StratifiedKFold(5).split(X, y))
    np.testing.assert_array_equal(test, first_test)
    np.testing.assert_array_equal(train, first_train)
    assert folds.get_n_splits(X, y) == 1
    assert folds.get_n_splits() == 5  # without labels, what cv=5 says


def test_one_rare_class_keeps_five_folds():
    # the threshold is on the least frequent class: events, not rows, make a table large
    y = _labels([10_000, 300])
    assert _InnerFolds().get_n_splits(None, y) == 5
    assert len(list(_InnerFolds().split(np.zeros((len(y), 1)), y))) == 5


def test_the_logistic_experts_choose_c_on_one_fold_of_a_large_table():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2 * _HOLDOUT_MIN_CLASS, 2))
    y = _labels([_HOLDOUT_MIN_CLASS] * 2)
    large = _logistic_cv().fit(X, y)
    assert _scores(large).size == len(_CS)  # one fold's score per C
    small = _logistic_cv().fit(X[::3], y[::3])
    assert _scores(small).size == 5 * len(_CS)


def test_the_threshold_is_read_when_an_expert_is_built(monkeypatch):
    # benchmarks/analyzer_calibration.py sets it for one row (five folds at 20,000 rows)
    X, y = _data(2, 0)
    monkeypatch.setattr(_terms, "_HOLDOUT_MIN_CLASS", 10)
    assert _scores(_logistic_cv().fit(X, y)).size == len(_CS)
    monkeypatch.setattr(_terms, "_HOLDOUT_MIN_CLASS", np.inf)
    assert _scores(_logistic_cv().fit(X, y)).size == 5 * len(_CS)
