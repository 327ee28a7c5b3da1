"""Text and HTML reports of a fitted ModalityDependencyAnalyzer."""

import html

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
    return f"{n_folds} folds, {n_test} held-out predictions"


def _summary_text(analyzer):
    deps, res = analyzer.dependencies_, analyzer.results_
    chance = res.loc["chance"]
    lines = [
        "Modality dependency analysis",
        f"  {len(analyzer.classes_)} classes; {_describe_cv(analyzer)}; "
        f"{analyzer.n_expert_fits_} expert fits",
        f"  chance: log-loss {chance['log_loss']:.3f} nats, accuracy {chance['accuracy']:.3f}",
        "",
        "Intra-modality dependency (chance log-loss - expert log-loss, nats; counts when "
        "> 2 SE):",
    ]
    width = max(len(str(n)) for n in deps.index)
    for name, row in deps[deps["kind"] == "intra"].iterrows():
        acc = res.loc[f"intra: {name}", "accuracy"]
        line = (f"  {name:<{width}}  {row['dependency']:+.3f} +/- {row['se']:.3f}  "
                f"{'counts' if row['counts'] else 'does not count':<14}  accuracy {acc:.3f}")
        if "inter_reliance" in deps.columns:
            line += f"  inter relies on it: {row['inter_reliance']:+.3f}"
        lines.append(line)
    if INTER in deps.index:
        row = deps.loc[INTER]
        acc = res.loc[INTER, "accuracy"]
        lines += [
            "",
            "Inter-modality dependency (calibrated intra product log-loss - inter expert "
            "log-loss, nats):",
            f"  {INTER:<{width}}  {row['dependency']:+.3f} +/- {row['se']:.3f}  "
            f"{'counts' if row['counts'] else 'does not count':<14}  accuracy {acc:.3f}",
        ]
    lines += ["", "Models (mean over folds):"]
    table = res[["accuracy", "balanced_accuracy", "log_loss", "roc_auc"]].to_string(
        float_format=lambda v: f"{v:.3f}"
    )
    lines += ["  " + line for line in table.splitlines()]
    lines += ["", f"Regime: {analyzer.regime_} - {_REGIME_TEXT[analyzer.regime_]}"]
    recommended = analyzer.recommended_estimator()
    kept = [n for n, est, _ in recommended.experts if not (isinstance(est, str) and est == "drop")]
    if not (isinstance(recommended.inter_estimator, str) and recommended.inter_estimator == "drop"):
        kept.append(INTER)
    how = " (prior-corrected, learned weights)" if recommended.prior_correction else ""
    lines.append(f"Recommended: ProductOfExpertsClassifier with experts {kept}{how}.")
    return "\n".join(lines)


def _summary_html(analyzer):
    deps = analyzer.dependencies_.copy()
    regime = html.escape(analyzer.regime_)
    return (
        "<div class='skpoe-report'>"
        f"<h4>Modality dependency analysis: regime <code>{regime}</code></h4>"
        f"<p>{html.escape(_REGIME_TEXT[analyzer.regime_])}</p>"
        "<h5>Dependencies (nats of information about the label)</h5>"
        + deps.to_html(float_format=lambda v: f"{v:.3f}")
        + "<h5>Models (mean and SD over folds)</h5>"
        + analyzer.results_.to_html(float_format=lambda v: f"{v:.3f}")
        + "</div>"
    )
