"""Which expert sees which row: the one presence rule of the package.

A modality is *absent* from a row when all its columns are NaN there. The rule,
shared by :class:`ProductOfExpertsClassifier`, :class:`ModalityDependencyAnalyzer`
and the jointly trained neural product:

- an intra expert sees the rows where its modality is present;
- the inter expert sees the complete rows (every modality present), or, when it
  accepts NaN itself, every row where some modality is present;
- with ``missing_modality="error"`` any absent modality is an error instead.

NaN inside a present modality goes to the experts as NaN: each expert that sees
it must accept NaN (its ``allow_nan`` tag, or a Pipeline that imputes first).
"""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, get_tags

from ._columns import _as_column_key, _column_label
from ._validation import _nan_and_inf

# Steps that replace NaN by values before anything else sees them. scikit-learn's
# Pipeline and ColumnTransformer report allow_nan=False whatever their steps, so we
# look ourselves. OneHotEncoder makes NaN a category of its own.
_IMPUTERS = ("SimpleImputer", "IterativeImputer", "KNNImputer", "MissingIndicator",
             "OneHotEncoder")
_REMOVED, _PASSED, _REFUSED = "removed", "passed", "refused"


def _nan_after(step):
    """What ``step`` does with NaN in its input: removes it, passes it on, or refuses it.

    A Pipeline goes step by step; a ColumnTransformer refuses NaN when a branch
    does, passes it on when a branch (or a ``remainder="passthrough"``) does, and
    removes it when every branch does. Any other step: its ``allow_nan`` tag.
    """
    if step is None or (isinstance(step, str) and step in ("passthrough", "drop")):
        return _REMOVED if step == "drop" else _PASSED
    if type(step).__name__ in _IMPUTERS:
        return _REMOVED
    if isinstance(step, Pipeline):
        for _, inner in step.steps:
            state = _nan_after(inner)
            if state != _PASSED:
                return state
        return _PASSED
    if isinstance(step, ColumnTransformer):
        branches = [t for _, t, _ in step.transformers] + [step.remainder]
        states = {_nan_after(t) for t in branches}
        return next(s for s in (_REFUSED, _PASSED, _REMOVED) if s in states)
    try:
        return _PASSED if get_tags(step).input_tags.allow_nan else _REFUSED
    except Exception:  # an object without tags (a torch module): assume not
        return _REFUSED


def _accepts_nan(estimator):
    """Whether ``estimator`` takes NaN in X: its tag, or steps that impute before it matters.

    A Pipeline accepts NaN when every step either takes it or comes after a step
    that removed it (an imputer; a ColumnTransformer whose every branch imputes
    or one-hot encodes); scalers pass NaN through to the next step.
    """
    return _nan_after(estimator) != _REFUSED


class _Presence:
    """Absent modalities per row, and the rows each expert sees.

    Scans every modality's columns once; raises on infinity, which no expert takes.

    Parameters
    ----------
    X : validated X
    modality_specs : list of _ExpertSpec
        Every modality, dropped ones included (their columns reach the inter expert).
    feature_names : ndarray or None
    """

    def __init__(self, X, modality_specs, feature_names):
        self.names = [spec.name for spec in modality_specs]
        self.columns = [spec.columns for spec in modality_specs]
        self.feature_names = feature_names
        self.n_samples = X.shape[0]
        self._nan = []
        absent = []
        if hasattr(X, "dtypes") and all(dtype.kind in "fiub" for dtype in X.dtypes):
            # one NumPy view of a numeric frame (a single block is not copied): slicing
            # it per modality costs microseconds, slicing the frame a millisecond
            X = X.to_numpy()
        for spec in modality_specs:
            nan, inf = _nan_and_inf(_safe_indexing(X, _as_column_key(spec.columns), axis=1))
            if inf.any():
                j = spec.columns[np.flatnonzero(inf)[0]]
                raise ValueError(
                    f"Input X contains infinity in column {_column_label(j, feature_names)} "
                    f"(modality {spec.name!r}); experts take finite values or NaN only."
                )
            self._nan.append(nan)
            absent.append(nan.all(axis=1) if nan is not None else np.zeros(X.shape[0], bool))
        self.absent = np.column_stack(absent) if absent else np.zeros((X.shape[0], 0), bool)

    def check_no_empty_column(self):
        """Raise, naming column and modality, for a column that is NaN in every row (at fit).

        No expert can learn from it, and some fail deep inside on it
        (HistGradientBoosting's binning); a column empty in a batch at predict is fine.
        """
        for m, nan in enumerate(self._nan):
            if nan is None or nan.shape[0] == 0:
                continue
            empty = nan.all(axis=0)
            if empty.any() and not empty.all():
                j = self.columns[m][np.flatnonzero(empty)[0]]
                raise ValueError(
                    f"Column {_column_label(j, self.feature_names)} of modality "
                    f"{self.names[m]!r} is empty (NaN in all {nan.shape[0]} rows): no expert "
                    "can learn from it. Leave it out of the modality."
                )

    def check_no_absent(self, read=None):
        """Raise for ``missing_modality="error"``, naming the modality and row count.

        ``read`` (a boolean per modality) limits the check to the modalities some
        active expert reads; None checks them all.
        """
        counts = self.absent.sum(axis=0)
        if read is not None:
            counts = np.where(read, counts, 0)
        if counts.any():
            m = int(np.flatnonzero(counts)[0])
            raise ValueError(
                f"Modality {self.names[m]!r} is missing (all its columns NaN) in "
                f"{int(counts[m])} row(s) of {self.absent.shape[0]}. Pass "
                "missing_modality='drop' to leave its expert out of those rows, or impute."
            )

    def rows_of(self, spec, accepts_nan):
        """Boolean mask of the rows ``spec``'s expert sees."""
        if not spec.is_inter:
            return ~self.absent[:, self.names.index(spec.name)]
        if accepts_nan:
            return ~self.absent.all(axis=1)
        return ~self.absent.any(axis=1)

    def check_nan(self, spec, rows, accepts_nan):
        """Raise if ``spec``'s expert, which does not take NaN, would see one in ``rows``.

        The inter expert's columns are the union of the modalities' columns, so
        every modality is checked for it.
        """
        if accepts_nan:
            return
        modalities = range(len(self.names)) if spec.is_inter else [self.names.index(spec.name)]
        for m in modalities:
            nan = self._nan[m]
            if nan is None:
                continue
            bad = (nan if rows is None else nan[rows]).any(axis=0)
            if bad.any():
                j = self.columns[m][np.flatnonzero(bad)[0]]
                kind = "MLP" if spec.estimator is None else type(spec.estimator).__name__
                raise ValueError(
                    f"Input X contains NaN in column {_column_label(j, self.feature_names)} "
                    f"(modality {self.names[m]!r}), but the expert {spec.name!r} ({kind}) does "
                    "not accept missing values (the modality is present in that row). "
                    "Make the expert impute first, e.g. make_pipeline(SimpleImputer(), "
                    "StandardScaler(), LogisticRegression()), or use an expert that accepts "
                    "NaN such as HistGradientBoostingClassifier. Rows where a whole modality "
                    "is NaN are left out of its expert with missing_modality='drop'."
                )


def _row_mask(rows, n_samples):
    """A rows entry of ``_expert_rows`` as a boolean mask (None means every row)."""
    return np.ones(n_samples, dtype=bool) if rows is None else rows


def _expert_rows(X, plan, feature_names, missing_modality, accepts_nan=_accepts_nan,
                 fitting=True):
    """The presence rule applied: ``(presence, rows)`` for the active experts of ``plan``.

    ``rows`` maps each non-dropped expert's name to a boolean row mask, or None when
    it sees every row. Raises, naming the modality, expert and column, when a row
    lacks a modality under ``missing_modality="error"``, or an expert that does not
    accept NaN would see one. ``accepts_nan(estimator)`` says which experts take NaN.
    ``fitting``: the rows are training rows, where an empty column is an error.
    """
    presence = _Presence(X, [spec for spec in plan if not spec.is_inter], feature_names)
    if fitting:
        presence.check_no_empty_column()
    if missing_modality == "error":
        inter_reads = any(spec.is_inter and not spec.dropped for spec in plan)
        presence.check_no_absent(read=np.array([
            inter_reads or not spec.dropped for spec in plan if not spec.is_inter
        ], dtype=bool))
    rows = {}
    for spec in plan:
        if spec.dropped:
            continue
        takes_nan = accepts_nan(spec.estimator)
        keep = presence.rows_of(spec, takes_nan)
        rows[spec.name] = None if keep.all() else keep
        presence.check_nan(spec, rows[spec.name], takes_nan)
    return presence, rows
