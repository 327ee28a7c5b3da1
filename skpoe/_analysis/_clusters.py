"""A guard for clustered rows: repeated measures of one unit analysed without ``groups``.

Several rows per patient (lesions, visits, images) whose folds are drawn row by
row put one patient's rows on both sides of a fold: an expert that memorises a
patient-level column then scores on rows it has, in effect, already seen, and a
modality with no signal beyond the patient counts (6 of 6 seeds with boosted
trees). The rows give themselves away: continuous measurements do not repeat
exactly across different units, so a modality whose non-integer columns take the
same values on many rows holds unit-level values.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.utils import _safe_indexing

from .._engine._columns import _as_column_key

# Warn when the rows hold at most half as many distinct values as there are rows
# (each value on two or more rows on average). Gaussian columns never repeat, and a
# single rounded column (a diameter to 0.1 mm) can, so two non-integer columns are
# needed before a modality is judged.
_MAX_DISTINCT_SHARE = 0.5
_MIN_CONTINUOUS_COLUMNS = 2


def _continuous_values(X_sub):
    """The columns of X_sub holding non-integer numbers, as a float array (or None)."""
    if hasattr(X_sub, "iloc"):
        X_sub = X_sub.select_dtypes(include="number").to_numpy(dtype=np.float64)
    elif hasattr(X_sub, "toarray") or np.asarray(X_sub).dtype.kind != "f":
        return None  # sparse (counts, one-hot) or integer: not measurements
    values = np.asarray(X_sub, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        fractional = np.nan_to_num(values % 1, nan=0.0) != 0
    keep = fractional.any(axis=0)
    return values[:, keep] if keep.sum() >= _MIN_CONTINUOUS_COLUMNS else None


def _warn_if_clustered(X, modality_specs, rows):
    """Warn, naming the modality and the counts, when its rows look like repeated measures.

    ``rows`` maps an expert name to its row mask (None: every row). Call only
    when no ``groups`` were given.
    """
    for spec in modality_specs:
        mask = rows.get(spec.name)
        X_sub = _safe_indexing(X, _as_column_key(spec.columns), axis=1)
        if mask is not None:
            X_sub = _safe_indexing(X_sub, mask, axis=0)
        values = _continuous_values(X_sub)
        if values is None or values.shape[0] < 4:
            continue
        n_rows = values.shape[0]
        n_distinct = n_rows - int(pd.DataFrame(values).duplicated().sum())
        if n_distinct <= _MAX_DISTINCT_SHARE * n_rows:
            warnings.warn(
                f"Modality {spec.name!r} takes only {n_distinct} distinct values on its "
                f"{n_rows} rows ({n_rows / n_distinct:.1f} rows per value, in "
                f"{values.shape[1]} continuous columns): the rows look like repeated "
                "measures of the same units (patients), and folds drawn row by row put "
                "one unit on both sides, which inflates every dependency. Pass "
                "groups=<unit ids> (--groups in the command line); ignore this if your "
                "cv already keeps each unit's rows together.",
                UserWarning,
                stacklevel=3,
            )
