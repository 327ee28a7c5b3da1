"""Read per-sample contributions: which modality drove each prediction."""

import numpy as np
import pandas as pd

from .._vocabulary import NORMALISER, PRIOR

_NON_EXPERT_TERMS = (PRIOR, NORMALISER)


def modality_drivers(contributions):
    """Which expert drove each prediction, from ``predict_contributions``.

    For each row, the predicted class is the one with the largest summed
    contribution and the runner-up the second largest. An expert's *margin* is its
    term for the predicted class minus its term for the runner-up: how many nats it
    pushed the decision toward the prediction (negative: against it). The
    normaliser does not depend on the class, so it never moves the decision.

    Parameters
    ----------
    contributions : pandas.DataFrame
        The output of :meth:`ProductOfExpertsClassifier.predict_contributions`.

    Returns
    -------
    drivers : pandas.DataFrame
        Indexed like ``contributions``: ``prediction``, ``runner_up``, one margin
        column per expert and ``prior`` (NaN for an absent expert), and ``driver``,
        the expert with the largest margin (``"prior"`` when no expert is present).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpoe import ProductOfExpertsClassifier, modality_drivers
    >>> from skpoe.datasets import make_planted_modalities
    >>> data = make_planted_modalities("noise", n_samples=300, random_state=0)
    >>> poe = ProductOfExpertsClassifier(
    ...     [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()],
    ...     inter_estimator="drop").fit(data.data, data.target)
    >>> drivers = modality_drivers(poe.predict_contributions(data.data))
    >>> drivers["driver"].value_counts().index[0]   # the informative modality
    'a'
    """
    terms = list(dict.fromkeys(contributions.columns.get_level_values("term")))
    classes = list(dict.fromkeys(contributions.columns.get_level_values("class")))
    if len(classes) < 2:
        raise ValueError("contributions must cover at least 2 classes.")
    values = np.stack([contributions[t].to_numpy(dtype=np.float64) for t in terms])  # (T, n, K)
    total = np.nansum(values, axis=0)
    order = np.argsort(-total, axis=1, kind="stable")
    rows = np.arange(total.shape[0])
    first, second = order[:, 0], order[:, 1]
    margin_terms = [t for t in terms if t != NORMALISER]
    margins = {
        t: values[terms.index(t)][rows, first] - values[terms.index(t)][rows, second]
        for t in margin_terms
    }
    out = pd.DataFrame(margins, index=contributions.index)
    expert_margins = out[[t for t in margin_terms if t not in _NON_EXPERT_TERMS]]
    driver = pd.Series(PRIOR, index=out.index, dtype=object)  # rows with no expert present
    some = expert_margins.notna().any(axis=1)
    driver[some] = expert_margins[some].idxmax(axis=1)
    out.insert(0, "runner_up", np.asarray(classes, dtype=object)[second])
    out.insert(0, "prediction", np.asarray(classes, dtype=object)[first])
    out["driver"] = driver
    return out
