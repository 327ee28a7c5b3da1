"""The out-of-fold engine: every (fold, expert) fit of a cross-validation in one joblib call.

Shared by :class:`ModalityDependencyAnalyzer` and the learned weights of
:class:`ProductOfExpertsClassifier` (``weights="learn"``), so that an integer
``cv`` means the same splitter in both, X is validated and its columns resolved
once, and each expert trains and predicts on the rows the presence rule gives it
(see ``_presence.py``).
"""

import sys
import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils.parallel import delayed

from ._columns import _as_column_key
from ._fitting import _expert_log_proba, _fit_expert
from ._jobs import _run_jobs
from ._prior import _class_counts, _class_log_prior
from ._seeds import _draw_seeds


def _make_splits(cv, y, groups=None, random_state=None, n_repeats=1):
    """``cv`` -> list of (train, test) index arrays.

    An int gives ``StratifiedKFold(cv)``, or ``StratifiedGroupKFold(cv)`` when
    ``groups`` are given; both are shuffled, seeded by ``random_state``, when it is
    not None (an int or a RandomState), and in data order otherwise. With
    ``n_repeats > 1`` the int's splitter runs ``n_repeats`` times, each repeat
    shuffled with its own seed drawn from ``random_state`` (repeats must differ,
    so they are shuffled even when it is None). Any scikit-learn splitter or
    iterable of splits is used as it is, and ``n_repeats`` does not apply to it.
    """
    X_dummy = np.zeros((len(y), 1))
    if groups is not None:
        _check_groups(groups, len(y))
    if not isinstance(cv, Integral):
        splitter = check_cv(cv, y, classifier=True)
        return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X_dummy, y, groups)]
    kind = StratifiedKFold if groups is None else StratifiedGroupKFold
    if n_repeats == 1:
        shuffle, seeds = random_state is not None, [random_state]
    else:
        shuffle = True
        seeds = _draw_seeds(random_state, size=n_repeats)
    return [
        (np.asarray(tr), np.asarray(te))
        for seed in seeds
        for tr, te in kind(cv, shuffle=shuffle, random_state=seed).split(X_dummy, y, groups)
    ]


def _check_groups(groups, n_samples):
    """Group ids: one per row, none missing (a missing id has no place in any fold)."""
    import pandas as pd

    groups = np.asarray(groups)
    if groups.shape[0] != n_samples:
        raise ValueError(f"groups has {groups.shape[0]} entries but X has {n_samples} rows.")
    missing = np.flatnonzero(pd.isna(groups))
    if missing.size:
        raise ValueError(
            f"groups has {missing.size} missing id(s) (None, NaN or an empty cell; first at "
            f"row {missing[0]}): every row needs a group id (e.g. its patient). Fill them, "
            "or drop those rows."
        )


def _permute_block(X_sub, positions, rng):
    """Copy of X_sub whose columns ``positions`` are permuted together across rows."""
    perm = rng.permutation(X_sub.shape[0])
    if hasattr(X_sub, "iloc"):
        out = X_sub.copy()
        out.iloc[:, positions] = X_sub.iloc[perm, positions].to_numpy()
        return out
    if sp.issparse(X_sub):
        # Column selection by diagonal 0/1 matrices keeps the result sparse.
        in_block = np.zeros(X_sub.shape[1])
        in_block[positions] = 1.0
        X_sub = sp.csr_matrix(X_sub)
        return X_sub @ sp.diags(1.0 - in_block) + X_sub[perm] @ sp.diags(in_block)
    out = np.array(X_sub, copy=True)
    out[:, positions] = X_sub[np.ix_(perm, positions)]
    return out


def _fit_and_score(spec, X, y, sample_weight, train, test, rows, context, blocks, seed):
    """Fit one expert on a fold's training rows; its log-probabilities on the test rows.

    ``rows`` (a boolean mask over all rows, or None) restricts both sides to the
    rows where the expert is present; its log-probabilities are NaN elsewhere.
    ``blocks`` maps a name to column positions within the expert's input: each
    block is permuted across the scored test rows and scored again, with no refit.
    As in a full fit, an expert that saw no weight of a class among its training
    rows is uninformative about it: the fold's class prior (see ``_expert_log_proba``).
    """
    n_classes, floor = context.n_classes, context.floor
    log_prior = _class_log_prior(y[train], n_classes, floor,
                                 None if sample_weight is None else sample_weight[train])
    if rows is not None:
        train = train[rows[train]]
    weights = None if sample_weight is None else sample_weight[train]
    seen = _class_counts(y[train], n_classes, weights) > 0
    fitted = _fit_expert(
        spec.estimator, _safe_indexing(X, train, axis=0), spec.columns, y[train], weights,
        spec.name, modality_of=context.modality_of,
    )
    X_test = _safe_indexing(X, test, axis=0)
    test_rows = None if rows is None else rows[test]
    log_proba = _expert_log_proba(fitted, X_test, spec.columns, n_classes, floor, spec.name,
                                  rows=test_rows, seen=seen, log_prior=log_prior)
    permuted = {}
    if blocks:
        rng = np.random.default_rng(seed)
        scored = X_test if test_rows is None else _safe_indexing(X_test, test_rows, axis=0)
        X_sub = _safe_indexing(scored, _as_column_key(spec.columns), axis=1)
        all_columns = np.arange(X_sub.shape[1])
        for name, positions in blocks.items():
            out = np.full_like(log_proba, np.nan)
            where = slice(None) if test_rows is None else test_rows
            if X_sub.shape[0]:
                out[where] = _expert_log_proba(
                    fitted, _permute_block(X_sub, positions, rng), all_columns, n_classes,
                    floor, spec.name, seen=seen, log_prior=log_prior,
                )
            permuted[name] = out
    return log_proba, permuted


def _check_folds_hold_classes(splits, y, classes, rows, specs):
    """Raise, naming class or expert and fold, where a fold cannot be fitted.

    Every class must be in each training fold. An expert's own rows may lack a
    class (it is then uninformative about it, as in a full fit) but must hold two.
    """
    n_classes = len(classes)
    for f, (train, _) in enumerate(splits):
        in_fold = _class_counts(y[train], n_classes) > 0
        for spec in specs:
            if not in_fold.all():
                missing = classes[np.flatnonzero(~in_fold)[:1]].tolist()[0]
                raise ValueError(
                    f"Class {missing!r} is absent from the training rows of fold {f} for "
                    f"expert {spec.name!r}: every training fold needs every class. Use fewer "
                    "folds (cv) or a stratified splitter."
                )
            seen = train if rows.get(spec.name) is None else train[rows[spec.name][train]]
            if np.unique(y[seen]).size < 2:
                raise ValueError(
                    f"Expert {spec.name!r} has fewer than 2 classes among its training rows "
                    f"of fold {f} (the rows where its modality is present): it cannot be "
                    "trained there. Use fewer folds (cv), or check where the modality is "
                    "missing."
                )


# Fewer held-out rows of a class per test fold than this, and a fold's log-loss rests
# on a handful of events: the paired differences swing from fold to fold and real
# dependencies stop counting (8% prevalence, n = 1,000, 16 events per fold: each of
# two weak modalities counted in 5 of 17 seeds).
_MIN_EVENTS_PER_FOLD = 10


def _test_class_counts(splits, y, classes):
    """Held-out rows of each class in each test fold, warning when a class is scarce there.

    Returns an int array of shape (n_folds, n_classes).
    """
    counts = np.array([_class_counts(y[test], len(classes)) for _, test in splits]).astype(int)
    fewest = int(counts.min())
    if fewest < _MIN_EVENTS_PER_FOLD:
        k = int(np.argmin(counts.min(axis=0)))
        warnings.warn(
            f"Class {classes[k:k + 1].tolist()[0]!r} has only {fewest} held-out row(s) in "
            f"some test fold ({int(counts[:, k].min())}-{int(counts[:, k].max())} per fold over "
            f"{len(splits)} folds; fewer than {_MIN_EVENTS_PER_FOLD} makes every fold's "
            "log-loss rest on a handful of events, and real dependencies may not count). "
            "Use fewer folds (cv=3 puts more events in each), more repeats (n_repeats), "
            "or collect more events; with repeated rows per patient, pass groups.",
            UserWarning,
            stacklevel=4,
        )
    return counts


def _cross_fit(specs, X, y, splits, rows, context, *, sample_weight=None, blocks=None, seed=0,
               n_jobs=None, verbose=0, shown=None):
    """Out-of-fold log-probabilities of every expert on every fold, in one joblib call.

    Parameters
    ----------
    specs : list of _ExpertSpec
        The experts to fit (none dropped).
    rows : dict of str to bool ndarray or None
        The presence rule's rows per expert name (missing name: every row).
    blocks : dict of str to dict, default=None
        Per expert name, the column blocks to permute at scoring time.
    shown : dict of str to str, default=None
        Per expert name, the name progress lines give it (default: the name).

    Returns
    -------
    outputs : list of dict
        Per fold, expert name -> ``(log_proba on the fold's test rows, permuted)``.
    """
    blocks = blocks or {}
    seeds = np.random.SeedSequence(seed).generate_state(len(splits))
    jobs = [
        delayed(_fit_and_score)(
            spec, X, y, sample_weight, train, test, rows.get(spec.name), context,
            blocks.get(spec.name), int(seeds[f]),
        )
        for f, (train, test) in enumerate(splits)
        for spec in specs
    ]
    shown = {spec.name: (shown or {}).get(spec.name, spec.name) for spec in specs}
    if verbose:
        print(f"[skpoe] fitting {len(specs)} experts x {len(splits)} folds = {len(jobs)} fits "
              f"({', '.join(shown.values())})", file=sys.stderr, flush=True)
    labels = [f"{shown[spec.name]} fold {f + 1}/{len(splits)}"
              for f in range(len(splits)) for spec in specs]
    results = _run_jobs(jobs, labels, n_jobs=n_jobs, verbose=verbose)
    k = len(specs)
    return [
        {spec.name: out for spec, out in zip(specs, results[f * k:(f + 1) * k])}
        for f in range(len(splits))
    ]
