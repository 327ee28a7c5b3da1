"""A fitted model and its held-out rows, checked once: what the bias and EMAP studies read."""

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils import Bunch

from .._engine._columns import _resolve_columns
from .._engine._oof import _check_groups
from .._engine._validation import _check_table


def _check_held_out(model, X, y, modalities, groups=None):
    """``Bunch(X, columns, classes, y_codes)``: the model, the table, each modality's columns
    and the labels coded in the model's own class order, every problem named."""
    if not hasattr(model, "predict_proba"):
        raise TypeError(f"model ({type(model).__name__}) has no predict_proba.")
    if not hasattr(model, "classes_"):  # any classifier, with or without sklearn's tags
        raise NotFittedError(
            f"model ({type(model).__name__}) is not fitted (it has no classes_): fit it on "
            "training rows, then measure it on held-out rows."
        )
    if not isinstance(modalities, dict) or not modalities:
        raise ValueError("modalities must be a non-empty dict of modality name -> columns.")
    X, names = _check_table(X)
    columns = {m: _resolve_columns(cols, X, X.shape[1], names, m)
               for m, cols in modalities.items()}
    classes = np.asarray(model.classes_)
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}.")
    if groups is not None:
        _check_groups(groups, X.shape[0])
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y holds label(s) {unknown[:3].tolist()!r} that the model never saw "
            f"(model.classes_ = {classes.tolist()!r})."
        )
    # the model's own order, sorted or not
    return Bunch(X=X, columns=columns, classes=classes, y_codes=pd.Index(classes).get_indexer(y))


def _log_proba(model, X, n_classes):
    """The model's log-probabilities of X, clipped away from log(0), their shape checked."""
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    if proba.shape != (X.shape[0], n_classes):
        raise ValueError(
            f"model.predict_proba returned shape {proba.shape}; expected "
            f"({X.shape[0]}, {n_classes}) for its classes_."
        )
    return np.log(np.clip(proba, 1e-15, 1.0))
