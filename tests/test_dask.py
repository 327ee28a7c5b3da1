"""Scale-out: expert fits on a real dask cluster through joblib's dask backend."""

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_backend
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer, ProductOfExpertsClassifier
from skpoe.datasets import make_planted_modalities

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    # Two worker processes of one thread each: a real (if small) cluster, as a
    # remote one would be reached with Client("tcp://scheduler:8786").
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_cluster_results_equal_the_local_run(client):
    data = make_planted_modalities("independent", n_samples=300, random_state=0)
    experts = [(m, LogisticRegression(), cols) for m, cols in data.modalities.items()]
    local_model = ProductOfExpertsClassifier(experts, weights="learn", cv=3).fit(
        data.data, data.target
    )
    local_analysis = ModalityDependencyAnalyzer(experts, cv=3, random_state=0).fit(
        data.data, data.target
    )
    with parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
        remote_model = ProductOfExpertsClassifier(experts, weights="learn", cv=3).fit(
            data.data, data.target
        )
        remote_analysis = ModalityDependencyAnalyzer(experts, cv=3, random_state=0).fit(
            data.data, data.target
        )
    np.testing.assert_allclose(remote_model.predict_proba(data.data),
                               local_model.predict_proba(data.data), rtol=1e-12)
    pd.testing.assert_frame_equal(remote_analysis.results_, local_analysis.results_)
    # the fits really ran on the cluster, on both workers
    assert len(tasks.data) > 0
    assert {task["worker"] for task in tasks.data} == set(client.scheduler_info()["workers"])
