"""Combine experts' log-probabilities into a product of experts."""

import numpy as np
from scipy.special import logsumexp


def _as_expert_list(log_probas):
    """Each expert's log-probabilities as a float64 (n_samples, n_classes) array.

    A list, not a stacked 3-D copy: the combination streams over experts, so that
    predicting needs one (n_samples, n_classes) buffer beyond the experts' outputs.
    """
    if isinstance(log_probas, np.ndarray) and log_probas.ndim != 3:
        raise ValueError(
            "log_probas must be a sequence of 2-D arrays or a 3-D array "
            f"(n_experts, n_samples, n_classes); got an array of shape {log_probas.shape}."
        )
    arrays = [np.asarray(lp) for lp in log_probas]
    if not arrays:
        raise ValueError("log_probas is empty: pass at least one expert's log-probabilities.")
    for k, lp in enumerate(arrays):
        if lp.ndim != 2:
            raise ValueError(
                f"log_probas[{k}] must be 2-D (n_samples, n_classes); got shape {lp.shape}."
            )
        if lp.shape != arrays[0].shape:
            raise ValueError(
                f"log_probas[{k}] has shape {lp.shape} but log_probas[0] has shape "
                f"{arrays[0].shape}: every expert must score the same samples and classes."
            )
        if lp.dtype.kind not in "iuf":
            raise ValueError(f"log_probas[{k}] must hold real numbers; got dtype {lp.dtype}.")
    return [lp.astype(np.float64, copy=False) for lp in arrays]


def _check_combine_weights(weights, n_experts):
    if weights is None:
        return np.ones(n_experts)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (n_experts,):
        raise ValueError(
            f"weights must have one entry per expert ({n_experts}); got shape {weights.shape}."
        )
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if bad.size:
        raise ValueError(
            f"weights must be finite and non-negative; weights[{bad[0]}] = {weights[bad[0]]}."
        )
    return weights


def combine_log_proba(log_probas, weights=None, *, log_prior=None, present=None):
    r"""Combine experts' log-probabilities as a (weighted) product of experts.

    Computes, row by row,

    .. math::

        \log p(y \mid x) = \sum_k w_k \log p_k(y \mid x_k)
            - (\textstyle\sum_k w_k - 1) \log p(y) - \log Z(x),

    where :math:`Z(x)` renormalises over the classes (``scipy.special.logsumexp``)
    and the prior term is present only when ``log_prior`` is given. With unit
    weights and no prior this is the I2M2 output layer: the sum of the experts'
    ``log_softmax`` outputs, renormalised with ``logsumexp``.

    Parameters
    ----------
    log_probas : sequence of array-like, or 3-D ndarray
        Each expert's log-probabilities, of shape (n_samples, n_classes) (a 3-D
        array: (n_experts, n_samples, n_classes)), with the
        classes in the same order for every expert. ``-inf`` is allowed (an
        expert that rules a class out); NaN and ``+inf`` are not.
    weights : array-like of shape (n_experts,), default=None
        Non-negative, finite exponent of each expert; ``None`` means all ones. A
        weight of 0 removes the expert from the product, even where its
        log-probability is ``-inf``. All weights may be 0 only when ``log_prior``
        is given, and the result is then the prior.
    log_prior : array-like of shape (n_classes,), default=None
        Log of the class prior :math:`p(y)`. When given, the product is divided by
        :math:`p(y)^{\sum_k w_k - 1}` so that the prior, which every posterior
        carries once, is counted once in the result (exact for conditionally
        independent modalities).
    present : array-like of bool of shape (n_samples, n_experts), default=None
        Which experts are present for each row. An absent expert (a missing
        modality) is left out of that row's product, and out of its
        :math:`\sum_k w_k`; its log-probabilities there may be anything, NaN
        included. A row with no expert present gets the prior (``log_prior`` is
        then required). ``None`` means every expert is present everywhere.

    Returns
    -------
    log_proba : ndarray of shape (n_samples, n_classes)
        Normalised log-probabilities of the product: ``exp`` of each row sums to 1.

    Raises
    ------
    ValueError
        On inconsistent shapes, NaN or ``+inf`` inputs, invalid weights, or a row
        where the weighted experts leave no class with non-zero probability.

    Examples
    --------
    >>> import numpy as np
    >>> from skpoe import combine_log_proba
    >>> a = np.log([[0.9, 0.1], [0.5, 0.5]])
    >>> b = np.log([[0.6, 0.4], [0.2, 0.8]])
    >>> np.round(np.exp(combine_log_proba([a, b])), 3)
    array([[0.931, 0.069],
           [0.2  , 0.8  ]])
    >>> np.round(np.exp(combine_log_proba([a, b], weights=[1, 0])), 3)
    array([[0.9, 0.1],
           [0.5, 0.5]])

    Expert ``b`` absent from the second row (its modality is missing there):

    >>> present = np.array([[True, True], [True, False]])
    >>> np.round(np.exp(combine_log_proba([a, b], present=present)), 3)
    array([[0.931, 0.069],
           [0.5  , 0.5  ]])
    """
    return _normalised_product(log_probas, weights, log_prior, present)


def _normalised_product(log_probas, weights=None, log_prior=None, present=None,
                        correct_prior=True):
    """:func:`combine_log_proba`, and the plain product with a prior for empty rows.

    With ``correct_prior=False`` the product is not divided by the prior, and
    ``log_prior`` only serves the rows where no expert weighs in.
    """
    joint, _, _ = _product_terms(log_probas, weights, log_prior, present,
                                 correct_prior=correct_prior)
    joint -= logsumexp(joint, axis=1, keepdims=True)
    return joint


def _product_terms(log_probas, weights, log_prior, present, keep_terms=False,
                   correct_prior=True):
    """The unnormalised product, and (optionally) each term of it.

    Returns ``(joint, terms, prior_term)``: ``joint`` of shape (n_samples,
    n_classes) is the sum of the experts' weighted log-probabilities and of the
    prior term; ``terms`` lists each expert's weighted log-probabilities (NaN where
    absent) when ``keep_terms``; ``prior_term``, of the same shape, is what the
    prior adds to ``joint``: the prior correction, or with ``correct_prior=False``
    the log prior on the rows where no expert weighs in (zero elsewhere), so that
    rows no expert weighs in get the prior either way.
    """
    experts = _as_expert_list(log_probas)
    weights = _check_combine_weights(weights, len(experts))
    n_samples, n_classes = experts[0].shape
    if present is not None:
        present = np.asarray(present, dtype=bool)
        if present.shape != (n_samples, len(experts)):
            raise ValueError(
                f"present must have shape (n_samples, n_experts) = "
                f"({n_samples}, {len(experts)}); got {present.shape}."
            )
    if log_prior is not None:
        log_prior = np.asarray(log_prior, dtype=np.float64)
        if log_prior.shape != (n_classes,) or not np.all(np.isfinite(log_prior)):
            raise ValueError(
                f"log_prior must hold a finite log-probability for each of the "
                f"{n_classes} classes; got shape {log_prior.shape}."
            )
    # Summed over experts one at a time (not with a tensor product) so that a zero
    # weight never multiplies -inf, and so that memory stays at one (n, K) buffer.
    joint = np.zeros((n_samples, n_classes), dtype=np.float64)
    weight_sum = np.zeros(n_samples)
    terms = []
    for k, (w, lp) in enumerate(zip(weights, experts)):
        rows = slice(None) if present is None else present[:, k]
        if w > 0:
            lp_rows = lp[rows]
            # One pass, no temporary: a sum that is finite or -inf proves there is
            # no NaN and no +inf (either would make it NaN or +inf).
            total = lp_rows.sum()
            if not (np.isfinite(total) or total == -np.inf):
                raise ValueError(
                    f"log_probas[{k}] contains NaN or +inf where the expert is present; "
                    "log-probabilities must be finite or -inf."
                )
            joint[rows] += lp_rows if w == 1 else w * lp_rows
            weight_sum[rows] += w
        if keep_terms:
            term = np.full((n_samples, n_classes), np.nan)
            term[rows] = lp[rows] * w if w > 0 else 0.0
            terms.append(term)
    nobody = weight_sum == 0
    if log_prior is None:
        if nobody.any():
            raise ValueError(
                "All weights are zero" + ("" if present is None else " or absent")
                + f" for {int(nobody.sum())} row(s) (first: row {np.flatnonzero(nobody)[0]}): "
                "at least one expert must weigh in, unless log_prior is given (such rows "
                "then get the prior)."
            )
        prior_term = np.zeros_like(joint)
    elif correct_prior:
        prior_term = -(weight_sum - 1.0)[:, None] * log_prior
        joint += prior_term
    else:
        prior_term = np.where(nobody[:, None], log_prior, 0.0)
        joint += prior_term
    impossible = (np.zeros(n_samples, dtype=bool) if np.isfinite(joint.sum())
                  else np.isneginf(joint).all(axis=1))
    if impossible.any():
        rows = np.flatnonzero(impossible)
        raise ValueError(
            f"The experts leave no class with non-zero probability for {rows.size} row(s) "
            f"(first: row {rows[0]}): every class is ruled out by some expert. Floor the "
            "experts' probabilities (ProductOfExpertsClassifier does, see proba_floor)."
        )
    return joint, terms, prior_term
