"""The study engine: plan the (fold, expert) fits of an analysis, run them, score every model.

Every study is the same three steps, so that the analyzer, the grouping comparison
and the bias analysis share them, and a new study adds experts to a plan instead
of reaching into the analyzer:

1. :func:`plan_study` turns validated input and an analysis's parameters into a
   :class:`StudyPlan`: the experts with resolved columns, the rows each one sees
   (the presence rule), the folds, the additive baseline and the job list. It
   writes no estimator state.
2. :func:`run_study` fits every (fold, expert) job in one joblib call and returns
   the out-of-fold log-probabilities (``_oof.py``).
3. :func:`score_study` calibrates every model of the vocabulary on the other
   folds and scores it on each fold; it returns the fitted state of an analysis
   (``folds_``, ``results_``, ``dependencies_``, ...) as a dict.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.utils import Bunch

from .. import _vocabulary as V
from .._engine._combine import _normalised_product
from .._engine._exponents import _cross_fitted, _fit_exponents
from .._engine._oof import _check_folds_hold_classes, _cross_fit, _make_splits, _test_class_counts
from .._engine._presence import _expert_rows, _row_mask
from .._engine._prior import _class_log_prior
from .._engine._seeds import _draw_seeds
from .._engine._spec import _Context, _modality_of
from .._engine._validation import _check_floor
from ._additive import (
    CONSTRAINED,
    LINEAR,
    PRODUCT_TERMS,
    _additive_baseline,
    _bind_modalities,
    _positions,
    family_label,
)
from ._clusters import _warn_if_clustered
from ._interactions import (
    PAIR_LIMIT,
    decomposition_specs,
    decomposition_table,
    pair_specs,
    pairs_table,
)
from ._scoring import (
    _Z_ONE_SIDED,
    METRICS,
    _beyond,
    _fold_metrics,
    _paired_se,
    _per_row_se,
    _t_cutoff,
)


@dataclass(frozen=True)
class StudyPlan:
    """What a study fits: the validated input, its folds and its (fold, expert) jobs.

    ``specs`` are the experts to fit (intra, inter, baselines), ``rows`` the rows
    each sees (None: all), ``blocks`` the column blocks of an expert to permute
    at scoring time, ``splits`` the (train, test) folds.
    """

    X: object
    y: np.ndarray
    classes: np.ndarray
    feature_names: object
    context: _Context
    modality_columns: dict
    intra: list
    baselines: list
    inter_baseline: object
    specs: list
    rows: dict
    blocks: dict
    splits: list
    seed: int
    groups: object
    test_counts: np.ndarray
    pairs: list
    decomposed: list
    additive: list

    @property
    def has_inter(self):
        return self.inter_baseline is not None

    @property
    def ablated(self):
        """Modalities whose removal from the full product is scored: every intra one, when
        the full product has another expert to fall back on."""
        return self.intra if len(self.intra) + self.has_inter > 1 else []

    @property
    def models(self):
        """Each scored model -> (its experts, whether calibrated): see ``_vocabulary``."""
        return V.models(self.intra, self.baselines, self.has_inter, self.ablated,
                        self.additive)


def plan_study(params, X, y, classes, feature_names=None, groups=None, splits=None):
    """Plan an analysis of (X, y) with the parameters of ``params`` (an analyzer).

    ``X`` is validated and ``y`` encoded (codes into ``classes``). ``splits`` (a
    list of (train, test)) replaces the folds of ``params.cv``, so that several
    analyses can share folds and one job list (``compare_groupings``). Every check
    that can fail (columns, missing values, classes in folds) runs here, before
    any fit.
    """
    _check_floor(params.proba_floor, classes)
    plan = params._expert_plan(X, X.shape[1], feature_names)
    modalities, inter = plan[:-1], (None if plan[-1].dropped else plan[-1])
    intra = [spec for spec in modalities if not spec.dropped]
    if not intra:
        raise ValueError(
            "Every intra expert is 'drop': the analysis needs at least one modality's "
            "expert."
        )
    presence, rows = _expert_rows(X, plan, feature_names, params.missing_modality)
    if inter is not None:
        # The inter dependency compares the inter expert with its additive baseline
        # where every modality is present: on rows lacking one, the free model can
        # learn that a modality acts differently when another is missing, an
        # interaction with missingness that the baseline cannot fit and that would
        # read as one between modalities (+0.005 nats on additive data, b absent
        # in 25% of the rows). So both train and are scored on the complete rows.
        complete = ~presence.absent.any(axis=1)
        rows[V.INTER] = None if complete.all() else complete
    if groups is None:
        _warn_if_clustered(X, modalities, rows)
    else:
        groups = np.asarray(groups)
    seed = _draw_seeds(params.random_state)
    if splits is None:
        splits = _make_splits(params.cv, y, groups,
                              None if params.random_state is None else seed, params.n_repeats)
    if len(splits) < 2:
        raise ValueError(
            f"cv gave {len(splits)} split(s): the analysis compares models fold by fold "
            "(a paired standard error), which needs at least 2 folds. Pass cv=5, or "
            "more (train, test) splits."
        )
    specs, blocks, baseline, kind = list(intra), {}, [], None
    if inter is not None:
        inter = _bind_modalities(inter, modalities)
        kind, baseline = _additive_baseline(inter, modalities, feature_names)
        for spec in baseline:
            rows[spec.name] = rows[V.INTER]
        specs += [inter] + baseline
        blocks = {V.INTER: _positions(inter.columns, modalities)}
    pairs, decomposed, additive = _interaction_specs(params, inter, kind, modalities)
    for spec in additive:
        rows[spec.name] = rows[V.INTER]
    specs += additive
    _check_folds_hold_classes(splits, y, classes, rows, specs)
    return StudyPlan(
        X=X, y=y, classes=classes, feature_names=feature_names,
        context=_Context(len(classes), params.proba_floor, _modality_of(plan)),
        modality_columns={spec.name: spec.columns for spec in modalities},
        intra=[spec.name for spec in intra], baselines=[spec.name for spec in baseline],
        inter_baseline=kind, specs=specs, rows=rows, blocks=blocks, splits=splits, seed=seed,
        groups=groups,
        test_counts=_test_class_counts(splits, y, classes),  # warns of scarce events
        pairs=pairs, decomposed=decomposed, additive=[spec.name for spec in additive],
    )


def _interaction_specs(params, inter, kind, modalities):
    """``(pairs, decomposed modalities, their additive experts)`` that ``params`` asks for.

    Both need the inter expert's own additive family (``interaction_cst``); the
    pairwise map needs three modalities or more (with two, the one pair is the
    inter dependency). ``pairs="auto"`` maps 3 to 5 modalities (at most
    ``PAIR_LIMIT`` extra fits per fold).
    """
    asked_pairs = getattr(params, "pairs", False)
    asked_decomposition = getattr(params, "decomposition", False)
    if kind not in CONSTRAINED:
        if asked_pairs is True or asked_decomposition:
            raise ValueError(
                "pairs=True and decomposition=True compare additive models of the inter "
                "expert's own family: they need a HistGradientBoostingClassifier inter "
                "expert or the command line's product-term logistic regression "
                f"(interaction_cst); the inter expert here is "
                f"{'dropped' if inter is None else type(inter.estimator).__name__}."
            )
        return [], [], []
    n = len(modalities)
    if asked_pairs == "auto":
        asked_pairs = 3 <= n and n * (n - 1) // 2 <= PAIR_LIMIT
    by_pair = pair_specs(inter, modalities) if asked_pairs and n >= 3 else {}
    specs = list(by_pair.values())
    decomposed = [spec.name for spec in modalities] if asked_decomposition else []
    if decomposed:
        specs += decomposition_specs(inter, modalities)
    return list(by_pair), decomposed, specs


def run_study(plan, *, n_jobs=None, verbose=0):
    """Every (fold, expert) fit of the plan: per fold, expert name -> (log_proba, permuted)."""
    return _cross_fit(
        plan.specs, plan.X, plan.y, plan.splits, plan.rows, plan.context,
        blocks=plan.blocks, seed=plan.seed, n_jobs=n_jobs, verbose=verbose,
    )


def score_study(plan, outputs):
    """The fitted state of an analysis from its plan and out-of-fold outputs.

    Returns a dict of attribute name -> value: ``n_features_in_`` (and
    ``feature_names_in_`` of a frame), ``classes_``, ``folds_``,
    ``fold_scores_``, ``results_``, ``dependencies_``, ``comparison_``,
    ``regime_``, ``t_cutoff_``, ``inter_baseline_``, ``modality_columns_``,
    ``n_expert_fits_``, ``test_class_counts_``, and the private ``_intra_names``,
    ``_baseline_names``, ``_clusters``, ``_grouped``, ``_n_rows``, ``_n_samples``,
    ``_models``.
    """
    y, n = plan.y, len(plan.y)
    folds = []
    for (train, test), fold_out in zip(plan.splits, outputs):
        folds.append(Bunch(
            test=test,
            log_proba={name: lp for name, (lp, _) in fold_out.items()},
            present={spec.name: _row_mask(plan.rows.get(spec.name), n)[test]
                     for spec in plan.specs},
            permuted=fold_out[V.INTER][1] if V.INTER in fold_out else {},
            log_prior=_class_log_prior(y[train], len(plan.classes), plan.context.floor),
            test_train_ratio=len(test) / len(train),
        ))
    _calibrate(plan, folds)
    # the units of evidence of the per-row test: rows, or groups (patients)
    clusters = np.arange(n) if plan.groups is None else plan.groups
    fold_scores, row_losses = _fold_scores(plan, folds)
    scores = _Scores(fold_scores, folds, clusters, row_losses)
    n_rows = {name: int(n if r is None else r.sum()) for name, r in plan.rows.items()}
    dependencies = _dependencies(plan, scores, n_rows)
    state = {} if plan.feature_names is None else {"feature_names_in_": plan.feature_names}
    return {
        **state, "n_features_in_": plan.X.shape[1], "classes_": plan.classes,
        "folds_": folds, "fold_scores_": fold_scores,
        "results_": _results(fold_scores), "dependencies_": dependencies,
        "comparison_": _comparison(plan, scores), "t_cutoff_": scores.t_cutoff,
        "regime_": V.regime(dependencies.loc[dependencies["kind"] == "intra", "counts"].any(),
                            dependencies.loc[dependencies["kind"] == V.INTER, "counts"].any()),
        "inter_baseline_": plan.inter_baseline, "modality_columns_": plan.modality_columns,
        "n_expert_fits_": len(plan.specs) * len(plan.splits),
        "test_class_counts_": plan.test_counts,
        "_intra_names": plan.intra, "_baseline_names": plan.baselines,
        "_clusters": clusters, "_grouped": plan.groups is not None, "_n_rows": n_rows,
        "_n_samples": n, "_models": plan.models,
        "pairs_": (pairs_table(plan.pairs, scores, plan.inter_baseline) if plan.pairs
                   else None),
        "decomposition_": (decomposition_table(plan.decomposed, scores, plan.inter_baseline)
                           if plan.decomposed else None),
    }


def _fold_inputs(fold):
    """A fold's log-probabilities and presence masks, the permuted inter expert included."""
    log_proba, present = dict(fold.log_proba), dict(fold.present)
    for name, permuted in fold.permuted.items():
        log_proba[V.permuted_inter(name)] = permuted
        present[V.permuted_inter(name)] = fold.present[V.INTER]
    return log_proba, present


def _calibrate(plan, folds):
    """Fit each calibrated model's exponents on every fold, and cross-fit them."""
    calibrated = {m: names for m, (names, cal) in plan.models.items() if cal}
    inputs = [_fold_inputs(fold) for fold in folds]
    tests = [fold.test for fold in folds]
    for fold in folds:
        fold.calibration = {}
    for m, names in calibrated.items():
        per_fold = [
            _fit_exponents(
                [log_proba[n] for n in names], plan.y[fold.test], fold.log_prior,
                present=np.column_stack([present[n] for n in names]),
            )
            for fold, (log_proba, present) in zip(folds, inputs)
        ]
        for fold, weights in zip(folds, _cross_fitted(per_fold, tests)):
            fold.calibration[m] = weights


def _fold_models(models, fold):
    """Every model's log-probabilities on one fold's test rows, by model name.

    ``models`` maps each model to (its experts, whether calibrated), as
    :attr:`StudyPlan.models`.
    """
    log_proba, present = _fold_inputs(fold)
    out = {}
    for model, (names, calibrated) in models.items():
        if not names:  # chance, normalised as every product is
            out[model] = np.tile(fold.log_prior - logsumexp(fold.log_prior),
                                    (len(fold.test), 1))
            continue
        out[model] = _normalised_product(
            [log_proba[n] for n in names],
            fold.calibration[model] if calibrated else None,
            fold.log_prior,
            np.column_stack([present[n] for n in names]),
            correct_prior=calibrated,
        )
    return out


def _fold_scores(plan, folds):
    """Every model's metrics on every fold (long format), and the per-row losses of the
    models the per-row test reads (chance, each calibrated intra expert, and the inter
    expert, its baseline and the pair models of a PRODUCT_TERMS baseline)."""
    rows = []
    tested = [V.CHANCE] + [V.calibrated(V.intra_model(name)) for name in plan.intra]
    if plan.inter_baseline == PRODUCT_TERMS:  # per-row, as fitted (family_label)
        tested += [V.BASELINE, V.INTER] + [V.pair_model(a, b) for a, b in plan.pairs]
    row_losses = {model: [] for model in tested}
    models = plan.models
    for f, fold in enumerate(folds):
        y_test = plan.y[fold.test]
        for model, log_proba in _fold_models(models, fold).items():
            rows.append({"model": model, "fold": f, **_fold_metrics(log_proba, y_test)})
            if model in row_losses:
                row_losses[model].append(-log_proba[np.arange(len(y_test)), y_test])
    return pd.DataFrame(rows), {m: np.concatenate(v) for m, v in row_losses.items()}


def _results(fold_scores):
    """Each model's mean and SD of every metric over the folds, in the models' order."""
    order = list(dict.fromkeys(fold_scores["model"]))
    grouped = fold_scores.groupby("model", sort=False)[list(METRICS)]
    means, sds = grouped.mean(), grouped.std(ddof=1).add_suffix("_sd")
    columns = [c for m in METRICS for c in (m, f"{m}_sd")]
    return means.join(sds)[columns].loc[order]


class _Scores:
    """Paired comparisons of a study's models: over folds, or over held-out rows."""

    def __init__(self, fold_scores, folds, clusters, row_losses):
        self.fold_scores, self.folds, self.row_losses = fold_scores, folds, row_losses
        self.n_folds = len(folds)
        self.t_cutoff = _t_cutoff(self.n_folds)
        self.clusters = np.concatenate([clusters[fold.test] for fold in folds])

    def per_fold(self, model, metric="log_loss"):
        scores = self.fold_scores[self.fold_scores["model"] == model]
        return scores.sort_values("fold")[metric].to_numpy()

    def gain(self, baseline, model, metric="log_loss"):
        """Mean and paired SE over folds of ``model``'s improvement on ``baseline``.

        For log-loss the improvement is baseline minus model; for accuracy, model
        minus baseline.
        """
        diff = self.per_fold(baseline, metric) - self.per_fold(model, metric)
        if metric != "log_loss":
            diff = -diff
        return paired_difference(self.folds, diff)

    def combination(self, terms, metric="log_loss"):
        """Mean and paired SE over folds of ``sum(coef * model's score)``, ``terms`` a dict
        of model -> coef (an atom of the decomposition)."""
        per_fold = sum(coef * self.per_fold(model, metric) for model, coef in terms.items())
        return paired_difference(self.folds, per_fold)

    def row_gain(self, baseline, model):
        """Mean and clustered per-row SE of ``model``'s log-loss gain on ``baseline``."""
        diff = self.row_losses[baseline] - self.row_losses[model]
        return float(np.mean(diff)), _per_row_se(diff, self.clusters)


def _dependencies(plan, scores, n_rows):
    rows = {}
    for name in plan.intra:
        model = V.calibrated(V.intra_model(name))
        # Per-row test (see _scoring.py): sharper than the fold-paired one, and
        # valid for intra experts in every planted null we simulated.
        dep, se = scores.row_gain(V.CHANCE, model)
        row = {"kind": "intra", "dependency": dep, "se": se, "cutoff": _Z_ONE_SIDED,
               "accuracy_gain": scores.gain(V.CHANCE, model, "accuracy")[0],
               "n_rows": n_rows[name]}
        # The models on the right lose information: their gain is negative.
        if plan.has_inter:
            reliance, reliance_se = scores.gain(V.permuted_inter(name), V.INTER)
            row.update(inter_reliance=reliance, inter_reliance_se=reliance_se)
        if name in plan.ablated:
            without, without_se = scores.gain(V.calibrated(V.product_without(name)),
                                              V.full_product(plan.has_inter))
            row.update(product_loss_without=without, product_loss_without_se=without_se)
        rows[name] = row
    if plan.has_inter:
        cutoff, label = scores.t_cutoff, family_label(plan.inter_baseline)
        if plan.inter_baseline == LINEAR:
            dep, se, acc = 0.0, np.nan, 0.0
        else:
            pair = label(V.BASELINE), label(V.INTER)
            if plan.inter_baseline == PRODUCT_TERMS:
                # Nested and ridge-penalised, so stable (Bayle et al. 2020): the
                # per-row test holds its 5% on every planted null (the comparison
                # is conservative there, -0.005 to -0.04 nats). Boosted trees at
                # pinned capacity are neither: for them it claimed 7 false
                # interactions in 16 (noise-third), so they keep the fold-paired
                # test.
                (dep, se), cutoff = scores.row_gain(*pair), _Z_ONE_SIDED
            else:
                dep, se = scores.gain(*pair)
            acc = scores.gain(*pair, "accuracy")[0]
        rows[V.INTER] = {"kind": V.INTER, "dependency": dep, "se": se,
                         "cutoff": cutoff, "accuracy_gain": acc,
                         "n_rows": n_rows[V.INTER]}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(4, "counts", _beyond(table["dependency"], table["se"], table["cutoff"]))
    table.index.name = "expert"
    return table


def _comparison(plan, scores):
    if not plan.has_inter:
        return None
    inter = V.calibrated(V.INTER)
    gain, se = scores.gain(V.CALIBRATED_INTRA, inter)
    return pd.DataFrame(
        {"log_loss_gain": [gain], "se": [se],
         "accuracy_gain": [scores.gain(V.CALIBRATED_INTRA, inter, "accuracy")[0]]},
        index=pd.Index([V.COMPARISON], name="comparison"),
    )


def paired_difference(folds, per_fold):
    """Mean and paired SE over ``folds`` of a per-fold difference (corrected for CV)."""
    ratio = float(np.mean([fold.test_train_ratio for fold in folds]))
    return float(np.mean(per_fold)), _paired_se(per_fold, ratio)
