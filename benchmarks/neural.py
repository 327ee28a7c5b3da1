"""Joint product of experts (I2M2) against one MLP on all columns, side by side.

Run: ``python benchmarks/neural.py`` (``--quick`` for tiny sizes). Prints a table of
held-out accuracy, log-loss and seconds per epoch for each model, and the ratio
joint / MLP, all measured in the same run with the same seeds, epochs and widths.
"""

import argparse
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split

from skpoe.datasets import (
    load_breast_cancer_modalities,
    load_digits_modalities,
    make_planted_modalities,
)
from skpoe.neural import JointProductOfExpertsClassifier, NeuralExpert


def datasets(quick):
    n = 400 if quick else 3000
    digits = load_digits_modalities("quadrants")
    cancer = load_breast_cancer_modalities()
    xor = make_planted_modalities("xor", n_samples=n, random_state=0)
    return {
        "digits (4 image blocks)": (digits.data / 16.0, digits.target, digits.modalities),
        "breast cancer (3 views)": (
            (cancer.data - cancer.data.mean()) / cancer.data.std(), cancer.target,
            cancer.modalities,
        ),
        "planted XOR (2 modalities)": (xor.data, xor.target, xor.modalities),
    }


def run(model, X_train, y_train, X_test, y_test, epochs):
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    proba = model.predict_proba(X_test)
    return {
        "accuracy": accuracy_score(y_test, model.classes_[proba.argmax(axis=1)]),
        "log_loss": log_loss(y_test, proba, labels=model.classes_),
        "s_per_epoch": seconds / epochs,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--output", help="folder to write the table into (neural.csv)")
    args = parser.parse_args(argv)
    epochs = 5 if args.quick else 60
    warm = datasets(True)["planted XOR (2 modalities)"]
    NeuralExpert(max_epochs=1).fit(warm[0], warm[1])  # torch's first-call costs, not timed
    rows = []
    for name, (X, y, modalities) in datasets(args.quick).items():
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, random_state=0, stratify=y
        )
        mlp = NeuralExpert(hidden_layer_sizes=(64,), max_epochs=epochs, random_state=0)
        joint = JointProductOfExpertsClassifier(
            [(m, None, cols) for m, cols in modalities.items()],
            hidden_layer_sizes=(64,), max_epochs=epochs, random_state=0,
        )
        one = run(mlp, X_train, y_train, X_test, y_test, epochs)
        both = run(joint, X_train, y_train, X_test, y_test, epochs)
        rows.append({
            "dataset": name,
            "MLP accuracy": one["accuracy"], "joint accuracy": both["accuracy"],
            "MLP log-loss": one["log_loss"], "joint log-loss": both["log_loss"],
            "MLP s/epoch": one["s_per_epoch"], "joint s/epoch": both["s_per_epoch"],
            "s/epoch ratio joint/MLP": both["s_per_epoch"] / one["s_per_epoch"],
        })
    table = pd.DataFrame(rows).set_index("dataset")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"Joint product of experts vs one MLP on all columns ({epochs} epochs, "
              "hidden (64,), 30% held out)")
        print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    print("Target: joint accuracy within 1 point of the MLP or better. The joint model "
          "trains one network per modality plus one on all columns: its s/epoch ratio is "
          "expected between 1 (per-batch overhead dominates) and n_modalities + 1.")
    if args.output:
        Path(args.output).mkdir(parents=True, exist_ok=True)
        table.to_csv(Path(args.output) / "neural.csv")
    return {"neural": table}


if __name__ == "__main__":
    main()
