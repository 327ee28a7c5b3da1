"""The class prior: the one count of each class behind every prior and "classes seen"."""

import numpy as np


def _class_counts(y, n_classes, sample_weight=None):
    """Rows (or total weight) of each class in encoded labels ``y``, as floats."""
    return np.bincount(y, weights=sample_weight, minlength=n_classes).astype(np.float64)


def _log_prior(prior, floor):
    """The log class prior of every product, floored: a class of prior 0 gets ``log(floor)``."""
    return np.log(np.maximum(prior, floor))


def _class_log_prior(y, n_classes, floor, sample_weight=None):
    """The floored log prior of the classes in ``y`` (weighted by ``sample_weight``)."""
    counts = _class_counts(y, n_classes, sample_weight)
    return _log_prior(counts / counts.sum(), floor)
