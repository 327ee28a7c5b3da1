"""How many OpenMP and BLAS threads skpoe's work may use: one rule for every fit.

HistGradientBoosting (the default inter expert and its additive baseline) runs
OpenMP on every core, and OpenMP threads that wait for each other spin. On a
small table a tree costs less than the thread team's barriers, and beside
another busy process every barrier waits for a descheduled thread: the
bundled analysis (569 rows) took minutes instead of seconds next to one
CPU-bound job. So a fit on a small input runs on one thread; a large one may use
every core of its worker (``benchmarks/run.py`` measures where the threshold
lies). The same rule covers the whole of an analysis, sized by its table
(predictions, calibration and scoring spin too), and each expert's fit, sized by
the expert's own input.

A limit somebody already set is kept as it is: ``OMP_NUM_THREADS`` and the BLAS
variables, a :func:`threadpoolctl.threadpool_limits` context, or the limit that
joblib gives its worker processes (cores // n_jobs).
"""

import functools
import inspect
import os
from contextlib import contextmanager

from joblib import cpu_count
from threadpoolctl import ThreadpoolController

# Below this many cells (rows x columns of one expert's input) a fit gets one thread.
# Measured on 2 cores (benchmarks/run.py, "threads" table, HistGradientBoosting):
# alone, a second thread costs below ~30,000 cells (569 x 30: 1.14x slower) and pays
# from ~60,000 (0.85x; 0.53x at 6.4e6); beside a busy process it costs 136x at
# 569 x 30 and 1.1-2.2x from 30,000 cells on.
_MIN_CELLS_FOR_THREADS = 50_000

_ENV = {
    "openmp": ("OMP_NUM_THREADS",),
    "blas": ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "OMP_NUM_THREADS"),
}


def _threads_for(n_cells, cores=None):
    """The number of threads a fit on ``n_cells`` input cells may use."""
    cores = cpu_count() if cores is None else cores
    return cores if n_cells >= _MIN_CELLS_FOR_THREADS else 1


@contextmanager
def _fit_threads(n_cells):
    """Limit OpenMP and BLAS threads for one fit on ``n_cells`` cells; yields the limit.

    A thread pool is limited only while it runs at its default size (one thread
    per core) and no environment variable sets it: whatever a user, a
    ``threadpool_limits`` context or joblib's worker set is kept.
    """
    cores = cpu_count()
    threads = _threads_for(n_cells, cores)
    if threads >= cores:
        yield threads
        return
    controller = ThreadpoolController()
    limits = {}
    for api, variables in _ENV.items():
        pools = controller.select(user_api=api).lib_controllers
        if any(os.environ.get(var) for var in variables):
            continue
        if pools and all(pool.num_threads == cores for pool in pools):
            limits[api] = threads
    if not limits:
        yield threads
        return
    with controller.limit(limits=limits):
        yield threads


def _n_cells(X):
    """Rows x columns of X, read without converting it (0 when it cannot be told)."""
    shape = getattr(X, "shape", None)
    if shape is None:  # a list of rows
        try:
            shape = (len(X), len(X[0]))
        except (TypeError, IndexError, KeyError):
            return 0
    try:
        return int(shape[0]) * int(shape[1]) if len(shape) == 2 else 0
    except TypeError:  # a lazy shape (dask): refused later, by validation
        return 0


def _thread_limited(func):
    """Run ``func`` (which takes an argument ``X``) under :func:`_fit_threads` for its X."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        X = signature.bind_partial(*args, **kwargs).arguments.get("X")
        with _fit_threads(_n_cells(X)):
            return func(*args, **kwargs)

    return wrapper
