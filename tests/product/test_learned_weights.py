"""weights="learn" and prior_correction: measured on held-out data with fixed seeds."""

import numpy as np
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
