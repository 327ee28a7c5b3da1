"""Input checks that name the culprit: X, y, and a scan for NaN and infinity."""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _get_feature_names, column_or_1d, validate_data


def _is_dataframe(X):
    return hasattr(X, "iloc") and hasattr(X, "columns")


def _check_table(X, estimator=None):
    """``(X, feature names or None)``: X validated as a table, for a function or an estimator.

    Arrays go through ``check_array`` (2-D, non-empty, no complex values); a
    DataFrame is kept as a frame, so experts still get column names, with its
    nullable columns as float64 (a new frame). Missing values are checked later,
    per modality, against the experts that will see them.
    """
    if type(X).__module__.split(".")[0] == "dask":
        raise TypeError(
            f"X is a dask collection ({type(X).__name__}): scikit-learn estimators take "
            "data in memory. Call X.compute() first (or sample it), or keep the data in "
            "pandas and run the fits on a dask cluster with joblib's dask backend, as in "
            "docs/scale_out.md."
        )
    if not _is_dataframe(X):
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False,
                        input_name="X", estimator=estimator)
        return X, None
    for n, what in zip(X.shape, ("sample", "feature")):
        if n < 1:
            raise ValueError(
                f"Found X with 0 {what}(s) (shape={X.shape}); at least 1 is required."
            )
    return _nullable_as_float(X), _get_feature_names(X)


def _check_X(estimator, X, *, reset):
    """:func:`_check_table`, and the estimator's ``n_features_in_`` and feature names set
    (``reset``) or checked against those seen in fit."""
    checked, _ = _check_table(X, estimator)
    validate_data(estimator, checked, reset=reset, skip_check_array=True)
    return checked


def _nullable_as_float(X):
    """X with its pandas nullable and Arrow numeric columns as float64, ``pd.NA`` as NaN.

    ``Int64``, ``Float64``, ``boolean`` and ``double[pyarrow]`` columns (what
    ``read_parquet`` and ``convert_dtypes()`` give) hold ``pd.NA``, which NumPy
    sees as an object, not as NaN: converted here, once, every later step (the
    presence rule, the experts, the joint net) sees one kind of missing value.
    Returns X itself when no column needs it, and a new frame otherwise, so the
    caller's frame is never changed.
    """
    convert = [
        j for j, dtype in enumerate(X.dtypes)
        if isinstance(dtype, pd.api.extensions.ExtensionDtype)
        and (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    if not convert:
        return X
    X = X.copy(deep=False)
    for j in convert:
        X.isetitem(j, X.iloc[:, j].to_numpy(dtype=np.float64, na_value=np.nan))
    return X


def _encode_y(estimator, y, n_samples):
    """Return (encoded y, classes) for single-output classification with >= 2 classes.

    ``estimator`` (or a function's name) is who needs it, named in the messages.
    """
    who = estimator if isinstance(estimator, str) else type(estimator).__name__
    if y is None:
        raise ValueError(
            f"{who} requires y to be passed, but the target y is None."
        )
    _check_label_types(y)
    y_type = type_of_target(y, input_name="y")
    if y_type.startswith("multilabel") or y_type.endswith("multioutput"):
        raise ValueError(
            f"{who} supports single-output classification only "
            f"(binary or multiclass); y is {y_type}."
        )
    y = column_or_1d(y, warn=True)
    if y_type not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: {y_type}. Maybe you are trying to fit a classifier, which "
            "expects discrete classes, on a regression target with continuous values."
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples}, y has "
            f"{y.shape[0]}."
        )
    classes, y_encoded = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{who} needs samples of at least 2 classes in y; got only "
            f"one class: {classes[:1].tolist()[0]!r}."
        )
    return y_encoded.astype(np.intp, copy=False), classes


def _check_label_types(y):
    """Refuse None and labels of mixed types (strings with numbers), naming a sample."""
    values = np.asarray(y)
    if values.dtype != object or not values.size:
        return  # numbers, or strings of one numpy dtype: nothing to mix
    values = values.ravel()
    missing = np.flatnonzero(pd.isna(values))
    if missing.size:
        raise ValueError(
            f"y has {missing.size} missing label(s) (None or NaN; first at position "
            f"{missing[0]}): every sample needs a class label. Drop those rows first."
        )
    kind = pd.api.types.infer_dtype(values, skipna=False)
    if kind.startswith("mixed") and kind != "mixed-integer-float":
        first = type(values[0])
        other = next(i for i, v in enumerate(values) if not isinstance(v, first))
        raise ValueError(
            f"y mixes labels of different types: {values[0]!r} (position 0) and "
            f"{values[other]!r} (position {other}). Make every label the same type, e.g. "
            "y.astype(str)."
        )


def _nan_and_inf(X_sub):
    """(NaN mask of shape X_sub.shape or None when there is no NaN, inf per column)."""
    if _is_dataframe(X_sub):
        values = X_sub.to_numpy()
        if values.dtype.kind in "fiub":  # plain numeric columns: the array path, no pandas
            return _nan_and_inf(values)
        nan = X_sub.isna().to_numpy()
        numeric = X_sub.select_dtypes(include="number")
        inf_numeric = np.isinf(numeric.to_numpy(dtype=np.float64)).any(axis=0)
        inf = np.isin(np.arange(X_sub.shape[1]),
                      [X_sub.columns.get_loc(c) for c in numeric.columns[inf_numeric]])
        return (nan if nan.any() else None), inf
    if sp.issparse(X_sub):
        coo = X_sub.tocoo()
        data = coo.data.astype(np.float64, copy=False)
        inf = np.zeros(X_sub.shape[1], dtype=bool)
        inf[coo.col[np.isinf(data)]] = True
        bad = np.isnan(data)
        if not bad.any():
            return None, inf
        nan = np.zeros(X_sub.shape, dtype=bool)  # rare: explicitly stored NaNs
        nan[coo.row[bad], coo.col[bad]] = True
        return nan, inf
    data = X_sub
    if data.dtype.kind in "iub":  # integers and booleans hold neither NaN nor inf
        return None, np.zeros(data.shape[1], dtype=bool)
    if data.dtype.kind not in "fc":
        try:
            data = data.astype(np.float64)
        except (TypeError, ValueError):  # non-numeric objects: the experts will judge
            return None, np.zeros(X_sub.shape[1], dtype=bool)
    # A finite sum proves there is no NaN or inf (the fast path scikit-learn uses
    # too): one pass and no temporary mask. Only otherwise are the columns scanned,
    # in blocks of rows so that the temporary masks stay small beside X.
    if np.isfinite(np.sum(data, dtype=np.float64)):
        return None, np.zeros(data.shape[1], dtype=bool)
    inf = np.zeros(data.shape[1], dtype=bool)
    any_nan = False
    for start in range(0, data.shape[0], _SCAN_ROWS):
        block = data[start:start + _SCAN_ROWS]
        inf |= np.isinf(block).any(axis=0)
        any_nan = any_nan or bool(np.isnan(block).any())
    return (np.isnan(data) if any_nan else None), inf


_SCAN_ROWS = 16384


def _check_floor(floor, classes):
    """A floor at or above 1 / n_classes would flatten every expert's probabilities."""
    if floor * len(classes) >= 1:
        raise ValueError(
            f"proba_floor={floor} is at least 1 / n_classes = 1/{len(classes)}: every "
            "expert's probabilities would be raised to (nearly) uniform. Use a floor far "
            "below 1 / n_classes, such as the default 1e-9."
        )
