"""Input checks that name the culprit: X, y and missing values per modality."""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import _safe_indexing, check_array, get_tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d, validate_data

from ._modalities import _column_label


def _is_dataframe(X):
    return hasattr(X, "iloc") and hasattr(X, "columns")


def _check_X(estimator, X, *, reset):
    """Validate X without converting a DataFrame, so experts still get column names.

    Arrays go through ``check_array`` (2-D, non-empty, no complex values); missing
    values are checked later, per modality, against the experts that will see them.
    """
    if not _is_dataframe(X):
        X = check_array(
            X,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
            input_name="X",
            estimator=estimator,
        )
    else:
        n_samples, n_features = X.shape
        if n_samples < 1:
            raise ValueError(
            f"Found X with 0 sample(s) (shape={X.shape}); at least 1 is required."
        )
        if n_features < 1:
            raise ValueError(
                f"Found X with 0 feature(s) (shape={X.shape}); at least 1 is required."
            )
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    return X


def _encode_y(estimator, y, n_samples):
    """Return (encoded y, classes) for single-output classification with >= 2 classes."""
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    y_type = type_of_target(y, input_name="y")
    if y_type.startswith("multilabel") or y_type.endswith("multioutput"):
        raise ValueError(
            f"{type(estimator).__name__} supports single-output classification only "
            f"(binary or multiclass); y is {y_type}."
        )
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples}, y has "
            f"{y.shape[0]}."
        )
    if y.dtype == object and any(v is None for v in y):
        raise ValueError("y contains None; every sample needs a class label.")
    encoder = LabelEncoder().fit(y)
    if encoder.classes_.shape[0] < 2:
        raise ValueError(
            f"{type(estimator).__name__} needs samples of at least 2 classes in y; got only "
            f"one class: {encoder.classes_[:1].tolist()[0]!r}."
        )
    return encoder.transform(y), encoder.classes_


def _bad_value_columns(X_sub):
    """Positions (within X_sub) of columns holding NaN, and of columns holding inf."""
    if _is_dataframe(X_sub):
        nan_cols = np.flatnonzero(X_sub.isna().to_numpy().any(axis=0))
        numeric = X_sub.select_dtypes(include="number")
        inf_mask = np.isinf(numeric.to_numpy(dtype=np.float64)).any(axis=0)
        names = list(X_sub.columns)
        inf_cols = np.array([names.index(c) for c in numeric.columns[inf_mask]], dtype=np.intp)
        return nan_cols, inf_cols
    data = X_sub.data if sp.issparse(X_sub) else X_sub
    if data.dtype.kind not in "fc":
        if data.dtype.kind != "O":
            return np.array([], dtype=np.intp), np.array([], dtype=np.intp)
        try:
            data = data.astype(np.float64)
        except (TypeError, ValueError):
            return np.array([], dtype=np.intp), np.array([], dtype=np.intp)
    if sp.issparse(X_sub):
        X_sub = X_sub.tocsc()
        col_of = np.repeat(np.arange(X_sub.shape[1]), np.diff(X_sub.indptr))
        return np.unique(col_of[np.isnan(data)]), np.unique(col_of[np.isinf(data)])
    return np.flatnonzero(np.isnan(data).any(axis=0)), np.flatnonzero(np.isinf(data).any(axis=0))


def _check_values_for_experts(X, plan, feature_names):
    """Raise, naming modality and column, where an expert would get NaN it cannot take.

    Infinity is refused for every expert. Each column is scanned once, however many
    experts share it.
    """
    active = [spec for spec in plan if not spec.dropped]
    union = np.unique(np.concatenate([spec.columns for spec in active]))
    nan_pos, inf_pos = _bad_value_columns(_safe_indexing(X, union, axis=1))
    nan_cols, inf_cols = set(union[nan_pos].tolist()), set(union[inf_pos].tolist())

    for spec in active:
        inf_here = [j for j in spec.columns if j in inf_cols]
        if inf_here:
            raise ValueError(
                f"Input X contains infinity in column "
                f"{_column_label(inf_here[0], feature_names)} (modality {spec.name!r}); "
                "experts take finite values or NaN only."
            )
        nan_here = [j for j in spec.columns if j in nan_cols]
        if nan_here and not get_tags(spec.estimator).input_tags.allow_nan:
            raise ValueError(
                f"Input X contains NaN in column {_column_label(nan_here[0], feature_names)} "
                f"(modality "
                f"{spec.name!r}), but its expert {type(spec.estimator).__name__} does not "
                "accept missing values. Impute them in a Pipeline inside the expert, or use "
                "an expert that accepts NaN such as HistGradientBoostingClassifier."
            )
