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


def _plot_dependencies(analyzer, ax=None):
    """Horizontal bars: each modality's intra dependency, then the inter dependency.

    Bars that count (mean > t cutoff x SE) are solid, the others hatched; error
    bars span the cutoff (``t_cutoff_`` standard errors), the threshold for counting.
    """
    plt = _import_pyplot()
    deps = analyzer.dependencies_
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 0.5 * len(deps) + 1.6))
    else:
        fig = ax.figure
    positions = np.arange(len(deps))[::-1]
    colors = ["tab:blue" if kind == "intra" else "tab:orange" for kind in deps["kind"]]
    bars = ax.barh(
        positions, deps["dependency"], xerr=analyzer.t_cutoff_ * deps["se"].fillna(0), color=colors,
        edgecolor="black", capsize=3,
    )
    for bar, counts in zip(bars, deps["counts"]):
        if not counts:
            bar.set_hatch("//")
            bar.set_alpha(0.5)
    ax.set_yticks(positions, [f"{name} ({kind})" for name, kind in zip(deps.index, deps["kind"])])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("dependency (nats of information about the label, "
                  f"+/- {analyzer.t_cutoff_:.2f} SE)")
    ax.set_title(f"Intra- and inter-modality dependencies: regime '{analyzer.regime_}'")
    fig.tight_layout()
    return fig
