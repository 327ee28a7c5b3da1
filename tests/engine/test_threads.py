"""The thread rule (``_threads.py``): small fits on one thread, a user's own limit kept.

Each case runs in a fresh interpreter without the test suite's thread variables,
so that the libraries start at their defaults (one thread per core), as a user's
do. An expert records what threadpoolctl reports while it is being fitted.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skpoe._engine._threads import _MIN_CELLS_FOR_THREADS, _threads_for

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_PROBE = """
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info, threadpool_limits
from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier
import skpoe._engine._threads

class Probe(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        self.threads_seen_ = {info["user_api"]: info["num_threads"]
                              for info in threadpool_info()}
        return super().fit(X, y, sample_weight)

case, n_jobs, threshold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
skpoe._engine._threads._MIN_CELLS_FOR_THREADS = threshold
rng = np.random.default_rng(0)
X = rng.normal(size=(300, 4))
y = (X[:, 0] + X[:, 2] > 0).astype(int)
model = ProductOfExpertsClassifier([("a", Probe(), [0, 1]), ("b", Probe(), [2, 3])],
                                   inter_estimator="drop", n_jobs=n_jobs)
if case == "user limit":
    with threadpool_limits(1):
        model.fit(X, y)
else:
    model.fit(X, y)
after = {info["user_api"]: info["num_threads"] for info in threadpool_info()}
print(json.dumps({"seen": [e.threads_seen_ for e in model.estimators_], "after": after}))
"""


def run_probe(case, n_jobs=1, threshold=_MIN_CELLS_FOR_THREADS, **env):
    clean = {k: v for k, v in os.environ.items() if k not in _THREAD_VARS}
    result = subprocess.run([sys.executable, "-c", _PROBE, case, str(n_jobs), str(threshold)],
                            env={**clean, **env}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def default_threads():
    return run_probe("plain", threshold=0)["after"]  # nothing limits: the defaults


@pytest.fixture(scope="module")
def cores():
    threads = default_threads()
    if threads.get("openmp", 1) < 2:
        pytest.skip("one core: every rule gives one thread")
    return threads


def test_a_small_fit_runs_on_one_thread_and_the_pools_are_restored(cores):
    out = run_probe("plain")  # 300 x 2 cells, far below the threshold
    assert all(seen["openmp"] == 1 and seen["blas"] == 1 for seen in out["seen"])
    assert out["after"] == cores  # restored after the fit


def test_a_large_fit_keeps_every_core(cores):
    out = run_probe("plain", threshold=100)  # 300 x 2 cells count as large
    assert all(seen["openmp"] == cores["openmp"] for seen in out["seen"])


def test_a_users_own_limits_are_kept(cores):
    out = run_probe("user limit", threshold=100)  # large: the rule alone gives every core
    assert all(seen["openmp"] == 1 and seen["blas"] == 1 for seen in out["seen"])
    out = run_probe("plain", OMP_NUM_THREADS=str(cores["openmp"]))  # small, but set by hand
    assert all(seen["openmp"] == cores["openmp"] for seen in out["seen"])


def test_workers_times_threads_stay_within_the_cores(cores):
    out = run_probe("plain", n_jobs=2, threshold=100)  # large fits in 2 worker processes
    limit = max(1, cores["openmp"] // 2)
    assert all(seen["openmp"] <= limit and seen["blas"] <= limit for seen in out["seen"])


def test_the_threshold_splits_small_from_large():
    assert _threads_for(_MIN_CELLS_FOR_THREADS - 1, cores=8) == 1
    assert _threads_for(_MIN_CELLS_FOR_THREADS, cores=8) == 8


def test_the_suite_itself_runs_single_threaded():
    # conftest.py pins every pool for the tests (and their worker processes)
    import sklearn.ensemble  # noqa: F401  (loads scikit-learn's OpenMP runtime)
    from threadpoolctl import threadpool_info

    assert os.environ["OMP_NUM_THREADS"] == "1"
    pools = threadpool_info()
    assert pools, "no BLAS/OpenMP library found to check"
    assert all(pool["num_threads"] == 1 for pool in pools), pools


_THREADED_PREDICT = """
import threading, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from conftest import CLIN, IMG, make_table
from skpoe import ProductOfExpertsClassifier

X, y = make_table()
model = ProductOfExpertsClassifier(
    [("image", LogisticRegression(), IMG), ("clinical", LogisticRegression(), CLIN)],
    inter_estimator=LogisticRegression()).fit(X, y)
before = list(warnings.filters)
errors = []

def predict():
    try:
        for _ in range(20):
            model.predict_proba(X)
    except Exception as exc:
        errors.append(exc)

threads = [threading.Thread(target=predict) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not errors, errors
assert list(warnings.filters) == before, (before, warnings.filters)
print("ok")
"""


def test_threads_leave_the_warning_filters_as_they_were():
    # In a fresh interpreter: the filters are process-wide, and in the test process
    # other libraries' threads (dask, hypothesis) may change them at any moment.
    result = subprocess.run([sys.executable, "-c", _THREADED_PREDICT], capture_output=True,
                            text=True, timeout=120, cwd=Path(__file__).parents[1])
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
