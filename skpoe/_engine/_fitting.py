"""Fit experts on their columns and read their log-probabilities on one class encoding."""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import has_fit_parameter

from .._vocabulary import INTER
from ._columns import _as_column_key
from ._threads import _fit_threads
from ._validation import _nan_and_inf


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


def _fit_expert(estimator, X, columns, y, sample_weight, name, rows=None, modality_of=None):
    """Clone ``estimator`` and fit it on ``X[rows, columns]``; the caller's object is untouched.

    ``rows`` (a boolean mask, None for all) restricts training to the rows where
    the expert's modality is present. ``modality_of`` maps a column index to its
    modality, to name it when the expert fails on a non-numeric column.
    """
    estimator = clone(estimator)
    if rows is not None:
        X, y = _safe_indexing(X, rows, axis=0), y[rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    X_sub = _safe_indexing(X, _as_column_key(columns), axis=1)
    try:
        with _fit_threads(X_sub.shape[0] * X_sub.shape[1]):
            estimator.fit(X_sub, y, **_sample_weight_params(estimator, name, sample_weight))
    except (TypeError, ValueError) as exc:
        _explain_non_numeric(exc, estimator, X_sub, columns, name, modality_of)
        _explain_created_non_finite(exc, estimator, X_sub, name)
        _explain_sparse(exc, estimator, X_sub, name)
        raise
    if not hasattr(estimator, "classes_"):
        raise TypeError(
            f"Expert {name!r} ({type(estimator).__name__}) has no classes_ after fit; "
            "experts must be classifiers."
        )
    given = np.unique(y)
    classes = np.asarray(estimator.classes_)
    # a subset is fine (an expert that leaves out a class it cannot model); new labels not
    if classes.dtype.kind not in "iuf" or not np.isin(classes, given).all():
        raise ValueError(
            f"Expert {name!r} ({type(estimator).__name__}) was fitted on the class codes "
            f"{given.tolist()!r} but its classes_ are {classes.tolist()!r}: an expert must "
            "keep the labels it is given (skpoe encodes the classes as 0 .. n_classes - 1 "
            "for its experts), not relabel them."
        )
    return estimator


def _first_non_numeric(X_sub):
    """(position, dtype) of the first column of X_sub that is not numbers, or None."""
    if hasattr(X_sub, "dtypes"):
        for j, dtype in enumerate(X_sub.dtypes):
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
                return j, dtype
        return None
    if sp.issparse(X_sub) or np.asarray(X_sub).dtype.kind in "biufc":
        return None
    data = np.asarray(X_sub)
    for j in range(data.shape[1]):
        try:
            data[:, j].astype(np.float64)
        except (TypeError, ValueError):
            return j, data.dtype
    return None


def _explain_non_numeric(exc, estimator, X_sub, columns, name, modality_of):
    """Re-raise an expert's failure on a non-numeric column, naming column and modality."""
    found = _first_non_numeric(X_sub)
    if found is None:
        return
    j, dtype = found
    column = X_sub.columns[j] if hasattr(X_sub, "columns") else int(columns[j])
    modality = (modality_of or {}).get(int(columns[j]), name)
    # the expert's own exception type, so that callers catching it still do
    raise type(exc)(
        f"Expert {name!r} ({type(estimator).__name__}) cannot be fitted: column {column!r} "
        f"of modality {modality!r} is not numeric (dtype {dtype}). Encode it inside the "
        "expert (e.g. make_pipeline(make_column_transformer((OneHotEncoder(handle_unknown="
        "'ignore'), make_column_selector(dtype_exclude='number')), remainder='passthrough'), "
        "...)), convert it to numbers, or leave it out of the "
        f"modality. The expert said: {exc}"
    ) from exc


def _explain_sparse(exc, estimator, X_sub, name):
    """Re-raise an expert's refusal of sparse input, naming it and what to pass instead."""
    if not (sp.issparse(X_sub) and "dense" in str(exc).lower()):
        return
    raise TypeError(
        f"Expert {name!r} ({type(estimator).__name__}) takes dense input only, and X is "
        "sparse. Pass X.toarray() when it fits in memory, or an expert that takes sparse "
        "input (e.g. LogisticRegression)"
        + (", or inter_estimator='drop'" if name == INTER else "")
        + f". The expert said: {exc}"
    ) from exc


def _explain_created_non_finite(exc, estimator, X_sub, name):
    """Re-raise "X contains NaN/infinity" when X held none: a step inside made them."""
    if "NaN" not in str(exc) and "infinity" not in str(exc):
        return
    if _first_non_numeric(X_sub) is not None or sp.issparse(X_sub):
        return
    nan, inf = _nan_and_inf(X_sub)
    if nan is not None or inf.any():
        return  # the input itself holds them: the presence checks speak for that
    values = np.abs(np.asarray(X_sub, dtype=np.float64))
    j = int(np.argmax(values.max(axis=0)))
    column = X_sub.columns[j] if hasattr(X_sub, "columns") else j
    raise ValueError(
        f"Expert {name!r} ({type(estimator).__name__}) produced non-finite values inside "
        f"itself from finite input (column {column!r} reaches {values[:, j].max():.3g}; "
        "squares or sums of such values overflow float64). Rescale or clip the column "
        f"before the expert (e.g. a log or a QuantileTransformer). The expert said: {exc}"
    ) from exc


def _as_fitted_input(estimator, X_sub):
    """X_sub in the form the expert was fitted on: with or without column names.

    Our own validation warns once when X lacks the feature names seen in fit;
    without this, each expert would warn again. Matching the input at its source
    needs no change to the process-wide warning filters, which threads share.
    """
    names = getattr(estimator, "feature_names_in_", None)
    if hasattr(X_sub, "iloc"):
        if names is None and hasattr(estimator, "n_features_in_"):
            return X_sub.to_numpy()
        return X_sub
    if names is not None and not sp.issparse(X_sub) and len(names) == X_sub.shape[1]:
        return pd.DataFrame(X_sub, columns=names, copy=False)
    return X_sub


def _expert_log_proba(estimator, X, columns, n_classes, floor, name, rows=None, seen=None,
                      log_prior=None):
    """Log-probabilities of a fitted expert over all ``n_classes`` encoded classes.

    Every probability is floored at ``floor`` before the log, so that experts that
    output exact zeros (trees, k-NN) give finite log-probabilities and no log(0)
    warning. A class the expert never saw in training (``seen`` False, or absent
    from its ``classes_``) must not be vetoed by it: with ``log_prior`` the expert
    is uninformative about that class (its probability is the class prior, the
    seen classes share the rest); without, it gets ``floor``. With ``rows`` (a
    boolean mask), only those rows are scored; the others are NaN.
    """
    if rows is not None:
        out = np.full((rows.shape[0], n_classes), np.nan)
        if rows.any():
            out[rows] = _expert_log_proba(
                estimator, _safe_indexing(X, rows, axis=0), columns, n_classes, floor, name,
                seen=seen, log_prior=log_prior,
            )
        return out
    X_sub = _as_fitted_input(estimator, _safe_indexing(X, _as_column_key(columns), axis=1))
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
    out = np.log(full, out=full)
    unseen = np.ones(n_classes, bool)
    unseen[expert_classes.astype(np.intp)] = False
    if seen is not None:
        unseen |= ~seen
    if log_prior is not None and unseen.any():
        prior = np.exp(log_prior)
        rest = 1.0 - prior[unseen].sum()
        # renormalise the seen classes' probabilities to the prior mass left to them
        out[:, ~unseen] -= logsumexp(out[:, ~unseen], axis=1, keepdims=True)
        out[:, ~unseen] += np.log(max(rest, floor))
        out[:, unseen] = np.maximum(log_prior[unseen], np.log(floor))
    elif unseen.any():
        out[:, unseen] = np.log(floor)
    return out


class _OnColumns:
    """A model on some columns of a DataFrame, taking the whole frame (for the bias)."""

    def __init__(self, estimator, columns, fitted=False):
        self.estimator, self.columns = estimator, list(columns)
        if fitted:
            self.classes_ = estimator.classes_

    def fit(self, X, y):
        with _fit_threads(len(X) * len(self.columns)):
            self.estimator.fit(X[self.columns], y)
        self.classes_ = self.estimator.classes_
        return self

    def predict_proba(self, X):
        return self.estimator.predict_proba(X[self.columns])

    def __sklearn_is_fitted__(self):
        return hasattr(self, "classes_")
