"""Which modalities interact, which overlap: the pairwise map and the information decomposition.

Both compare *additive* models of one family, the inter expert's own
HistGradientBoosting model (or the command line's product-term logistic
regression) with ``interaction_cst`` sets, fitted on the same rows
(the inter expert's) and folds and calibrated alike, so that every difference is
paired and like for like:

- the pairwise map: for modalities i and j, the additive baseline (one set per
  modality) against the same model with i and j merged into one set: what
  letting i and j interact adds, in nats, with its fold-paired SE;
- the decomposition: with chance's log-loss ``L0``, the calibrated additive
  model on a set M of modalities ``L(M)`` and the inter expert's ``LJ``,
  ``information_k = L0 - L({k})``, ``unique_k = L(all but k) - L(all)``,
  ``redundancy_k = information_k - unique_k``, ``synergy = L(all) - LJ``. For two
  modalities these satisfy the consistency equations of a partial information
  decomposition exactly (``R_1 = R_2``, ``R + U_1 + U_2 + S = L0 - LJ``).
"""

from dataclasses import replace
from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.base import clone

from .. import _vocabulary as V
from .._engine._interaction_logistic import _InteractionLogistic
from ._additive import PRODUCT_TERMS, _positions, family_label
from ._scoring import _beyond, _t_cutoff, _z_cutoff

PAIR_LIMIT = 10
"""``pairs="auto"`` maps the pairs of 3 to 5 modalities (at most 10 extra fits per fold)."""


def _additive(inter, name, sets, columns=None):
    """The inter expert's model with ``interaction_cst`` = ``sets``, on ``columns``."""
    estimator = clone(inter.estimator).set_params(interaction_cst=sets)
    if columns is None:
        return replace(inter, name=name, estimator=estimator)
    if isinstance(estimator, _InteractionLogistic):  # its modalities: positions in its input
        estimator.set_params(modalities=sets or [list(range(len(columns)))])
    return replace(inter, name=name, estimator=estimator, columns=columns)


def pair_specs(inter, modalities):
    """``{(a, b): spec}``: an additive model per pair, the pair merged into one set."""
    sets = _positions(inter.columns, modalities)
    specs = {}
    for a, b in combinations(sets, 2):
        merged = [sets[a] + sets[b]] + [s for m, s in sets.items() if m not in (a, b)]
        specs[a, b] = _additive(inter, V.pair_model(a, b), merged)
    return specs


def decomposition_specs(inter, modalities):
    """The additive models on one modality alone and on all modalities but one.

    With two modalities, "all but k" is the other one alone: no extra fit.
    """
    specs = []
    for spec in modalities:
        specs.append(_additive(inter, V.only_model(spec.name), None, spec.columns))
    if len(modalities) > 2:
        for spec in modalities:
            rest = [s for s in modalities if s.name != spec.name]
            columns = np.unique(np.concatenate([s.columns for s in rest]))
            sets = list(_positions(columns, rest).values())
            specs.append(_additive(inter, V.without_model(spec.name), sets, columns))
    return specs


def _without(name, modalities):
    """The model that leaves modality ``name`` out (with two modalities: the other alone)."""
    if len(modalities) == 2:
        return V.only_model(next(m for m in modalities if m != name))
    return V.without_model(name)


def pairs_table(pairs, scores, kind):
    """Each pair's interaction: the merged model's calibrated gain on the additive baseline.

    A pair counts beyond the cutoff Bonferroni-corrected over the pairs: a map of
    ten pairs read at 5% each would show a false pair in a third of the studies.
    The test is the inter dependency's: per-row (one-sided) where the pair model
    nests the baseline (:data:`PRODUCT_TERMS`), else fold-paired.
    """
    rows, label, per_row = {}, family_label(kind), kind == PRODUCT_TERMS
    for a, b in pairs:
        models = label(V.BASELINE), label(V.pair_model(a, b))
        gain, se = scores.row_gain(*models) if per_row else scores.gain(*models)
        rows[f"{a} x {b}"] = {"modality_1": a, "modality_2": b, "interaction": gain, "se": se}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["cutoff"] = (_z_cutoff(len(pairs)) if per_row
                       else _t_cutoff(scores.n_folds, n_tests=len(pairs)))
    table["counts"] = _beyond(table["interaction"], table["se"], table["cutoff"])
    table.index.name = "pair"
    return table


def decomposition_table(modalities, scores, kind):
    """Every atom, in nats, with its fold-paired SE: a row per (atom, modality)."""
    label = family_label(kind)
    L0, full, joint = V.CHANCE, label(V.BASELINE), label(V.INTER)
    rows = []

    def atom(name, modality, terms):
        value, se = scores.combination(terms)
        rows.append({"atom": name, "modality": modality, "nats": value, "se": se})

    for k in modalities:
        only, without = label(V.only_model(k)), label(_without(k, modalities))
        atom("information", k, {L0: 1, only: -1})
        atom("unique", k, {without: 1, full: -1})
        atom("redundancy", k, {L0: 1, only: -1, without: -1, full: 1})
    atom("synergy", "", {full: 1, joint: -1})
    atom("total", "", {L0: 1, joint: -1})
    table = pd.DataFrame(rows)
    table["counts"] = _beyond(table["nats"], table["se"], scores.t_cutoff)
    return table
