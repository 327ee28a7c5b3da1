"""The suite runs with one BLAS/OpenMP thread per process (see conftest.py)."""

import os

from threadpoolctl import threadpool_info


def test_blas_and_openmp_are_single_threaded():
    import sklearn.ensemble  # noqa: F401  (loads scikit-learn's OpenMP runtime)

    assert os.environ["OMP_NUM_THREADS"] == "1"
    pools = threadpool_info()
    assert pools, "no BLAS/OpenMP library found to check"
    assert all(pool["num_threads"] == 1 for pool in pools), pools
