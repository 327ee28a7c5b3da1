"""Figures of a fitted ModalityDependencyAnalyzer (matplotlib, imported lazily)."""

import numpy as np


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot() needs matplotlib: pip install 'skpoe[plot]'"
        ) from exc
    return plt


def _figure(ax, height):
    """(figure, axes): a new 6.4-inch-wide figure of ``height`` when ``ax`` is None."""
    if ax is None:
        return _import_pyplot().subplots(figsize=(6.4, height))
    return ax.figure, ax


def _plot_dependencies(analyzer, ax=None):
    """Horizontal bars: each modality's intra dependency, then the inter dependency.

    Bars that count (mean > cutoff x SE) are solid, the others hatched; error
    bars span each row's cutoff (its ``cutoff`` column, in standard errors), the
    threshold for counting.
    """
    from ._scoring import _Z_ONE_SIDED

    deps = analyzer.dependencies_
    fig, ax = _figure(ax, 0.5 * len(deps) + 1.6)
    positions = np.arange(len(deps))[::-1]
    colors = ["tab:blue" if kind == "intra" else "tab:orange" for kind in deps["kind"]]
    bars = ax.barh(
        positions, deps["dependency"], xerr=deps["cutoff"] * deps["se"].fillna(0), color=colors,
        edgecolor="black", capsize=3,
    )
    swatches = {}  # one legend entry per look that a bar has: the legend matches the bars
    for bar, kind, counts in zip(bars, deps["kind"], deps["counts"]):
        if not counts:
            bar.set_hatch("//")
            bar.set_alpha(0.5)
        swatches.setdefault(f"{kind}, {'counts' if counts else 'does not count'}", bar)
    ax.set_yticks(positions, [f"{name} ({kind})" for name, kind in zip(deps.index, deps["kind"])])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("dependency (nats of information about the label, +/- the cutoff: "
                  f"{_Z_ONE_SIDED:.2f} SE intra, {analyzer.t_cutoff_:.2f} SE inter)")
    ax.set_title(f"Intra- and inter-modality dependencies: regime '{analyzer.regime_}'")
    ax.legend(list(swatches.values()), list(swatches), loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def _plot_groupings(comparison, ax=None):
    """Horizontal bars: each grouping's log-loss above the best one's, +/- cutoff x SE."""
    from ._scoring import _t_cutoff

    table = comparison.table_
    fig, ax = _figure(ax, 0.45 * len(table) + 1.6)
    n_folds = len(next(iter(comparison.analyzers_.values())).folds_)
    positions = np.arange(len(table))[::-1]
    colors = ["tab:green" if i == 0 else ("tab:red" if worse else "tab:gray")
              for i, worse in enumerate(table["worse_than_best"])]  # row 0: recommended
    ax.barh(positions, table["loss_vs_best"], xerr=_t_cutoff(n_folds) * table["se"],
            color=colors, edgecolor="black", capsize=3)
    lowest = positions[int(np.argmin(table["log_loss"].to_numpy()))]
    ax.plot([0], [lowest], marker="D", color="black", markersize=7, linestyle="none")
    ax.set_yticks(positions, [f"{g} ({n})" for g, n in zip(table.index,
                                                            table["n_modalities"])])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("log-loss above the lowest (nats); (n) = modalities")
    ax.set_title("Groupings of columns into modalities, recommended on top")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="tab:green", label="recommended (finest not worse)"),
                       Patch(color="tab:red", label="measurably worse"),
                       Patch(color="tab:gray", label="not distinguishable"),
                       Line2D([], [], marker="D", color="black", linestyle="none",
                              label="lowest log-loss")],
              loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


def _plot_bias(bias, ax=None):
    """Paired bars per modality: its share of the model's reliance and of the information."""
    table = bias.table_
    fig, ax = _figure(ax, 0.6 * len(table) + 1.8)
    positions = np.arange(len(table))[::-1]
    ax.barh(positions + 0.2, table["information_share"], height=0.4, color="tab:blue",
            edgecolor="black", label="information share (intra dependency)")
    ax.barh(positions - 0.2, table["reliance_share"], height=0.4, color="tab:orange",
            edgecolor="black", label="reliance share (permutation)")
    labels = [f"{m} (ratio {r:.2f})" if np.isfinite(r) else f"{m}"
              for m, r in zip(table.index, table["bias_ratio"])]
    ax.set_yticks(positions, labels)
    ax.set_xlabel("share over the modalities")
    ax.set_title("Modality bias: reliance against information")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize="small",
              frameon=False)
    fig.tight_layout()
    return fig


def _plot_pairs(analyzer, ax=None):
    """A modality x modality heatmap of what letting each pair interact adds (nats)."""
    pairs = analyzer.pairs_
    names = list(dict.fromkeys(list(pairs["modality_1"]) + list(pairs["modality_2"])))
    grid = np.full((len(names), len(names)), np.nan)
    for _, row in pairs.iterrows():
        i, j = names.index(row["modality_1"]), names.index(row["modality_2"])
        grid[i, j] = grid[j, i] = row["interaction"]
    fig, ax = _figure(ax, 0.6 * len(names) + 2.4)
    limit = max(float(np.nanmax(np.abs(grid))), 1e-3)
    image = ax.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for _, row in pairs.iterrows():
        i, j = names.index(row["modality_1"]), names.index(row["modality_2"])
        text = f"{row['interaction']:+.3f}" + ("*" if row["counts"] else "")
        for a, b in ((i, j), (j, i)):
            ax.text(b, a, text, ha="center", va="center", fontsize="small")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    fig.colorbar(image, ax=ax, label="interaction (nats; * counts)")
    ax.set_title("Which pairs of modalities interact")
    fig.tight_layout()
    return fig


def _plot_decomposition(analyzer, ax=None):
    """One stacked bar per modality (unique + redundant information) and the synergy."""
    atoms = analyzer.decomposition_
    by = {(a, m): v for a, m, v in zip(atoms["atom"], atoms["modality"], atoms["nats"])}
    names = [m for a, m in by if a == "information"]
    fig, ax = _figure(ax, 0.5 * len(names) + 2.0)
    positions = np.arange(len(names) + 1)[::-1]
    unique = np.array([by["unique", m] for m in names] + [0.0])
    redundant = np.array([by["redundancy", m] for m in names] + [0.0])
    synergy = np.array([0.0] * len(names) + [by["synergy", ""]])
    ax.barh(positions, unique, color="tab:blue", edgecolor="black", label="unique")
    ax.barh(positions, redundant, left=unique, color="tab:gray", edgecolor="black",
            label="redundant (shared)")
    ax.barh(positions, synergy, color="tab:orange", edgecolor="black", label="synergy")
    ax.set_yticks(positions, names + ["all (synergy)"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("nats of information about the label (one additive model family)")
    ax.set_title("Information decomposition")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig
