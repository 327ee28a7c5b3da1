"""
Which views of a digit interact, which overlap, and does a model use it
=======================================================================

An 8x8 handwritten digit cut into four quadrants gives four modalities. Each
quadrant says something about the digit alone, they share much (strokes cross
quadrant borders), and some digits are told apart only by combining quadrants.
The analyzer's pairwise map says which pairs of quadrants interact, its
decomposition splits the information into unique, shared (redundant) and
synergistic parts, every part from one additive model family on the same folds,
and :func:`~skpoe.modality_interaction_use` asks whether a *fitted* model uses
the interactions.
"""

# %%
# The four quadrants as modalities
# --------------------------------
import os

import matplotlib.pyplot as plt
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier, modality_interaction_use
from skpoe.datasets import load_digits_modalities

quick = bool(os.environ.get("SKPOE_DOCS_QUICK"))  # the test suite's docs build: smaller
digits = load_digits_modalities("quadrants")
X, y = digits.data, digits.target
if quick:  # three digits that share strokes
    keep = y.isin([3, 5, 8]).to_numpy()
    X, y = X[keep], y[keep]
print(X.shape, {name: len(cols) for name, cols in digits.modalities.items()})

# %%
# The map and the decomposition
# -----------------------------
# The inter expert is a boosted model with its iterations pinned (its additive
# family must train alike); ``pairs=True`` maps the 6 pairs of 4 modalities (6
# fits per fold) and ``decomposition=True`` adds 8 fits per fold.
inter = HistGradientBoostingClassifier(max_iter=40 if quick else 100, early_stopping=False,
                                       random_state=0)
expert = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
analyzer = ModalityDependencyAnalyzer(
    [(name, expert, cols) for name, cols in digits.modalities.items()],
    inter_estimator=inter, cv=3, n_repeats=1, pairs=True, decomposition=True, random_state=0,
).fit(X, y)
print(analyzer.pairs_[["interaction", "se", "counts"]].round(3))
print(analyzer.decomposition_.round(3))

# %%
# Most of what a quadrant tells, another quadrant tells too: the redundancy
# bars dominate, which is also why the plain product of the quadrants' experts
# is overconfident and needs its learned exponents.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
analyzer.plot(ax=axes[0], kind="pairs")
analyzer.plot(ax=axes[1], kind="decomposition")
fig.tight_layout()

# %%
# Does a fitted model use the interactions?
# -----------------------------------------
# Early fusion on every pixel may combine quadrants; a product of per-quadrant
# experts cannot. Their additive projections (EMAP) on held-out digits:
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=0,
                                                    stratify=y)
models = {
    "early fusion (boosted trees)": inter.fit(X_train, y_train),
    "product of per-quadrant experts": ProductOfExpertsClassifier(
        [(name, expert, cols) for name, cols in digits.modalities.items()],
        inter_estimator="drop").fit(X_train, y_train),
}
for name, model in models.items():
    use = modality_interaction_use(model, X_test, y_test, digits.modalities,
                                   n_partners=10, random_state=0)
    print(f"{name}: gap {use.gap_:+.3f} +/- {use.se_:.3f} nats")
