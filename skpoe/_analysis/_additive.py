"""The additive baseline of an inter expert: the same model, forbidden to combine modalities.

Inter-modality dependency is what a model gains when it may combine features of
different modalities, over the same kind of model that may not (the excess
log-loss of the best cross-modality-additive log-odds model over the unrestricted
one). Which baseline matches which inter expert:

- a bare :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: the same
  estimator with ``interaction_cst`` holding one feature set per modality, so that
  each tree uses the features of one modality only (exact, same capacity);
- the command line's logistic regression with product terms
  (``_engine/_interaction_logistic.py``): the same model with the products of
  columns of different modalities left out (``interaction_cst``, one set per
  modality). The baseline is nested in the inter expert and both are stable
  (ridge-penalised), so their per-row difference is tested as the intra
  dependencies are (``_scoring.py``);
- a :class:`~sklearn.linear_model.LogisticRegression`, bare or after scalers and
  imputers only: the joint model is itself additive across modalities, so its
  inter dependency is 0 by construction and is not estimated;
- any other estimator: the calibrated product of clones of that estimator, each
  fitted on one modality. This equals an additive model only when the modalities
  are independent given the label; correlated modalities can make it look worse
  than an additive model, which reads as a (false) inter dependency.
"""

import warnings
from dataclasses import replace

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

from .. import _vocabulary as V
from .._engine._interaction_logistic import _InteractionLogistic
from .._engine._spec import _ExpertSpec
from .._vocabulary import BASELINE, baseline_of

INTERACTION_CST = "interaction_cst"
PRODUCT_TERMS = "interaction_cst on product terms"
CONSTRAINED = (INTERACTION_CST, PRODUCT_TERMS)
"""The baselines made by ``interaction_cst``: the pairwise map and decomposition need one."""
LINEAR = "additive by construction"
PER_MODALITY = "product of per-modality clones"

_COLUMNWISE_STEPS = (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, SimpleImputer)


def _is_linear_step(step):
    if step == "passthrough" or step is None:
        return True
    if type(step).__name__ == "IterativeImputer":  # experimental: not imported here
        return step.estimator is None  # its default, BayesianRidge, imputes linearly
    return isinstance(step, _COLUMNWISE_STEPS)


def _is_additive_by_construction(estimator):
    """A logistic regression, bare or after scalers and linear imputers only."""
    if isinstance(estimator, Pipeline):
        *steps, (_, final) = estimator.steps
        return all(_is_linear_step(step) for _, step in steps) and \
            _is_additive_by_construction(final)
    return isinstance(estimator, (LogisticRegression, LogisticRegressionCV))


def _check_disjoint(modalities, feature_names):
    from .._engine._columns import _column_label

    owner = {}
    for spec in modalities:
        for j in spec.columns:
            if j in owner:
                raise ValueError(
                    f"Modalities {owner[j]!r} and {spec.name!r} share column "
                    f"{_column_label(j, feature_names)}: the additive baseline of a "
                    "HistGradientBoosting or product-term inter expert (interaction_cst, one "
                    "feature set per modality) needs disjoint modalities. Make them disjoint, "
                    "or pass another inter_estimator (it is then compared with the product of "
                    "per-modality clones of itself)."
                )
            owner[j] = spec.name


def _positions(columns, modalities):
    """Each modality's column positions within ``columns`` (an expert's sorted input)."""
    return {spec.name: np.searchsorted(columns, spec.columns).tolist() for spec in modalities}


def _bind_modalities(inter, modalities):
    """The inter spec, its product-term model told where each modality's columns are."""
    estimator = inter.estimator
    if not isinstance(estimator, _InteractionLogistic) or estimator.modalities is not None:
        return inter
    blocks = list(_positions(inter.columns, modalities).values())
    return replace(inter, estimator=clone(estimator).set_params(modalities=blocks))


def _additive_baseline(inter, modalities, feature_names):
    """``(kind, specs)``: how the inter expert's additive baseline is made, and its experts.

    ``inter`` is the inter expert's spec (after :func:`_bind_modalities`),
    ``modalities`` every modality's spec (dropped ones included: their columns are
    in the inter expert's input). The specs share the inter expert's rows (see
    ``_presence.py``); LINEAR needs none.
    """
    estimator = inter.estimator
    trees = isinstance(estimator, HistGradientBoostingClassifier)
    if trees or isinstance(estimator, _InteractionLogistic):
        _check_disjoint(modalities, feature_names)
        if trees and estimator.early_stopping is not False:
            warnings.warn(
                "The inter expert is a HistGradientBoostingClassifier with early_stopping="
                f"{estimator.early_stopping!r}: its additive baseline stops at another "
                "iteration than it does, which biases the inter dependency (toward 'inter'). "
                "Pin early_stopping=False and max_iter for a like-for-like comparison.",
                UserWarning, stacklevel=3,
            )
        # Positions within the inter expert's input: its columns are the sorted union.
        sets = list(_positions(inter.columns, modalities).values())
        constrained = clone(estimator).set_params(interaction_cst=sets)
        return (INTERACTION_CST if trees else PRODUCT_TERMS), [
            _ExpertSpec(BASELINE, constrained, inter.columns, is_inter=True)]
    if _is_additive_by_construction(estimator):
        return LINEAR, []
    return PER_MODALITY, [
        _ExpertSpec(baseline_of(spec.name), clone(estimator), spec.columns, is_inter=True)
        for spec in modalities
    ]


def family_label(kind):
    """How the models of a baseline ``kind``'s family are compared: calibrated, or as fitted.

    The product-term logistic regressions are fitted on log-loss with ``C`` chosen
    on log-loss; an exponent fitted anew on a test fold of 16 events added noise
    (few-events XOR, 12 seeds: mean +0.012 nats as fitted, +0.010 calibrated, with
    a 30% larger SE), so they are compared as fitted.
    """
    return (lambda model: model) if kind == PRODUCT_TERMS else V.calibrated
