"""Text and HTML reports of a fitted ModalityDependencyAnalyzer."""

import html

import numpy as np

from .._vocabulary import (
    CALIBRATED_INTRA,
    CHANCE,
    INTER,
    PRODUCT_INTRA,
    calibrated,
    intra_model,
)
from ._additive import PRODUCT_TERMS
from ._scoring import _share, _signed

_REGIME_TEXT = {
    "intra": "each modality's own signal explains the label; the inter expert adds "
             "nothing measurable beyond independent evidence. Model the intra experts.",
    "inter": "no modality predicts the label alone, but together they do: the label lives "
             "in interactions between modalities. Model them jointly (the inter expert).",
    "both": "modalities predict the label alone and their interactions add more. Model "
            "both: the product of intra and inter experts (I2M2).",
    "neither": "no dependency is measurably above the noise of cross-validation. Collect "
               "more data or revisit the modalities before modelling.",
}


def _describe_cv(analyzer):
    n_folds = len(analyzer.folds_)
    n_test = sum(len(fold.test) for fold in analyzer.folds_)
    return f"{n_folds} folds, {n_test} held-out predictions of {analyzer._n_samples} rows"


def _describe_design(analyzer):
    """How the folds were drawn and how many rows lack each modality, in one line."""
    from numbers import Integral

    if isinstance(analyzer.cv, Integral):
        design = f"{analyzer.cv}-fold stratified CV"
        if analyzer.n_repeats > 1:
            design += f", repeated {analyzer.n_repeats} times on new shuffles"
    else:
        design = f"cv={analyzer.cv!r}"
    if analyzer._grouped:
        design += (f"; grouped: {len(np.unique(analyzer._clusters))} groups, none on both "
                   "sides of a fold")
    deps = analyzer.dependencies_
    lacking = [(name, analyzer._n_samples - int(row["n_rows"]))
               for name, row in deps[deps["kind"] == "intra"].iterrows()]
    lacking = [f"{name} {n} ({n / analyzer._n_samples:.0%})" for name, n in lacking if n]
    if lacking:
        design += "; rows lacking a modality: " + ", ".join(lacking)
    return design


def _class_shares(analyzer):
    counts = analyzer.test_class_counts_.sum(axis=0)
    return counts / counts.sum()


def _headline(analyzer):
    """(metric, its name): ROC AUC when a class is rare (accuracy says little there)."""
    if _class_shares(analyzer).min() < 0.3:
        return "roc_auc", "ROC AUC"
    return "accuracy", "accuracy"


def _describe_events(analyzer):
    """The scarcest class's held-out rows per fold, and a note when classes are imbalanced."""
    counts = analyzer.test_class_counts_
    k = int(np.argmin(counts.min(axis=0)))
    scarce = analyzer.classes_[k:k + 1].tolist()[0]
    sentences = [f"fewest events: class {scarce!r}, {counts[:, k].min()}-{counts[:, k].max()} "
                 "held-out rows per test fold"]
    if _headline(analyzer)[0] == "roc_auc":
        sentences.append(f"imbalanced classes ({_class_shares(analyzer)[k]:.0%} of class "
                         f"{scarce!r}): read log-loss and ROC AUC; accuracy stays near "
                         "chance's whatever the model")
    return sentences


_NEXT = "Next: model = analyzer.recommended_estimator().fit(X, y)"


_BASELINE_TEXT = {
    PRODUCT_TERMS: "the same logistic regression without the products of columns of "
                   "different modalities (interaction_cst, one set per modality)",
    "interaction_cst": "the same HistGradientBoosting model with interaction_cst, one "
                       "feature set per modality",
    "additive by construction": "none needed: a logistic regression is additive across "
                                "modalities, so the inter dependency is 0 by construction",
    "product of per-modality clones": "the calibrated product of clones of the inter "
                                      "expert fitted on each modality (additive only when "
                                      "modalities are independent given the label)",
}


def _compared(analyzer):
    """How the inter family's models enter its comparisons (``_interactions.family_label``)."""
    if analyzer.inter_baseline_ == PRODUCT_TERMS:
        return "as fitted"
    return "calibrated"


def _inter_cutoff(analyzer):
    """Which test the inter dependency had, and why (see ``_study._dependencies``)."""
    if analyzer.inter_baseline_ == PRODUCT_TERMS:
        return ("counts when > 1.645 SE: one-sided 5%, SE over the held-out rows: the "
                "baseline is nested in the inter expert and both are ridge-penalised, so "
                "the per-row test is valid")
    return (f"counts when > t(0.975, {len(analyzer.folds_) - 1}) = "
            f"{analyzer.t_cutoff_:.2f} SE over folds, Nadeau-Bengio-corrected")


def _summary_text(analyzer):
    deps, res = analyzer.dependencies_, analyzer.results_
    chance = res.loc[CHANCE]
    n_rows = analyzer._n_samples  # "rows 450/569": rows holding the modality / the table's
    metric, metric_name = _headline(analyzer)
    cutoff = ("counts when > 1.645 SE: one-sided 5%, SE over the held-out rows, "
              f"clustered by {'group' if analyzer._grouped else 'row'}")
    inter_cutoff = _inter_cutoff(analyzer)
    lines = [
        "Modality dependency analysis",
        f"  {len(analyzer.classes_)} classes; {_describe_cv(analyzer)}; "
        f"{analyzer.n_expert_fits_} expert fits",
        f"  design: {_describe_design(analyzer)}",
        *(f"  {sentence}" for sentence in _describe_events(analyzer)),
        '  "rows a/b" below: a of the table\'s b rows hold the modality',
        f"  chance: log-loss {chance['log_loss']:.3f} nats (what there is to learn about the "
        f"label), {metric_name} {chance[metric]:.3f}",
        "",
        f"Intra-modality dependency (chance log-loss - calibrated expert log-loss, nats, and "
        f"its share of chance's; {cutoff}):",
    ]
    width = max(len(str(n)) for n in deps.index)
    for name, row in deps[deps["kind"] == "intra"].iterrows():
        value = res.loc[calibrated(intra_model(name)), metric]
        line = (f"  {name:<{width}}  {_signed(row['dependency'])} +/- {row['se']:.3f}  "
                f"{_share(row['dependency'], chance['log_loss']):>4}  "
                f"{'counts' if row['counts'] else 'does not count':<14}  "
                f"{metric_name} {value:.3f}  rows {int(row['n_rows'])}/{n_rows}")
        if "inter_reliance" in deps.columns:
            line += f"  inter relies on it: {row['inter_reliance']:+.3f}"
        lines.append(line)
    if INTER in deps.index:
        row = deps.loc[INTER]
        value = res.loc[calibrated(INTER), metric]
        lines += [
            "",
            "Inter-modality dependency (additive baseline log-loss - inter expert log-loss, "
            f"both {_compared(analyzer)}, nats; {inter_cutoff}):",
            f"  baseline: {_BASELINE_TEXT[analyzer.inter_baseline_]}",
            f"  {INTER:<{width}}  {_signed(row['dependency'])} +/- {row['se']:.3f}  "
            f"{_share(row['dependency'], chance['log_loss']):>4}  "
            f"{'counts' if row['counts'] else 'does not count':<14}  {metric_name} "
            f"{value:.3f}  rows {int(row['n_rows'])}/{n_rows}",
        ]
        comp = analyzer.comparison_.iloc[0]
        lines += [
            "",
            "Model selection (not a dependency; not used for the regime): the inter expert "
            "against the",
            f"  calibrated product of your intra experts: log-loss gain "
            f"{comp['log_loss_gain']:+.3f} +/- {comp['se']:.3f}, accuracy gain "
            f"{comp['accuracy_gain']:+.3f}",
        ]
    lines += _interaction_lines(analyzer)
    lines += ["", "Models (mean over folds):"]
    table = res[_RESULT_ORDER].to_string(float_format=lambda v: f"{v:.3f}")
    lines += ["  " + line for line in table.splitlines()]
    lines += ["", f"Regime: {analyzer.regime_} - {_REGIME_TEXT[analyzer.regime_]}",
              _recommended_text(analyzer), *_decision_lines(analyzer), _NEXT]
    return "\n".join(lines)


def _pairs_sentence(pairs):
    """"a x b interact: +0.040 +/- 0.010 nats; the other pairs do not."""
    found = pairs[pairs["counts"]]
    if found.empty:
        return "No pair of modalities interacts measurably."
    said = "; ".join(f"{pair} interact: {_signed(row['interaction'])} +/- {row['se']:.3f} nats"
                     for pair, row in found.iterrows())
    return said + ("; the other pairs do not." if len(found) < len(pairs) else ".")


def _redundancy_sentence(analyzer):
    """What the plain product makes of shared information, with the numbers."""
    atoms = analyzer.decomposition_
    shared = atoms.loc[atoms["atom"] == "redundancy", "nats"].max()
    res = analyzer.results_
    return (f"Redundancy: up to {_signed(shared)} nats of a modality's information is shared "
            "with the others; the plain product counts it once per expert (product(intra) "
            f"log-loss {res.loc[PRODUCT_INTRA, 'log_loss']:.3f} against "
            f"{res.loc[CALIBRATED_INTRA, 'log_loss']:.3f} calibrated), which is why learned "
            "exponents or calibration matter.")


def _interaction_lines(analyzer):
    lines = []
    if analyzer.pairs_ is not None:
        width = max(len(str(p)) for p in analyzer.pairs_.index)
        pair_cutoff = analyzer.pairs_["cutoff"].iloc[0]
        test = "per-row" if analyzer.inter_baseline_ == PRODUCT_TERMS else "t"
        lines += ["", "Pairs of modalities (additive baseline log-loss - the same model with "
                  f"the pair merged, {_compared(analyzer)}, nats; counts when > "
                  f"{pair_cutoff:.2f} SE: {test} cutoff, Bonferroni over the "
                  f"{len(analyzer.pairs_)} pairs):"]
        lines += [f"  {pair:<{width}}  {_signed(row['interaction'])} +/- {row['se']:.3f}  "
                  f"{'counts' if row['counts'] else 'does not count'}"
                  for pair, row in analyzer.pairs_.iterrows()]
        lines.append(f"  {_pairs_sentence(analyzer.pairs_)}")
    if analyzer.decomposition_ is not None:
        lines += ["", "Information decomposition (one additive model family on the same "
                  f"folds, {_compared(analyzer)}, nats):"]
        lines += [f"  {row['atom']:<11} {str(row['modality']):<12} {_signed(row['nats'])} "
                  f"+/- {row['se']:.3f}" for _, row in analyzer.decomposition_.iterrows()]
        lines.append(f"  {_redundancy_sentence(analyzer)}")
    return lines


# log-loss and ROC AUC first: they mean something whatever the class balance
_RESULT_ORDER = ["log_loss", "roc_auc", "balanced_accuracy", "accuracy"]


def _recommended_text(analyzer):
    recommended = analyzer.recommended_estimator()
    kept = [n for n, est, _ in recommended.experts if not (isinstance(est, str) and est == "drop")]
    if not (isinstance(recommended.inter_estimator, str) and recommended.inter_estimator == "drop"):
        kept.append(INTER)
    how = " (prior-corrected, learned weights)" if recommended.prior_correction else ""
    return f"Recommended: ProductOfExpertsClassifier with experts {kept}{how}."


def _decision_lines(analyzer):
    decisions = analyzer._decisions()
    width = max(len(str(name)) for name in decisions)
    return [f"  {name:<{width}}  {why}" for name, (_, why) in decisions.items()]


DEPENDENCY_LEGEND = {
    "kind": "intra: one modality alone; inter: what combining modalities adds",
    "dependency": "nats of information about the label: chance (intra) or the additive "
                  "baseline (inter) log-loss minus the calibrated expert's, ± its standard "
                  "error (intra, and inter with the product-term logistic regression: over the "
                  "held-out rows, clustered by row or group; inter otherwise: paired over "
                  "the folds, Nadeau-Bengio-corrected)",
    "share_of_chance": "the dependency as a share of chance's log-loss (the label's "
                       "entropy): how much of what there is to know",
    "cutoff": "the threshold in SEs: 1.645 for intra (one-sided 5%, per-row test), "
              "t(0.975, J - 1) for inter (fold-paired), 1.645 for inter with "
              "the product-term logistic regression (per-row)",
    "counts": "whether the dependency exceeds the cutoff times its SE",
    "n_rows": "rows where the expert's modality is present (the rows it saw)",
    "inter_reliance": "how much the inter expert's log-loss grows when the modality's "
                      "columns are permuted together, ± its paired standard error",
    "product_loss_without": "how much the calibrated product of every expert loses without "
                            "the modality (its expert left out, its block permuted for the "
                            "inter), ± its paired standard error; the recommendation keeps a "
                            "modality the product needs",
}
RESULTS_LEGEND = {
    "accuracy": "share of rows whose most probable class is right (mean ± SD over folds)",
    "balanced_accuracy": "mean recall over the classes",
    "log_loss": "mean negative log-probability of the true class, nats (lower is better)",
    "roc_auc": "one-vs-rest area under the ROC curve",
}
PAIRS_LEGEND = {
    "interaction": "additive baseline log-loss minus the same model with the two "
                   "modalities merged into one interaction_cst set, calibrated (as fitted "
                   "for the product-term logistic regression), nats",
    "se": "paired standard error over the folds (Nadeau-Bengio); over the held-out rows "
          "for the product-term logistic regression",
    "cutoff": "t(1 - 0.025 / m, J - 1) for m pairs (Bonferroni; z(1 - 0.05 / m) for the "
              "product-term logistic regression): the map as a whole claims a false pair "
              "in at most 5% of studies",
    "counts": "whether the interaction exceeds the cutoff times its SE",
}
DECOMPOSITION_LEGEND = {
    "atom": "information: chance minus the model on the modality alone; unique: what it "
            "adds to the others without interacting; redundancy: information minus unique "
            "(shared with the others); synergy: the inter dependency; total: chance minus "
            "the inter expert",
    "nats": "the atom, from calibrated log-losses of one additive model family",
    "se": "paired standard error over the folds",
    "counts": "whether it exceeds t(0.975, J - 1) standard errors",
}
COMPARISON_LEGEND = {
    "log_loss_gain": "calibrated product of your intra experts minus the calibrated inter "
                     "expert, nats: what early fusion adds to your experts",
    "se": "paired standard error",
    "accuracy_gain": "the same in accuracy",
}


def _dependency_view(analyzer):
    """The dependencies as the report shows them: each estimate with its SE in one cell."""
    import pandas as pd

    deps = analyzer.dependencies_
    chance = analyzer.results_.loc[CHANCE, "log_loss"]

    def with_se(column, se):
        return [f"{_signed(v)} ± {s:.3f}" if np.isfinite(s) else ("" if np.isnan(v) else
                                                                _signed(v))
                for v, s in zip(deps[column], deps[se])]

    view = pd.DataFrame({
        "kind": deps["kind"], "dependency": with_se("dependency", "se"),
        "share_of_chance": [_share(v, chance) for v in deps["dependency"]],
        "cutoff": deps["cutoff"], "counts": deps["counts"], "n_rows": deps["n_rows"],
    }, index=deps.index)
    for column in ("inter_reliance", "product_loss_without"):
        if column in deps.columns:
            view[column] = with_se(column, f"{column}_se")
    return view


def _summary_html(analyzer):
    from ._html import _mean_sd, _report, _svg, _table

    regime = html.escape(analyzer.regime_)
    cutoff = ("its cutoff: 1.645 standard errors for intra (per-row test), "
              + ("1.645 for inter (per-row test)" if analyzer.inter_baseline_ == PRODUCT_TERMS
                 else f"t(0.975, {len(analyzer.folds_) - 1}) = {analyzer.t_cutoff_:.2f} "
                 "for inter"))
    sections = [
        ("Dependencies", _table(_dependency_view(analyzer), DEPENDENCY_LEGEND,
                                caption=f"A dependency counts above {cutoff}.")),
    ]
    if analyzer.comparison_ is not None:
        sections.append(("Model selection (not a dependency)",
                         _table(analyzer.comparison_, COMPARISON_LEGEND)))
    if analyzer.pairs_ is not None:
        sections.append(("Pairs of modalities", _table(
            analyzer.pairs_, PAIRS_LEGEND, caption=_pairs_sentence(analyzer.pairs_))))
    if analyzer.decomposition_ is not None:
        sections.append(("Information decomposition", _table(
            analyzer.decomposition_, DECOMPOSITION_LEGEND,
            caption=_redundancy_sentence(analyzer))))
    sections.append(("Models (mean and SD over folds)",
                     _table(_mean_sd(analyzer.results_, _RESULT_ORDER), RESULTS_LEGEND)))
    reasons = "".join(f"<li><b>{html.escape(str(name))}</b> {html.escape(why)}</li>"
                      for name, (_, why) in analyzer._decisions().items())
    lead = (f"Regime <b>{regime}</b>: {html.escape(_REGIME_TEXT[analyzer.regime_])} "
            f"{html.escape(_recommended_text(analyzer))}<ul>{reasons}</ul>"
            f"<code>{html.escape(_NEXT[len('Next: '):])}</code><br>"
            f"<small>Design: {html.escape(_describe_design(analyzer))}. "
            f"{html.escape('; '.join(_describe_events(analyzer)))}.</small>")
    return _report("Modality dependency analysis", lead, sections,
                   figure=_svg(lambda: analyzer.plot()))
