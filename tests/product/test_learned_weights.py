"""weights="learn" and prior_correction: measured on held-out data with fixed seeds."""

import numpy as np
import pandas as pd
import pytest
from conftest import CLIN, IMG, lr_product, make_table
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.neighbors import KNeighborsClassifier

from skpoe import ProductOfExpertsClassifier
from skpoe.datasets import make_planted_modalities


def test_prior_correction_lowers_log_loss_on_imbalanced_independent_modalities():
    train = make_planted_modalities("independent", n_samples=2000, weights=[0.9, 0.1],
                                    random_state=0)
    test = make_planted_modalities("independent", n_samples=4000, weights=[0.9, 0.1],
                                   random_state=1)
    losses = {}
    for corrected in (False, True):
        model = ProductOfExpertsClassifier(
            [(m, LogisticRegression(), cols) for m, cols in train.modalities.items()],
            inter_estimator="drop", prior_correction=corrected,
        ).fit(train.data, train.target)
        losses[corrected] = log_loss(test.target, model.predict_proba(test.data))
    assert losses[True] < losses[False] - 0.005, losses
    np.testing.assert_allclose(model.class_prior_, np.bincount(train.target) / 2000)


def test_learned_weights_silence_a_noise_expert_and_do_not_hurt():
    train = make_planted_modalities("noise", n_samples=1000, random_state=0)
    test = make_planted_modalities("noise", n_samples=2000, random_state=1)
    experts = [("a", LogisticRegression(), train.modalities["a"]),
               ("b", KNeighborsClassifier(5), train.modalities["b"])]  # b: pure noise
    equal = ProductOfExpertsClassifier(experts, inter_estimator=LogisticRegression())
    learned = ProductOfExpertsClassifier(experts, inter_estimator=LogisticRegression(),
                                         weights="learn")
    equal.fit(train.data, train.target)
    learned.fit(train.data, train.target)
    assert (learned.weights_ >= 0).all()
    assert learned.weights_[1] < 0.1  # the noise expert
    assert learned.weights_[0] > 0.5
    loss_equal = log_loss(test.target, equal.predict_proba(test.data))
    loss_learned = log_loss(test.target, learned.predict_proba(test.data))
    assert loss_learned <= loss_equal


def test_learned_weights_use_the_internal_cv_and_sample_weights():
    data = make_planted_modalities("independent", n_samples=300, random_state=2)
    experts = [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()]
    model = ProductOfExpertsClassifier(experts, inter_estimator="drop", weights="learn", cv=4)
    model.fit(data.data, data.target)
    assert model.weights_.shape == (2,)
    # sample weights reach the experts and weigh the out-of-fold log-loss
    sw = np.ones(300)
    sw[data.target == 0] = 3.0
    weighted = ProductOfExpertsClassifier(experts, inter_estimator="drop", weights="learn",
                                          cv=4).fit(data.data, data.target, sample_weight=sw)
    assert not np.allclose(weighted.weights_, model.weights_)


def test_weights_series_is_read_by_its_index():
    X, y = make_table()
    by_name = pd.Series({"inter": 1.0, "clinical": 1.0, "image": 2.0})
    from_series = lr_product(inter_estimator=LogisticRegression(), weights=by_name).fit(X, y)
    from_dict = lr_product(inter_estimator=LogisticRegression(),
                           weights=by_name.to_dict()).fit(X, y)
    np.testing.assert_array_equal(from_series.weights_, [2.0, 1.0, 1.0])
    np.testing.assert_array_equal(from_series.weights_, from_dict.weights_)
    positional = pd.Series([2.0, 1.0, 1.0])
    assert (lr_product(inter_estimator=LogisticRegression(), weights=positional)
            .fit(X, y).weights_ == [2.0, 1.0, 1.0]).all()
    with pytest.raises(ValueError, match="index it by expert name"):
        lr_product(inter_estimator=LogisticRegression(),
                   weights=pd.Series([1.0, 1.0, 1.0], index=[5, 6, 7])).fit(X, y)


def test_learned_weights_and_the_analyzer_take_a_class_absent_from_one_modality():
    """The combination: the rule of a full fit holds in every fold too, with zero weights."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    from skpoe import ModalityDependencyAnalyzer

    X, y = make_table(n_samples=600, seed=5)
    X = X.copy()
    X.loc[y == "uncertain", CLIN] = np.nan  # clinical is absent from every "uncertain" row
    weight = pd.Series(np.where(y == "benign", 0.0, 1.0))  # and "benign" has no weight
    with pytest.warns(UserWarning, match="Expert 'clinical' has no training row"):
        model = lr_product(missing_modality="drop", prior_correction=True, weights="learn",
                           cv=3).fit(X, pd.Series(y), sample_weight=weight)
    X_test, y_test = make_table(n_samples=600, seed=6)
    predicted = model.predict(X_test)
    assert (predicted != "benign").all()
    assert np.mean(predicted[y_test == "uncertain"] == "uncertain") > 0.6
    # among weighted rows with clinical present all are "malignant": nothing to add
    assert np.isfinite(model.weights_).all() and model.weights_[0] > 0.5
    analyzer = ModalityDependencyAnalyzer(
        [("image", LogisticRegression(), IMG),
         ("clinical", make_pipeline(SimpleImputer(), LogisticRegression()), CLIN)],
        missing_modality="drop", cv=3, random_state=0,
    ).fit(X, y)
    clinical = analyzer.dependencies_.loc["clinical"]
    assert clinical["n_rows"] == (y != "uncertain").sum()
    assert clinical["dependency"] > 0.05  # it informs on the classes it saw
