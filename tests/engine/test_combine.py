"""combine_log_proba: the seed's torch formula, and its properties under hypothesis."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import log_softmax

from skpoe import combine_log_proba


def seed_forward(*logits):
    """The product-of-experts output of the seed blog post, verbatim, in float64."""
    output_num = sum(torch.log_softmax(z, dim=-1) for z in logits)
    output_den = torch.logsumexp(output_num, dim=-1)
    return output_num - output_den.unsqueeze(1)


def _logits(n_experts, n_samples, n_classes, scale):
    return st.lists(
        arrays(
            np.float64,
            (n_samples, n_classes),
            elements=st.floats(-scale, scale, allow_nan=False, allow_infinity=False),
        ),
        min_size=n_experts,
        max_size=n_experts,
    )


expert_logits = st.integers(1, 5).flatmap(
    lambda e: st.integers(1, 8).flatmap(
        lambda n: st.integers(2, 6).flatmap(lambda k: _logits(e, n, k, 1e4))
    )
)


@pytest.mark.parametrize("n_experts", [1, 2, 3, 5])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_equals_seed_torch_formula(n_experts, scale):
    rng = np.random.default_rng(n_experts)
    logits = [rng.normal(scale=scale, size=(50, 4)) for _ in range(n_experts)]
    expected = seed_forward(*[torch.from_numpy(z) for z in logits]).numpy()
    got = combine_log_proba([log_softmax(z, axis=1) for z in logits])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(expert_logits)
def test_rows_are_distributions_without_warnings(logits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = combine_log_proba([log_softmax(z, axis=1) for z in logits])
    assert not np.isnan(out).any()
    assert (out <= 1e-12).all()
    # float64 keeps ~16 digits of log-probabilities near 1e4 in size: 1e-12 relative
    np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(expert_logits, st.randoms(use_true_random=False))
def test_invariant_to_expert_order(logits, rnd):
    lps = [log_softmax(z, axis=1) for z in logits]
    weights = [rnd.uniform(0.1, 3) for _ in lps]
    order = list(range(len(lps)))
    rnd.shuffle(order)
    np.testing.assert_allclose(
        combine_log_proba(lps, weights),
        combine_log_proba([lps[i] for i in order], [weights[i] for i in order]),
        atol=1e-9,
    )


@settings(max_examples=40, deadline=None)
@given(expert_logits)
def test_single_expert_returns_its_distribution(logits):
    lp = log_softmax(logits[0], axis=1)
    np.testing.assert_allclose(combine_log_proba([lp]), lp, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(expert_logits.filter(lambda lg: len(lg) >= 2), st.integers(0, 4))
def test_weight_zero_removes_expert_even_at_minus_inf(logits, which):
    lps = [log_softmax(z, axis=1) for z in logits]
    which %= len(lps)
    ruled_out = np.full_like(lps[which], -np.inf)  # an expert that rules out every class
    with_dead = lps[:which] + [ruled_out] + lps[which + 1 :]
    weights = [1.0] * len(lps)
    weights[which] = 0.0
    without = lps[:which] + lps[which + 1 :]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(
            combine_log_proba(with_dead, weights), combine_log_proba(without), atol=1e-10
        )


@settings(max_examples=40, deadline=None)
@given(expert_logits)
def test_integer_weight_equals_repeating_the_expert(logits):
    lps = [log_softmax(z, axis=1) for z in logits]
    np.testing.assert_allclose(
        combine_log_proba(lps, [2.0] + [1.0] * (len(lps) - 1)),
        combine_log_proba([lps[0]] + lps),
        atol=1e-8,
    )


def test_extreme_logits_stay_finite():
    big = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    lps = [log_softmax(big, axis=1), log_softmax(-big, axis=1)]
    out = combine_log_proba(lps)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0)


def test_three_d_array_input_matches_list():
    rng = np.random.default_rng(0)
    stack = log_softmax(rng.normal(size=(3, 10, 4)), axis=2)
    np.testing.assert_allclose(combine_log_proba(stack), combine_log_proba(list(stack)))


def test_log_prior_divides_out_the_extra_priors():
    # Two experts that only know the prior: their product must give the prior back.
    prior = np.array([0.7, 0.2, 0.1])
    lp = np.log(np.tile(prior, (5, 1)))
    out = combine_log_proba([lp, lp, lp], log_prior=np.log(prior))
    np.testing.assert_allclose(np.exp(out), np.tile(prior, (5, 1)), atol=1e-12)


def test_does_not_modify_inputs():
    rng = np.random.default_rng(1)
    lps = [log_softmax(rng.normal(size=(6, 3)), axis=1) for _ in range(3)]
    copies = [lp.copy() for lp in lps]
    combine_log_proba(lps, [1.0, 2.0, 0.5])
    for lp, copy in zip(lps, copies):
        np.testing.assert_array_equal(lp, copy)


@pytest.mark.parametrize(
    "log_probas, weights, match",
    [
        ([], None, "empty"),
        ([np.zeros((2, 3)), np.zeros((2, 4))], None, r"log_probas\[1\] has shape"),
        ([np.zeros(3)], None, "must be 2-D"),
        ([np.zeros((2, 2)) + np.nan], None, r"log_probas\[0\] contains NaN"),
        ([np.log([[0.5, 0.5]])], [1.0, 1.0], "one entry per expert"),
        ([np.log([[0.5, 0.5]])], [-1.0], "non-negative"),
        ([np.log([[0.5, 0.5]])], [np.inf], "finite"),
        ([np.log([[0.5, 0.5]])], [0.0], "All weights are zero"),
        ([np.array([[0.0, -np.inf]]), np.array([[-np.inf, 0.0]])], None, "no class with non-zero"),
        ([np.array([["a", "b"]])], None, "real numbers"),
    ],
)
def test_bad_input_errors(log_probas, weights, match):
    with pytest.raises(ValueError, match=match):
        combine_log_proba(log_probas, weights)
