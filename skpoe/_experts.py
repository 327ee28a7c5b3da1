"""Fit experts on their columns and read their log-probabilities on one class encoding."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import has_fit_parameter

from ._modalities import _as_column_key


def _sample_weight_params(estimator, name, sample_weight):
    """Fit keyword arguments that pass ``sample_weight`` to ``estimator``."""
    if sample_weight is None:
        return {}
    if isinstance(estimator, Pipeline):
        step_name, final = estimator.steps[-1]
        if final != "passthrough" and has_fit_parameter(final, "sample_weight"):
            return {f"{step_name}__sample_weight": sample_weight}
    elif has_fit_parameter(estimator, "sample_weight"):
        return {"sample_weight": sample_weight}
    raise TypeError(
        f"Expert {name!r} ({type(estimator).__name__}) does not accept sample_weight in "
        "fit; drop it, or fit without sample_weight."
    )


def _fit_expert(estimator, X, columns, y, sample_weight, name, rows=None):
    """Clone ``estimator`` and fit it on ``X[rows, columns]``; the caller's object is untouched.

    ``rows`` (a boolean mask, None for all) restricts training to the rows where
    the expert's modality is present.
    """
    estimator = clone(estimator)
    if rows is not None:
        X, y = _safe_indexing(X, rows, axis=0), y[rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    X_sub = _safe_indexing(X, _as_column_key(columns), axis=1)
    estimator.fit(X_sub, y, **_sample_weight_params(estimator, name, sample_weight))
    if not hasattr(estimator, "classes_"):
        raise TypeError(
            f"Expert {name!r} ({type(estimator).__name__}) has no classes_ after fit; "
            "experts must be classifiers."
        )
    return estimator


# Our own validation has already warned once about feature names at predict time;
# the experts would repeat it, one warning per expert.
_FEATURE_NAME_WARNINGS = r"X (does not have valid|has) feature names"


def _expert_log_proba(estimator, X, columns, n_classes, floor, name, rows=None):
    """Log-probabilities of a fitted expert over all ``n_classes`` encoded classes.

    Classes the expert never saw get probability ``floor``; every probability is
    floored at ``floor`` before the log, so that experts that output exact zeros
    (trees, k-NN) give finite log-probabilities and no log(0) warning. With
    ``rows`` (a boolean mask), only those rows are scored; the others are NaN.
    """
    if rows is not None:
        out = np.full((rows.shape[0], n_classes), np.nan)
        if rows.any():
            out[rows] = _expert_log_proba(
                estimator, _safe_indexing(X, rows, axis=0), columns, n_classes, floor, name
            )
        return out
    X_sub = _safe_indexing(X, _as_column_key(columns), axis=1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_FEATURE_NAME_WARNINGS, category=UserWarning)
        proba = np.asarray(estimator.predict_proba(X_sub), dtype=np.float64)
    expert_classes = np.asarray(estimator.classes_)
    if proba.ndim != 2 or proba.shape != (X_sub.shape[0], expert_classes.shape[0]):
        raise ValueError(
            f"Expert {name!r} returned predict_proba of shape {proba.shape}; expected "
            f"({X_sub.shape[0]}, {expert_classes.shape[0]}) for its classes_."
        )
    if not np.all(np.isfinite(proba)):
        raise ValueError(f"Expert {name!r} returned non-finite probabilities.")
    full = np.full((proba.shape[0], n_classes), floor, dtype=np.float64)
    full[:, expert_classes.astype(np.intp)] = np.maximum(proba, floor)
    return np.log(full, out=full)
