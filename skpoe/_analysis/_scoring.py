"""Per-fold metrics of log-probabilities, and paired standard errors over CV folds."""

import warnings

import numpy as np
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

METRICS = ("accuracy", "balanced_accuracy", "log_loss", "roc_auc")


def _fold_metrics(log_proba, y):
    """Accuracy, balanced accuracy, log-loss (nats) and ROC AUC of one fold's predictions.

    ROC AUC is one-vs-rest for multiclass, and NaN when the fold lacks a class.
    """
    rows = np.arange(y.shape[0])
    pred = np.argmax(log_proba, axis=1)
    proba = np.exp(log_proba)
    n_classes = log_proba.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a class absent from a small fold
        balanced = balanced_accuracy_score(y, pred)
        try:
            if n_classes == 2:
                auc = roc_auc_score(y, proba[:, 1])
            else:
                auc = roc_auc_score(y, proba, multi_class="ovr", labels=np.arange(n_classes))
        except ValueError:
            auc = np.nan
    return {
        "accuracy": float(np.mean(pred == y)),
        "balanced_accuracy": float(balanced),
        "log_loss": float(-np.mean(log_proba[rows, y])),
        "roc_auc": float(auc),
    }


def _paired_se(differences, test_train_ratio):
    """Standard error of the mean of per-fold paired differences, corrected for CV.

    Folds share training rows, so their scores are correlated and the naive
    ``sd / sqrt(n_folds)`` is too small. The Nadeau & Bengio (2003) correction
    scales the variance by ``1 / n_folds + n_test / n_train`` instead of
    ``1 / n_folds``. NaN with fewer than two folds.
    """
    differences = np.asarray(differences, dtype=np.float64)
    if differences.size < 2:
        return np.nan
    variance = np.var(differences, ddof=1)
    return float(np.sqrt(variance * (1.0 / differences.size + test_train_ratio)))


def _t_cutoff(n_folds, n_tests=1):
    """The two-sided 95% cutoff of the paired t statistic over ``n_folds`` folds (J - 1 df).

    With ``n_tests`` comparisons read together (the pairs of a map), Bonferroni's:
    the whole family claims a false effect in at most 5% of studies.
    """
    from scipy.stats import t

    return float(t.ppf(1 - 0.025 / n_tests, n_folds - 1)) if n_folds >= 2 else np.nan


# Differences of mean log-losses below this (nats) are round-off, never an effect:
# two models that compute the same probabilities by different arithmetic differ by
# a few ulp (1e-16) on every fold, with an SE of the same size.
_ROUND_OFF = 1e-10


# The intra test's cutoff: one-sided 5% on the normal scale of the per-row test.
_Z_ONE_SIDED = 1.6448536269514722


def _z_cutoff(n_tests=1):
    """The per-row test's one-sided 5% cutoff, Bonferroni-corrected over ``n_tests``."""
    from scipy.stats import norm

    return float(norm.ppf(1 - 0.05 / n_tests))


def _per_row_se(differences, clusters):
    """Standard error of the mean of per-row differences, clustered (Bayle et al. 2020).

    ``differences`` holds one value per held-out prediction (every fold, every
    repeat); ``clusters`` the unit each came from (its row, or its group when
    ``groups`` were given), so that a row's repeats and a patient's rows count as
    one unit of evidence. NaN with fewer than two units.
    """
    differences = np.asarray(differences, dtype=np.float64)
    _, codes = np.unique(clusters, return_inverse=True)
    n_units = int(codes.max()) + 1 if codes.size else 0
    if n_units < 2:
        return np.nan
    sums = np.bincount(codes, weights=differences - differences.mean(), minlength=n_units)
    variance = np.sum(sums ** 2) * n_units / (n_units - 1)
    return float(np.sqrt(variance) / differences.size)


def _beyond(mean, se, cutoff):
    """``mean > cutoff * se``, never at round-off level, never with an unknown SE."""
    mean, se = np.asarray(mean, dtype=np.float64), np.asarray(se, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        beyond = (mean > cutoff * se) & (mean > _ROUND_OFF)
        return np.nan_to_num(beyond, nan=False).astype(bool) & np.isfinite(se)


def _counts(mean, se, n_folds):
    """A fold-paired comparison counts when its mean exceeds ``t(0.975, J - 1)`` SEs.

    A mean at round-off level never counts, whatever its SE.
    """
    return _beyond(mean, se, _t_cutoff(n_folds))


def _signed(value):
    """``+0.012``; never ``-0.000``."""
    text = f"{value:+.3f}"
    return "+0.000" if text == "-0.000" else text


def _share(dependency, chance):
    """A dependency as a share of chance's log-loss, "12%" (never "-0%")."""
    text = f"{dependency / chance:.0%}"
    return "0%" if text == "-0%" else text
