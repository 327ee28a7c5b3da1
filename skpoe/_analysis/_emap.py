"""Does a fitted model use interactions between modalities? Its empirical additive projection.

EMAP (Hessel & Lee, EMNLP 2020) projects a fitted model onto additive functions
of its modalities, ``f(t_i, v_i) ~ mean_j f(t_i, v_j) + mean_j f(t_j, v_i) -
mean_jk f(t_j, v_k)``, and compares the two models' scores: a model that reads
no interaction loses nothing in the projection. Here for K modalities, on the
model's class log-probabilities centred over the classes (its logits: a
product of per-modality experts is additive there exactly), renormalised, with
``n_partners`` partner rows per row (never the row itself) so that the cost is
``n * n_partners * (K + 1)`` predictions instead of ``n ** K``.
"""

from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.utils._param_validation import Interval, validate_params

from .._engine._seeds import _draw_seeds
from .._engine._threads import _thread_limited
from ._held_out import _check_held_out, _log_proba
from ._scoring import _per_row_se, _signed


def _logits(model, X, n_classes):
    """The model's class log-probabilities, centred over the classes."""
    log_proba = _log_proba(model, X, n_classes)
    return log_proba - log_proba.mean(axis=1, keepdims=True)


def _mixed(X, sources):
    """Rows whose columns of each block come from the rows ``sources[block]`` (same length)."""
    mixed = X.iloc[sources[0][1]].copy() if hasattr(X, "iloc") else X[sources[0][1]].copy()
    for columns, rows in sources[1:]:
        if hasattr(X, "iloc"):
            mixed.iloc[:, columns] = X.iloc[rows, columns].to_numpy()
        else:
            mixed[:, columns] = X[np.ix_(rows, columns)]
    return mixed


def _partners(n, m, rng):
    """``(n, m)`` partner rows of each row, drawn from the other rows."""
    drawn = rng.integers(0, n - 1, size=(n, m))
    return drawn + (drawn >= np.arange(n)[:, None])  # skip the row itself


class InteractionUse:
    """The result of :func:`modality_interaction_use`.

    Attributes
    ----------
    table_ : pandas.DataFrame
        The model and its additive projection (rows), their ``log_loss`` and
        ``accuracy`` on the given rows.
    gap_ : float
        Log-loss of the projection minus the model's (nats): what the model's
        interactions between modalities are worth on these rows (about 0 for a
        model that reads none).
    se_ : float
        Its standard error over the rows (clustered by ``groups``).

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from skpoe import modality_interaction_use
    >>> from skpoe.datasets import make_planted_modalities
    >>> data = make_planted_modalities("xor", n_samples=600, random_state=0)
    >>> early = HistGradientBoostingClassifier(random_state=0).fit(data.data[:300],
    ...                                                            data.target[:300])
    >>> use = modality_interaction_use(early, data.data[300:], data.target[300:],
    ...                                data.modalities, random_state=0)
    >>> use.gap_ > 0.2  # XOR lives in the interaction: the projection loses it
    True
    """

    def __init__(self, table, gap, se):
        self.table_, self.gap_, self.se_ = table, gap, se

    def summary(self):
        """One sentence and the table.

        Returns
        -------
        str
        """
        uses = self.gap_ > 1.645 * self.se_ and self.gap_ > 1e-10
        return "\n".join([
            f"Interaction use (EMAP): the additive projection of the model loses "
            f"{_signed(self.gap_)} +/- {self.se_:.3f} nats of log-loss: the model "
            + ("uses interactions between modalities." if uses else
               "does not measurably use interactions between modalities."),
            self.table_.to_string(float_format=lambda v: f"{v:.3f}"),
        ])


@validate_params(
    {"n_partners": [Interval(Integral, 1, None, closed="left")],
     "random_state": ["random_state"]},
    prefer_skip_nested_validation=True,
)
@_thread_limited
def modality_interaction_use(model, X, y, modalities, *, n_partners=20, groups=None,
                             random_state=None):
    """Does a fitted model use interactions between modalities? (EMAP, for K modalities.)

    Scores the model and its empirical additive projection over the modalities
    (Hessel & Lee 2020) on held-out rows: for each row, the model's centred
    log-probabilities with one modality taken from the row and the others from
    ``n_partners`` other rows, averaged and summed over the modalities, minus
    ``K - 1`` times the mean over rows mixing every modality from a different
    partner; renormalised. A product of per-modality experts is additive and
    reads a gap of 0; an early-fusion model that learned an interaction loses it
    in the projection.

    Parameters
    ----------
    model : fitted classifier
        With ``predict_proba`` and ``classes_``, taking X as given here.
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        Held-out rows.
    y : array-like of shape (n_samples,)
        Their labels, among ``model.classes_``.
    modalities : dict of str to columns
        Modality name -> columns (any column selection the package accepts).
    n_partners : int, default=20
        Partner rows per row; the cost is ``n_samples * n_partners * (K + 1)``
        predictions.
    groups : array-like of shape (n_samples,), default=None
        Group labels (e.g. patients): the SE counts a group as one unit.
    random_state : int, RandomState instance or None, default=None
        Seeds the partners.

    Returns
    -------
    InteractionUse
        ``gap_`` (nats), ``se_``, ``table_``, ``summary()``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skpoe import modality_interaction_use
    >>> from skpoe.datasets import make_planted_modalities
    >>> data = make_planted_modalities("independent", n_samples=400, random_state=0)
    >>> model = LogisticRegression().fit(data.data[:200], data.target[:200])
    >>> use = modality_interaction_use(model, data.data[200:], data.target[200:],
    ...                                data.modalities, random_state=0)
    >>> abs(use.gap_) < 1e-6  # a logistic regression is additive over the modalities
    True
    """
    if not isinstance(modalities, dict) or len(modalities) < 2:
        raise ValueError("modalities must be a dict of at least two modality name -> columns.")
    checked = _check_held_out(model, X, y, modalities, groups)
    X, blocks, codes = checked.X, list(checked.columns.values()), checked.y_codes
    if X.shape[0] < 3:
        raise ValueError(f"X has {X.shape[0]} rows: give at least 3 (each row needs partners).")
    n, k, c = X.shape[0], len(blocks), len(checked.classes)
    partners = _partners(n, n_partners, np.random.default_rng(_draw_seeds(random_state)))
    own = np.repeat(np.arange(n), n_partners)
    projection = np.zeros((n, c))
    for block in blocks:  # this modality from the row, the others from a partner
        rows = _mixed(X, [(None, partners.ravel()), (block, own)])
        projection += _logits(model, rows, c).reshape(n, n_partners, c).mean(axis=1)
    # every modality from a different partner (a cyclic shift): the mean of f over the
    # product of the modalities' marginals, with the partners the terms used
    shifted = [(block, np.roll(partners, -b, axis=1).ravel()) for b, block in enumerate(blocks)]
    constant = _logits(model, _mixed(X, [(None, shifted[0][1])] + shifted), c)
    projection -= (k - 1) * constant.reshape(n, n_partners, c).mean(axis=1)
    projection -= logsumexp(projection, axis=1, keepdims=True)
    at = np.arange(n)
    model_log_proba = _logits(model, X, c)
    model_log_proba -= logsumexp(model_log_proba, axis=1, keepdims=True)
    losses = {"model": -model_log_proba[at, codes], "additive projection": -projection[at, codes]}
    hits = {"model": model_log_proba.argmax(axis=1) == codes,
            "additive projection": projection.argmax(axis=1) == codes}
    table = pd.DataFrame({"log_loss": {m: v.mean() for m, v in losses.items()},
                          "accuracy": {m: v.mean() for m, v in hits.items()}})
    diff = losses["additive projection"] - losses["model"]
    return InteractionUse(table, float(diff.mean()),
                          _per_row_se(diff, np.arange(n) if groups is None else groups))
