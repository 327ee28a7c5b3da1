"""Run a list of joblib jobs, printing one progress line per finished job.

Every job list of the package (the out-of-fold engine, the classifier's expert
fits) goes through :func:`_run_jobs`: scikit-learn's ``Parallel`` (so that
``sklearn.set_config`` reaches the workers), results in job order, and, at
``verbose >= 1``, a line per finished job with the count, the elapsed time and
an estimate of the time left, so that a long analysis is never silent. joblib's
own progress printing stays off: in joblib 1.6 it replaces an expert's error by
an ``AttributeError`` of its own when ``n_jobs=1``.
"""

import sys
import time

from sklearn.utils.parallel import Parallel


def _duration(seconds):
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _run_jobs(jobs, labels, n_jobs=None, verbose=0, unit="fits"):
    """Results of ``jobs`` (delayed calls) in order; ``labels[k]`` names job k in progress."""
    if not verbose:
        return Parallel(n_jobs=n_jobs)(jobs)
    results, start = [], time.perf_counter()
    for k, result in enumerate(Parallel(n_jobs=n_jobs, return_as="generator")(jobs), 1):
        results.append(result)
        elapsed = time.perf_counter() - start
        left = elapsed / k * (len(labels) - k)
        tail = (f"~{_duration(left)} left" if k < len(labels)
                else f"Done {len(labels)} {unit} in {_duration(elapsed)}")
        print(f"[skpoe] [{k}/{len(labels)}] {labels[k - 1]}  {_duration(elapsed)}  {tail}",
              file=sys.stderr, flush=True)
    return results
