"""Turn the user's ``weights`` (sequence or dict) into one exponent per expert."""

import numbers

import numpy as np

from .._vocabulary import INTER


def _resolve_weights(weights, plan):
    """Exponents aligned with ``plan`` (intra experts in order, then the inter expert).

    Dropped experts get weight 0 whatever was asked; a sequence covers every expert
    of the specification, dropped ones included, so that its meaning does not change
    when a grid search drops an expert.
    """
    names = [spec.name for spec in plan]
    if hasattr(weights, "index") and hasattr(weights, "to_dict"):  # a pandas Series
        if all(isinstance(k, str) for k in weights.index):
            weights = weights.to_dict()  # by name, as a dict
        elif list(weights.index) != list(range(len(weights))):
            raise ValueError(
                f"weights is a Series with index {list(weights.index)!r}: index it by "
                f"expert name ({names!r}) or by position 0..{len(names) - 1}."
            )
        else:
            weights = weights.to_numpy()
    if weights is None:
        resolved = np.ones(len(plan))
    elif isinstance(weights, dict):
        unknown = sorted(set(weights) - set(names), key=str)
        if unknown:
            raise ValueError(
                f"weights names unknown expert(s) {unknown!r}; experts are {names!r} "
                f"({INTER!r} is the inter expert)."
            )
        resolved = np.array([_check_weight(weights.get(n, 1.0), n) for n in names])
    else:
        if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
            raise ValueError(
                f"weights must be a sequence, a dict keyed by expert name, or None; got "
                f"{weights!r}."
            )
        if len(weights) != len(plan):
            raise ValueError(
                f"weights has {len(weights)} entries but there are {len(plan)} experts "
                f"({len(plan) - 1} modalities then {INTER!r}): {names!r}."
            )
        resolved = np.array([_check_weight(w, n) for w, n in zip(weights, names)])
    resolved[[spec.dropped for spec in plan]] = 0.0
    if not np.any(resolved > 0):
        raise ValueError(
            "Every remaining expert has weight 0: at least one expert must have a positive "
            "weight."
        )
    return resolved


def _check_weight(w, name):
    if not isinstance(w, (numbers.Real, np.floating, np.integer)) or isinstance(w, bool):
        raise ValueError(f"The weight of expert {name!r} must be a number; got {w!r}.")
    if not np.isfinite(w) or w < 0:
        raise ValueError(f"The weight of expert {name!r} must be finite and >= 0; got {w!r}.")
    return float(w)
