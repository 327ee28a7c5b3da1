"""
Overconfident experts: calibrate them, or learn the weights
============================================================

A product multiplies the experts' confidence. Random forests and boosted trees
put probabilities near 0 and 1, so their product is overconfident: accuracy is
fine, log-loss is not. Two remedies: wrap each expert in
:class:`~sklearn.calibration.CalibratedClassifierCV`, or let the product learn
its exponents (``weights="learn"``, with ``prior_correction=True``).
"""

# %%
import os

import matplotlib.pyplot as plt
from sklearn.calibration import CalibratedClassifierCV, CalibrationDisplay
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_predict

from skpoe import ProductOfExpertsClassifier
from skpoe.datasets import load_breast_cancer_modalities

quick = os.environ.get("SKPOE_DOCS_QUICK") == "1"
n_trees = 20 if quick else 200
data = load_breast_cancer_modalities()
X, y = data.data, (data.target == "malignant").astype(int)


def forest():
    return RandomForestClassifier(n_estimators=n_trees, random_state=0)


products = {
    "plain product of forests": ProductOfExpertsClassifier(
        [(m, forest(), c) for m, c in data.modalities.items()], inter_estimator="drop"),
    "calibrated experts": ProductOfExpertsClassifier(
        [(m, CalibratedClassifierCV(forest(), cv=3), c) for m, c in data.modalities.items()],
        inter_estimator="drop"),
    "learned weights + prior correction": ProductOfExpertsClassifier(
        [(m, forest(), c) for m, c in data.modalities.items()], inter_estimator="drop",
        weights="learn", prior_correction=True, cv=3),
}

# %%
# Out-of-fold probabilities of each product, and their reliability curves.
from sklearn.metrics import log_loss  # noqa: E402

fig, ax = plt.subplots(figsize=(6, 5))
for name, product in products.items():
    proba = cross_val_predict(product, X, y, cv=3, method="predict_proba")[:, 1]
    print(f"{name:36s} log-loss {log_loss(y, proba):.3f}")
    CalibrationDisplay.from_predictions(y, proba, n_bins=8, name=name, ax=ax)
ax.set_title("Reliability of three products of random forests")
plt.show()

# %%
# The plain product's curve bends away from the diagonal: it says 0 or 1 too
# often. Both remedies pull it back; learned weights also shrink the exponents of
# experts that repeat each other's evidence. Logistic regression and naive Bayes
# on a few features are usually calibrated enough to be multiplied as they are.
