"""Text and HTML reports of a fitted ModalityDependencyAnalyzer."""

import html

import numpy as np

from ._base import INTER

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


def _describe_events(analyzer):
    counts = analyzer.test_class_counts_
    k = int(np.argmin(counts.min(axis=0)))
    scarce = analyzer.classes_[k:k + 1].tolist()[0]
    return (f"fewest events: class {scarce!r}, {counts[:, k].min()}-{counts[:, k].max()} "
            'held-out rows per test fold; "rows a/b" below: a of the b rows hold the modality')


_BASELINE_TEXT = {
    "interaction_cst": "the same HistGradientBoosting model with interaction_cst, one "
                       "feature set per modality",
    "additive by construction": "none needed: a logistic regression is additive across "
                                "modalities, so the inter dependency is 0 by construction",
    "product of per-modality clones": "the calibrated product of clones of the inter "
                                      "expert fitted on each modality (additive only when "
                                      "modalities are independent given the label)",
}


def _summary_text(analyzer):
    deps, res = analyzer.dependencies_, analyzer.results_
    chance = res.loc["chance"]
    n_rows = analyzer._n_samples  # "rows 450/569": rows holding the modality / the table's
    cutoff = ("counts when > 1.645 SE: one-sided 5%, SE over the held-out rows, "
              f"clustered by {'group' if analyzer._grouped else 'row'}")
    inter_cutoff = (f"counts when > t(0.975, {len(analyzer.folds_) - 1}) = "
                    f"{analyzer.t_cutoff_:.2f} SE over folds, Nadeau-Bengio-corrected")
    lines = [
        "Modality dependency analysis",
        f"  {len(analyzer.classes_)} classes; {_describe_cv(analyzer)}; "
        f"{analyzer.n_expert_fits_} expert fits",
        f"  {_describe_events(analyzer)}",
        f"  chance: log-loss {chance['log_loss']:.3f} nats, accuracy {chance['accuracy']:.3f}",
        "",
        f"Intra-modality dependency (chance log-loss - calibrated expert log-loss, nats; "
        f"{cutoff}):",
    ]
    width = max(len(str(n)) for n in deps.index)
    for name, row in deps[deps["kind"] == "intra"].iterrows():
        acc = res.loc[f"intra: {name} (calibrated)", "accuracy"]
        line = (f"  {name:<{width}}  {row['dependency']:+.3f} +/- {row['se']:.3f}  "
                f"{'counts' if row['counts'] else 'does not count':<14}  accuracy {acc:.3f}  "
                f"rows {int(row['n_rows'])}/{n_rows}")
        if "inter_reliance" in deps.columns:
            line += f"  inter relies on it: {row['inter_reliance']:+.3f}"
        lines.append(line)
    if INTER in deps.index:
        row = deps.loc[INTER]
        acc = res.loc[f"{INTER} (calibrated)", "accuracy"]
        lines += [
            "",
            "Inter-modality dependency (additive baseline log-loss - inter expert log-loss, "
            f"both calibrated, nats; {inter_cutoff}):",
            f"  baseline: {_BASELINE_TEXT[analyzer.inter_baseline_]}",
            f"  {INTER:<{width}}  {row['dependency']:+.3f} +/- {row['se']:.3f}  "
            f"{'counts' if row['counts'] else 'does not count':<14}  accuracy {acc:.3f}  "
            f"rows {int(row['n_rows'])}/{n_rows}",
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
    lines += ["", "Models (mean over folds):"]
    table = res[["accuracy", "balanced_accuracy", "log_loss", "roc_auc"]].to_string(
        float_format=lambda v: f"{v:.3f}"
    )
    lines += ["  " + line for line in table.splitlines()]
    lines += ["", f"Regime: {analyzer.regime_} - {_REGIME_TEXT[analyzer.regime_]}",
              _recommended_text(analyzer), *_decision_lines(analyzer)]
    return "\n".join(lines)


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
                  "baseline (inter) log-loss minus the calibrated expert's",
    "se": "intra: standard error over the held-out rows, clustered by row or group; "
          "inter: paired over the folds, Nadeau-Bengio-corrected",
    "cutoff": "the threshold in SEs: 1.645 for intra (one-sided 5%, per-row test), "
              "t(0.975, J - 1) for inter (fold-paired)",
    "counts": "whether the dependency exceeds the cutoff times its SE",
    "accuracy_gain": "the same comparison in accuracy",
    "n_rows": "rows where the expert's modality is present (the rows it saw)",
    "inter_reliance": "how much the inter expert's log-loss grows when the modality's "
                      "columns are permuted together",
    "inter_reliance_se": "its standard error",
    "product_loss_without": "how much the calibrated product of every expert loses without "
                            "the modality (its expert left out, its block permuted for the "
                            "inter); the recommendation keeps a modality the product needs",
    "product_loss_without_se": "its standard error, paired over the folds",
}
RESULTS_LEGEND = {
    "accuracy": "share of rows whose most probable class is right (mean ± SD over folds)",
    "balanced_accuracy": "mean recall over the classes",
    "log_loss": "mean negative log-probability of the true class, nats (lower is better)",
    "roc_auc": "one-vs-rest area under the ROC curve",
}
COMPARISON_LEGEND = {
    "log_loss_gain": "calibrated product of your intra experts minus the calibrated inter "
                     "expert, nats: what early fusion adds to your experts",
    "se": "paired standard error",
    "accuracy_gain": "the same in accuracy",
}


def _summary_html(analyzer):
    from ._html import _mean_sd, _report, _svg, _table
    from ._scoring import METRICS

    regime = html.escape(analyzer.regime_)
    cutoff = (f"its cutoff: 1.645 standard errors for intra (per-row test), t(0.975, "
              f"{len(analyzer.folds_) - 1}) = {analyzer.t_cutoff_:.2f} for inter")
    sections = [
        ("Dependencies", _table(analyzer.dependencies_, DEPENDENCY_LEGEND,
                                caption=f"A dependency counts above {cutoff}.")),
    ]
    if analyzer.comparison_ is not None:
        sections.append(("Model selection (not a dependency)",
                         _table(analyzer.comparison_, COMPARISON_LEGEND)))
    sections.append(("Models (mean and SD over folds)",
                     _table(_mean_sd(analyzer.results_, METRICS), RESULTS_LEGEND)))
    lead = (f"Regime <b>{regime}</b>: {html.escape(_REGIME_TEXT[analyzer.regime_])} "
            f"{html.escape(_recommended_text(analyzer))}")
    return _report("Modality dependency analysis", lead, sections,
                   figure=_svg(lambda: analyzer.plot()))
