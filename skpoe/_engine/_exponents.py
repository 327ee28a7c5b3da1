"""Fit one non-negative exponent per expert by minimising the product's log-loss.

Shared by the analyzer's calibrated product and the classifier's learned weights
(``weights="learn"``), so that both calibrate a product of experts the same way.
"""

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

# A light ridge toward 0: the weight of an expert whose output hardly varies (a
# near-uniform expert on a noise modality) is otherwise not identified, and drifts.
_L2 = 1e-3


def _fit_exponents(log_probas, y, log_prior=None, *, present=None, sample_weight=None,
                   max_iter=200):
    """Exponents ``w >= 0`` minimising the mean negative log-likelihood of the product.

    The product is ``sum_k w_k log p_k - (sum_k w_k - 1) log_prior``, renormalised
    over the classes (see :func:`skpoe.combine_log_proba`). The objective is convex
    in ``w``; a ridge of ``1e-3 * ||w||^2`` (negligible beside a log-loss) sets the
    weight of an uninformative, near-constant expert to about 0.

    Parameters
    ----------
    log_probas : list of ndarray of shape (n_samples, n_classes)
        Finite (floored) log-probabilities of each expert, on held-out rows.
    y : ndarray of shape (n_samples,)
        Class codes in ``0 .. n_classes - 1``.
    log_prior : ndarray of shape (n_classes,) or (n_samples, n_classes), default=None
        Log class prior per row; ``None`` fits the plain (uncorrected) product.
    present : ndarray of bool of shape (n_samples, n_experts), default=None
        Experts absent from a row (NaN there) are left out of its product.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of each row in the mean log-loss.

    Returns
    -------
    weights : ndarray of shape (n_experts,)
    """
    stack = np.stack(log_probas)  # (E, n, K): E is small, and rows are held-out ones only
    n_experts, n_samples, _ = stack.shape
    if log_prior is not None:
        # The prior correction is linear in w, so it folds into each expert's term:
        # w_k * (log p_k - log prior) + log prior.
        prior = np.broadcast_to(log_prior, stack.shape[1:])
        stack = stack - prior
        offset = prior
    else:
        offset = np.zeros(stack.shape[1:])
    if present is not None:
        # An absent expert's term is 0: out of the product and out of sum(w).
        stack = np.where(np.asarray(present, dtype=bool).T[:, :, None], stack, 0.0)
    row_weight = (np.full(n_samples, 1.0 / n_samples) if sample_weight is None
                  else np.asarray(sample_weight, dtype=np.float64) / np.sum(sample_weight))
    rows = np.arange(n_samples)
    observed = stack[:, rows, y]  # (E, n): each expert's term at the true class

    def loss_and_grad(w):
        joint = np.tensordot(w, stack, axes=1) + offset
        log_z = logsumexp(joint, axis=1)
        proba = np.exp(joint - log_z[:, None])
        loss = np.dot(row_weight, log_z - joint[rows, y]) + _L2 * np.dot(w, w)
        # d/dw_k = E_p[term_k] - term_k(y), averaged over rows
        expected = np.einsum("enk,nk->en", stack, proba)
        grad = (expected - observed) @ row_weight + 2 * _L2 * w
        return loss, grad

    result = minimize(
        loss_and_grad,
        x0=np.ones(n_experts),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * n_experts,
        options={"maxiter": max_iter},
    )
    return np.maximum(result.x, 0.0)


def _cross_fitted(per_fold, tests):
    """Each fold's exponents: the mean of the exponents fitted on the other folds.

    ``per_fold[g]`` was fitted on fold ``g``'s own held-out rows, with fold ``g``'s
    model: each is free of the spread between the folds' models, which a fit on
    the folds' pooled predictions mistakes for noise (and shrinks the exponents
    for). A fold never uses its own rows, nor those of a fold whose test rows
    overlap its own (repeated CV would leak its labels); with no such fold, the
    exponents are 1 (the plain product).
    """
    out = []
    for f, test in enumerate(tests):
        others = [w for g, w in enumerate(per_fold)
                  if g != f and not np.intersect1d(tests[g], test).size]
        out.append(np.mean(others, axis=0) if others else np.ones_like(per_fold[f]))
    return out
