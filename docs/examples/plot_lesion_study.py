"""
A skin-lesion study: patients, a wide image embedding, text columns, few events
===============================================================================

A dermatology group's table: 1,500 lesions of 600 patients, a 128-column image
embedding (missing for the 10% of lesions without a photograph), and clinical
columns with text values and missing ages; 15% of the lesions are malignant. It
is synthetic (:func:`skpoe.datasets.make_lesion_study`), built so that both
modalities carry signal and a patient's lesions are correlated. Everything a
medical table brings comes together here: ``groups``, ``missing_modality``,
categorical columns, few events and a wide modality.
"""

# %%
# The table
# ---------
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedGroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier
from skpoe.datasets import make_lesion_study

quick = bool(os.environ.get("SKPOE_DOCS_QUICK"))  # the test suite's docs build: smaller
study = make_lesion_study(**({"n_lesions": 600, "n_patients": 240} if quick else {}))
X, y, patients = study.data, study.target, study.groups
print(X.shape, f"{y.mean():.0%} malignant,", patients.nunique(), "patients")
print(study.frame[["patient_id", "img_000", "age", "sex", "anatom_site", "diameter"]].head())

# %%
# An expert that fits a wide modality with few events
# ---------------------------------------------------
# 128 columns and about 220 malignant lesions: a logistic regression with a fixed
# ``C=1`` overfits the embedding (worse than chance before calibration). Let inner
# cross-validation choose ``C`` on log-loss, impute, scale the numbers and one-hot
# encode the text columns, inside the expert (the command line's default expert
# does exactly this).


def expert():
    columns = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         make_column_selector(dtype_include="number")),
        ("text", make_pipeline(SimpleImputer(strategy="most_frequent"),
                               OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_exclude="number")),
    ])
    return make_pipeline(columns, LogisticRegressionCV(
        Cs=np.logspace(-3, 1, 5), scoring="neg_log_loss", l1_ratios=(0.0,), max_iter=1000,
        use_legacy_attributes=False))


# %%
# Measure: by patient, with the missing images left out of the image expert
# -------------------------------------------------------------------------
analyzer = ModalityDependencyAnalyzer(
    [(name, expert(), columns) for name, columns in study.modalities.items()],
    missing_modality="drop", n_repeats=1 if quick else 2, random_state=0,
).fit(X, y, groups=patients)
print(analyzer.summary())

# %%
# Both modalities count; the boosted inter expert finds no interaction it can
# show on 1,500 lesions. The recommendation keeps both modalities and says why for
# each; ``product_loss_without`` shows that the calibrated product would lose
# information without either.
analyzer.plot()
plt.show()
analyzer.dependencies_[["dependency", "se", "counts", "product_loss_without",
                        "product_loss_without_se"]].round(3)

# %%
# Model: the default classifier and the recommended one, on held-out patients
# ---------------------------------------------------------------------------
# The product of experts divides by the class prior once per extra expert by
# default (``prior_correction=True``): with 15% positives, the seed's plain
# product (``prior_correction=False``) counts the prior three times and is far
# worse than chance.
cv = StratifiedGroupKFold(5, shuffle=True, random_state=0)
rate = y.mean()
print(f"chance log-loss {-(rate * np.log(rate) + (1 - rate) * np.log(1 - rate)):.3f}")
for name, model in [
    ("plain product", ProductOfExpertsClassifier(
        [(m, expert(), c) for m, c in study.modalities.items()], missing_modality="drop",
        prior_correction=False)),
    ("default product", ProductOfExpertsClassifier(
        [(m, expert(), c) for m, c in study.modalities.items()], missing_modality="drop")),
    ("recommended", analyzer.recommended_estimator()),
]:
    loss = -cross_val_score(model, X, y, groups=patients, cv=cv, scoring="neg_log_loss")
    print(f"{name:16s} log-loss {loss.mean():.3f} +/- {loss.std():.3f}")
