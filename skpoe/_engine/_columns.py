"""Resolve each modality's column selection to integer column indices.

Column selections follow :class:`sklearn.compose.ColumnTransformer`: a column
name or index, a list of names or indices, a slice (of indices, or of names with
the stop included), a boolean mask, or a callable that takes ``X`` and returns
one of these (for example :func:`sklearn.compose.make_column_selector`).
"""

import numbers

import numpy as np


def _column_label(j, feature_names):
    """How to name column ``j`` in a message: its name if it has one."""
    return repr(feature_names[j]) if feature_names is not None else f"{j}"


def _names_to_indices(names, feature_names, modality):
    if feature_names is None:
        raise ValueError(
            f"Modality {modality!r} selects columns by name ({list(names)[:3]!r}...), "
            "which needs X as a pandas DataFrame with string column names; for an "
            "array, select columns by integer index."
        )
    position = {name: j for j, name in enumerate(feature_names)}
    missing = [name for name in names if name not in position]
    if missing:
        raise ValueError(
            f"Modality {modality!r} selects column(s) {missing!r} that are not in X "
            f"(X has {len(feature_names)} columns)."
        )
    return np.array([position[name] for name in names], dtype=np.intp)


def _ints_to_indices(ints, n_features, modality):
    ints = np.asarray(ints, dtype=np.intp)
    bad = ints[(ints >= n_features) | (ints < -n_features)]
    if bad.size:
        raise ValueError(
            f"Modality {modality!r} selects column index {int(bad[0])}, out of range "
            f"for X with {n_features} columns."
        )
    return np.where(ints < 0, ints + n_features, ints)


def _slice_to_indices(key, n_features, feature_names, modality):
    if key.step not in (1, None):
        raise ValueError(f"Modality {modality!r}: a column slice must have step 1 or None.")
    start, stop = key.start, key.stop
    if isinstance(start, str) or isinstance(stop, str):
        # As ColumnTransformer: a slice of names includes its stop.
        if start is not None:
            start = int(_names_to_indices([start], feature_names, modality)[0])
        if stop is not None:
            stop = int(_names_to_indices([stop], feature_names, modality)[0]) + 1
    return np.arange(n_features, dtype=np.intp)[slice(start, stop)]


def _list_to_indices(key, n_features, feature_names, modality):
    """Names, integer indices or a boolean mask, given as any 1-D sequence."""
    if hasattr(key, "tolist"):  # arrays, pandas Index and Series: plain Python scalars
        if getattr(key, "ndim", 1) != 1:
            raise ValueError(
                f"Modality {modality!r}: a column selection must be 1-D; got shape {key.shape}."
            )
        items = key.tolist()
    else:
        try:
            items = list(key)
        except TypeError:
            raise ValueError(
                f"Modality {modality!r}: columns must be names, indices, a slice, a boolean "
                f"mask or a callable; got {type(key).__name__}."
            ) from None
    if not items:
        return np.array([], dtype=np.intp)
    if all(isinstance(k, (bool, np.bool_)) for k in items):
        if len(items) != n_features:
            raise ValueError(
                f"Modality {modality!r}: its boolean mask has {len(items)} entries but X has "
                f"{n_features} columns."
            )
        return np.flatnonzero(items)
    if all(isinstance(k, numbers.Integral) and not isinstance(k, bool) for k in items):
        return _ints_to_indices(items, n_features, modality)
    if all(isinstance(k, str) for k in items):
        return _names_to_indices(items, feature_names, modality)
    raise ValueError(
        f"Modality {modality!r}: columns must be all names, all integer indices or a boolean "
        f"mask; got {items[:5]!r}."
    )


def _resolve_columns(key, X, n_features, feature_names, modality):
    """Return the duplicate-free int indices that ``key`` selects, in the order given."""
    if callable(key):
        try:
            key = key(X)
        except Exception as exc:
            raise ValueError(
                f"The column selector of modality {modality!r} failed on X: {exc}"
            ) from exc
        if callable(key):
            raise ValueError(f"The column selector of modality {modality!r} returned a callable.")
    if isinstance(key, slice):
        indices = _slice_to_indices(key, n_features, feature_names, modality)
    elif isinstance(key, str):
        indices = _names_to_indices([key], feature_names, modality)
    elif isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool):
        indices = _ints_to_indices([key], n_features, modality)
    else:
        indices = _list_to_indices(key, n_features, feature_names, modality)
    if indices.size == 0:
        raise ValueError(f"Modality {modality!r} selects no column of X.")
    unique, first = np.unique(indices, return_index=True)
    if unique.size != indices.size:
        dup = np.setdiff1d(np.arange(indices.size), first)[0]
        raise ValueError(
            f"Modality {modality!r} selects column "
            f"{_column_label(indices[dup], feature_names)} more than once."
        )
    return indices


def _as_column_key(indices):
    """A slice when ``indices`` is a contiguous ascending run, so that slicing X is a view."""
    if indices.size and np.all(np.diff(indices) == 1):
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices
