"""The information decomposition, the pairwise map and EMAP on planted data, over many seeds.

Three tables, each row a planted structure simulated on ``--seeds`` seeds:

- ``decomposition``: two modalities of 3 columns, n = 2,000; the atoms of
  ``ModalityDependencyAnalyzer(decomposition=True)`` (redundancy R, unique
  U_a and U_b, synergy S, in nats): their mean over seeds, the mean of their
  fold-paired SE, how often the planted atoms are the largest (``hits``; the
  pure rows need >= 95%), and on the pure rows the mean absolute value of the
  atoms that were not planted (``false atoms``, target <= 0.02 nats);
- ``pairs``: three modalities, a x b interact, c additive; how often each pair
  counts (a x b >= 90%, the others <= 5%);
- ``emap``: ``modality_interaction_use`` on held-out rows of XOR data: the
  product of per-modality experts (|gap| <= 0.005 nats) and early fusion (gap
  >= 0.2 nats), hits over seeds;
- ``pid``: PID's own planted datasets (Liang et al. 2023, ``pliang279/PID``,
  ``synthetic/generate_data.py``) rebuilt: latent parts z_0, z_1 (one modality's
  own) and z_01 (in both), each 5-dimensional, N(0, 1.5 I), every modality the
  random projections (uniform 5 x 32) of its parts; the label is the median split
  (their ``--num-classes 2``) of the mean of the setting's parts after a 20%
  dropout: ``redundancy`` reads z_01, ``uniqueness0`` z_0, ``synergy`` z_0 and
  z_1 together. Our atoms beside the Williams-Beer PID (I_min) of the same rows,
  each modality discretised into 10 k-means clusters as PID's pipeline does
  (``WB``, nats; a plug-in estimate, biased upward by the discretisation's
  finite counts), means over seeds.

The analyses run 5-fold CV once (``n_repeats=1``) to halve the time; the
decomposition's SEs are fold-paired as the inter dependency's.

    python benchmarks/decomposition.py            # 30 seeds per row (~15 min on 2 cores)
    python benchmarks/decomposition.py --quick    # CI smoke test: 1 seed, n = 200, 3 folds
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier, modality_interaction_use


def _label(logit, rng):
    return (rng.random(logit.shape[0]) < 1.0 / (1.0 + np.exp(-logit))).astype(int)


def _two(n, rng, kind):
    """(X, y): modalities a = columns 0-2, b = columns 3-5, with the planted structure."""
    a, b = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    s = rng.normal(size=n)
    if "R" in kind:  # one signal, a noisy copy in each modality
        a[:, 0], b[:, 0] = s + 0.2 * rng.normal(size=n), s + 0.2 * rng.normal(size=n)
    logit = np.zeros(n)
    if "R" in kind:
        logit += 2.0 * s
    if "U" in kind:  # a signal only modality a holds
        logit += 2.0 * a[:, 1]
    if "S" in kind:  # XOR across the modalities: no marginal signal
        logit += 3.0 * np.sign(a[:, 2] * b[:, 2])
    return np.hstack([a, b]), _label(logit, rng)


# row -> (planted atoms, in the order they are expected to rank)
DECOMPOSITION_ROWS = {"R": ["R"], "U": ["U_a"], "S": ["S"],
                      "R+U": ["R", "U_a"], "U+S": ["U_a", "S"], "R+S": ["R", "S"]}
ATOMS = ["R", "U_a", "U_b", "S"]
MODALITIES = {"a": [0, 1, 2], "b": [3, 4, 5]}


_CV = {"cv": 5}  # --quick sets 3 (one process, so its workers see it)


def _analysis(X, y, modalities, seed, **params):
    with threadpool_limits(1):
        return ModalityDependencyAnalyzer(
            [(m, LogisticRegression(), cols) for m, cols in modalities.items()],
            n_repeats=1, random_state=seed, **_CV, **params).fit(X, y)


def _one_decomposition(kind, seed, n):
    rng = np.random.default_rng(seed)
    X, y = _two(n, rng, kind)
    table = _analysis(X, y, MODALITIES, seed, decomposition=True).decomposition_
    get = table.set_index(["atom", "modality"])
    pick = {"R": ("redundancy", "a"), "U_a": ("unique", "a"), "U_b": ("unique", "b"),
            "S": ("synergy", "")}
    return {atom: (get.loc[key, "nats"], get.loc[key, "se"]) for atom, key in pick.items()}


def _one_pairs(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = _label(2.5 * np.sign(X[:, 0] * X[:, 2]) + 1.5 * X[:, 4], rng)
    pairs = _analysis(X, y, {"a": [0, 1], "b": [2, 3], "c": [4, 5]}, seed, pairs=True).pairs_
    return dict(zip(pairs.index, pairs["counts"]))


def _one_emap(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n, 6))
    y = _label(3.0 * np.sign(X[:, 0] * X[:, 3]), rng)
    train, test = slice(None, n), slice(n, None)
    with threadpool_limits(1):
        product = ProductOfExpertsClassifier(
            [(m, HistGradientBoostingClassifier(random_state=seed), c)
             for m, c in MODALITIES.items()], inter_estimator="drop").fit(X[train], y[train])
        early = HistGradientBoostingClassifier(random_state=seed).fit(X[train], y[train])
        return {name: modality_interaction_use(model, X[test], y[test], MODALITIES,
                                               random_state=seed).gap_
                for name, model in (("product", product), ("early fusion", early))}


def _pid_dataset(n, rng, setting):
    """PID's generator (``synthetic/generate_data.py``), two classes: (X, y, modalities)."""
    parts = {key: rng.multivariate_normal(np.zeros(5), 1.5 * np.eye(5), size=n)
             for key in ("0", "1", "01")}
    transforms = {key: rng.uniform(0.0, 1.0, size=(5, 32)) for key in parts}
    blocks = [np.hstack([parts[k] @ transforms[k] for k in parts if str(i) in k])
              for i in range(2)]
    read = {"redundancy": ["01"], "uniqueness0": ["0"], "synergy": ["0", "1"]}[setting]
    signal = np.hstack([parts[k] for k in read])
    kept = (rng.random(signal.shape) >= 0.2) / 0.8  # torch's Dropout(0.2), in training mode
    score = (signal * kept).mean(axis=1)
    X = np.hstack(blocks)
    width = blocks[0].shape[1]
    return X, (score > np.median(score)).astype(int), {
        "0": list(range(width)), "1": list(range(width, X.shape[1]))}


def _entropy(*codes):
    """Plug-in joint entropy (nats) of discrete codes."""
    _, counts = np.unique(np.column_stack(codes), axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def _williams_beer(x0, x1, y):
    """The Williams-Beer PID (I_min redundancy) of discrete sources x0, x1 about y, in nats.

    Discretised as PID's pipeline does (k-means clusters of each modality), so
    that the two decompositions are read side by side on the same rows.
    """
    def mutual(x):
        return _entropy(x) + _entropy(y) - _entropy(x, y)

    def specific(x, label):  # I(Y = label; X)
        at = y == label
        p_x_given = np.bincount(x[at], minlength=x.max() + 1) / at.sum()
        p_label_given_x = np.array([np.mean(y[x == v] == label) if (x == v).any() else 0.0
                                    for v in range(x.max() + 1)])
        keep = p_x_given > 0
        return float((p_x_given[keep] * np.log(p_label_given_x[keep] / at.mean())).sum())

    labels, weights = np.unique(y, return_counts=True)
    redundancy = sum(w / len(y) * min(specific(x0, c), specific(x1, c))
                     for c, w in zip(labels, weights))
    joint = pd.factorize(pd.Series(list(zip(x0, x1))))[0]
    u0, u1 = mutual(x0) - redundancy, mutual(x1) - redundancy
    return {"WB R": redundancy, "WB U_0": u0, "WB U_1": u1,
            "WB S": mutual(joint) - redundancy - u0 - u1}


def _one_pid(setting, seed, n):
    from sklearn.cluster import KMeans

    X, y, modalities = _pid_dataset(n, np.random.default_rng(seed), setting)
    table = _analysis(X, y, modalities, seed, decomposition=True).decomposition_
    get = table.set_index(["atom", "modality"])["nats"]
    ours = {"R": get["redundancy", "0"], "U_0": get["unique", "0"],
            "U_1": get["unique", "1"], "S": get["synergy", ""], "total": get["total", ""]}
    with threadpool_limits(1):
        codes = [KMeans(10, n_init=3, random_state=seed).fit_predict(X[:, cols])
                 for cols in modalities.values()]
    return {**ours, **_williams_beer(*codes, y)}


def pid_table(seeds, n, n_jobs):
    rows = []
    for setting in ("redundancy", "uniqueness0", "synergy"):
        outs = Parallel(n_jobs=n_jobs)(delayed(_one_pid)(setting, 5000 + s, n)
                                       for s in range(seeds))
        rows.append({"PID dataset": setting, "seeds": seeds,
                     **{atom: np.mean([out[atom] for out in outs]) for atom in outs[0]}})
    return pd.DataFrame(rows)


def decomposition_table(seeds, n, n_jobs):
    rows = []
    for kind, planted in DECOMPOSITION_ROWS.items():
        start = time.perf_counter()
        outs = Parallel(n_jobs=n_jobs)(delayed(_one_decomposition)(kind, 2000 + s, n)
                                       for s in range(seeds))
        values = np.array([[out[a][0] for a in ATOMS] for out in outs])
        ses = np.array([[out[a][1] for a in ATOMS] for out in outs])
        order = np.argsort(-values, axis=1)
        hits = sum(set(ATOMS[j] for j in row[:len(planted)]) == set(planted) for row in order)
        false = [ATOMS.index(a) for a in ATOMS if a not in planted]
        row = {"planted": kind, "n": n, "seeds": seeds}
        row.update({a: values[:, j].mean() for j, a in enumerate(ATOMS)})
        row.update({f"{a} se": ses[:, j].mean() for j, a in enumerate(ATOMS)})
        row["hits"] = f"{hits}/{seeds}"
        row["false atoms"] = (np.abs(values[:, false]).mean() if len(planted) == 1 else np.nan)
        row["s/seed"] = (time.perf_counter() - start) / seeds * n_jobs
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, header=len(rows) == 1,
                                            float_format=lambda v: f"{v:+.3f}"), flush=True)
    return pd.DataFrame(rows)


def pairs_table(seeds, n, n_jobs):
    outs = Parallel(n_jobs=n_jobs)(delayed(_one_pairs)(3000 + s, n) for s in range(seeds))
    targets = {"a x b": ">= 90%", "a x c": "<= 5%", "b x c": "<= 5%"}
    return pd.DataFrame([{"pair": pair, "planted": "interacts" if pair == "a x b" else "additive",
                          "hits": f"{sum(out[pair] for out in outs)}/{seeds}",
                          "target": target} for pair, target in targets.items()])


def emap_table(seeds, n, n_jobs):
    outs = Parallel(n_jobs=n_jobs)(delayed(_one_emap)(4000 + s, n) for s in range(seeds))
    product = np.array([out["product"] for out in outs])
    early = np.array([out["early fusion"] for out in outs])
    return pd.DataFrame([
        {"model": "product of experts", "mean gap": product.mean(),
         "hits": f"{int((np.abs(product) <= 0.005).sum())}/{seeds}", "target": "|gap| <= 0.005"},
        {"model": "early fusion", "mean gap": early.mean(),
         "hits": f"{int((early >= 0.2).sum())}/{seeds}", "target": "gap >= 0.2"},
    ])


TABLES = {"decomposition": decomposition_table, "pairs": pairs_table, "emap": emap_table,
          "pid": pid_table}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, n = 200 (smoke test)")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", help="folder to write the tables to, as CSV")
    parser.add_argument("--tables", nargs="*", default=list(TABLES), choices=list(TABLES))
    args = parser.parse_args(argv)
    # quick: the code path of every row, in one process (a smoke test, not a rate)
    seeds, n, n_jobs = (1, 200, 1) if args.quick else (args.seeds, 2000, args.n_jobs)
    _CV["cv"] = 3 if args.quick else 5
    sizes = {"decomposition": (seeds, n), "pairs": (seeds, n), "emap": (seeds, n // 2),
             "pid": (max(1, seeds // 3), n)}  # the PID rows: a third of the seeds
    tables = {name: TABLES[name](*sizes[name], n_jobs) for name in args.tables}
    for name, table in tables.items():
        print(f"\n{name} (hits over seeds)")
        print(table.to_string(index=False, float_format=lambda v: f"{v:+.3f}"))
        if args.output:
            Path(args.output).mkdir(parents=True, exist_ok=True)
            table.to_csv(Path(args.output) / f"{name}.csv", index=False)
    return tables


if __name__ == "__main__":
    main(sys.argv[1:])
