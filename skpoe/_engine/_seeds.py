"""Seeds drawn from a ``random_state``: one rule for every fold split, permutation and net."""

import numpy as np
from sklearn.utils import check_random_state


def _draw_seeds(random_state, size=None):
    """Int seeds drawn from ``random_state`` (reproducible when it is an int).

    One int when ``size`` is None, else an int array of that length.
    """
    seeds = check_random_state(random_state).randint(np.iinfo(np.int32).max, size=size)
    return int(seeds) if size is None else seeds
