"""
Modality bias of two models, and which columns form a modality
===============================================================

First, a planted study: an *image* modality and a *clinical* one carry equal,
independent evidence about the label. The image's sits in one strong column
(beside three noise columns); the clinical evidence is spread thinly over 30
columns. Early fusion (boosted trees on every column) latches onto the column a
single split can use: 81% of its reliance falls on the image against 52% of the
information (bias ratios 1.55 and 0.40), and it under-uses the clinical columns.
The product of one logistic expert per modality uses both in proportion (ratios
0.99 and 1.01) and has a far lower log-loss (0.21 against 0.35 nats). Over other
seeds of this design: early fusion 1.45-1.6 against 0.4-0.55, the product
0.85-1.17.

Then, on the bundled breast-cancer data (mean / error / worst views of the
same ten measurements of cell nuclei), how much does each model lean on each
view against what the view tells? ``modality_bias`` permutes a view's columns
together on held-out rows (reliance: the log-loss increase) and compares it
with the view's intra dependency (information). Both models lean on ``worst``
far more than its share of the information: the views are largely redundant,
and reliance counts what a view adds *given* the others, so a redundant view
reads below 1. The ratio flags gross imbalance; read it with that in mind.

Second, which columns of a digit image form a modality: quadrants, pairs of
pixel rows, or the whole image (``compare_groupings``)?
"""

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skpoe import ProductOfExpertsClassifier, compare_groupings, modality_bias
from skpoe.datasets import load_breast_cancer_modalities, load_digits_modalities

QUICK = bool(os.environ.get("SKPOE_DOCS_QUICK"))
rng = np.random.default_rng(0)
n, k = 3000, 30
y = rng.integers(0, 2, n)
sign = (2 * y - 1)[:, None]
X = pd.DataFrame(
    np.hstack([
        np.hstack([sign, np.zeros((n, 3))]) + rng.normal(size=(n, 4)),  # image: one strong column
        sign / np.sqrt(k) + rng.normal(size=(n, k)),  # clinical: the same evidence, spread thin
    ]),
    columns=[f"img_{j}" for j in range(4)] + [f"clin_{j}" for j in range(k)],
)
planted = {"image": [f"img_{j}" for j in range(4)],
           "clinical": [f"clin_{j}" for j in range(k)]}
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
models = {
    "early fusion": HistGradientBoostingClassifier(random_state=0),
    "product": ProductOfExpertsClassifier(
        [(m, LogisticRegression(), cols) for m, cols in planted.items()],
        inter_estimator="drop", prior_correction=True),
}
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
for ax, (name, model) in zip(axes, models.items()):
    bias = modality_bias(model.fit(X_train, y_train), X_test, y_test, planted,
                         random_state=0)
    bias.plot(ax=ax)
    ax.set_title(f"{name} (log-loss {bias.base_log_loss_:.3f})")
    print(f"{name}: {bias.sentence()}")
fig.tight_layout()
plt.show()

# %%
# The bundled breast-cancer views.
cancer = load_breast_cancer_modalities()
X_train, X_test, y_train, y_test = train_test_split(
    cancer.data, cancer.target, test_size=0.3, random_state=0, stratify=cancer.target)


def scaled_lr():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


early_fusion = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
product = ProductOfExpertsClassifier(
    [(m, scaled_lr(), cols) for m, cols in cancer.modalities.items()],
    inter_estimator="drop", weights="learn", prior_correction=True,
).fit(X_train, y_train)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
for ax, (name, model) in zip(axes, [("early fusion", early_fusion), ("product", product)]):
    bias = modality_bias(model, X_test, y_test, cancer.modalities, random_state=0)
    bias.plot(ax=ax)
    ax.set_title(name)
    print(f"{name}: {bias.sentence()}")
    print(bias.table_[["reliance", "information", "bias_ratio"]].round(3), "\n")
fig.tight_layout()
plt.show()

# %%
# Which columns of a digit image form a modality? Quadrants, pairs of pixel rows,
# or the whole image, all analysed on the same folds. The recommended grouping is
# the finest one not measurably worse than the lowest log-loss.
digits = load_digits_modalities("quadrants")
pixels = list(digits.data.columns)
row_pairs = {f"rows {2 * r}-{2 * r + 1}": [p for p in pixels
                                           if int(p.split("_")[1]) // 2 == r]
             for r in range(4)}
sample = slice(0, 400) if QUICK else slice(None)
# the inter expert's pinned settings, fewer rounds: 10 classes make 10 trees a round
boosted = HistGradientBoostingClassifier(learning_rate=0.1, max_iter=40 if QUICK else 150,
                                         max_leaf_nodes=8, early_stopping=False,
                                         random_state=0)
comparison = compare_groupings(
    {"quadrants": digits.modalities, "row pairs": row_pairs},
    digits.data.iloc[sample], digits.target[sample],
    expert=make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)),
    inter_estimator=boosted, include=("all",), cv=3, random_state=0,
)
print(comparison.summary())
comparison.plot()
plt.show()
