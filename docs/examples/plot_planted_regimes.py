"""
Three regimes of modality dependency, planted
==============================================

The I2M2 blog post places datasets by how strong their intra-modality and
inter-modality dependencies are. Here three planted datasets land in three
regimes: redundant modalities (each alone predicts the label: *intra*), an XOR
of two modalities (each alone at chance, jointly perfect: *inter*), and an
informative modality beside a pure-noise one (*intra*, with the noise modality's
dependency not counting).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer
from skpoe.datasets import make_planted_modalities

fig, axes = plt.subplots(1, 3, figsize=(15, 3.2))
for ax, kind in zip(axes, ["redundant", "xor", "noise"]):
    data = make_planted_modalities(kind, n_samples=600, random_state=0)
    analyzer = ModalityDependencyAnalyzer(
        [(name, LogisticRegression(), cols) for name, cols in data.modalities.items()],
        cv=5, random_state=0,
    ).fit(data.data, data.target)
    analyzer.plot(ax=ax)
    ax.set_title(f"{kind}: regime '{analyzer.regime_}'")
    print(kind, analyzer.regime_)
    print(analyzer.dependencies_[["dependency", "se", "counts"]].round(3), "\n")
fig.tight_layout()
plt.show()
