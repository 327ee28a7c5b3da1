"""The exponent fitting shared by the calibrated product and learned weights."""

import numpy as np
from scipy.special import log_softmax

from skpoe import combine_log_proba
from skpoe._engine._exponents import _fit_exponents


def _expert(rng, y, strength, n_classes=3):
    logits = rng.normal(size=(y.size, n_classes))
    logits[np.arange(y.size), y] += strength
    return log_softmax(logits, axis=1)


def _nll(lp, y):
    return -np.mean(lp[np.arange(y.size), y])


def test_noise_expert_gets_near_zero_weight():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 3000)
    informative, noise = _expert(rng, y, 2.0), _expert(rng, y, 0.0)
    w = _fit_exponents([informative, noise], y)
    assert w[1] < 0.05 and w[0] > 0.5


def test_duplicated_expert_shares_its_weight_and_does_not_hurt():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 3000)
    lp = _expert(rng, y, 1.5)
    w = _fit_exponents([lp, lp], y)
    assert abs(w.sum() - _fit_exponents([lp], y)[0]) < 0.02
    assert _nll(combine_log_proba([lp, lp], w), y) <= _nll(combine_log_proba([lp, lp]), y)


def test_prior_correction_recovers_the_prior_for_uninformative_experts():
    rng = np.random.default_rng(2)
    prior = np.array([0.8, 0.15, 0.05])
    y = rng.choice(3, size=4000, p=prior)
    flat = np.log(np.tile(prior, (y.size, 1)))
    w = _fit_exponents([flat, flat], y, log_prior=np.log(prior))
    out = combine_log_proba([flat, flat], w, log_prior=np.log(prior))
    np.testing.assert_allclose(np.exp(out[0]), prior, atol=1e-6)
