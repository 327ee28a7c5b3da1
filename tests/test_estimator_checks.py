"""scikit-learn's own conformance checks, on configurations that fit the checks' data.

The checks use tables with as few as one column, so modalities here select column
0, or adapt to the width with a module-level callable (module-level so that the
pickling checks can pickle it).
"""

from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from skpoe import ProductOfExpertsClassifier, make_product_of_experts


def first_half(X):
    """The first half of X's columns (at least one)."""
    return slice(0, max(1, X.shape[1] // 2))


def last_column(X):
    """The last column of X."""
    return [X.shape[1] - 1]


def all_but_last(X):
    """Every column but the last (the only column when X has one)."""
    return slice(0, max(1, X.shape[1] - 1))


def all_columns(X):
    """Every column of X."""
    return slice(0, X.shape[1])


def second_half(X):
    """The second half of X's columns (the last column when X has one)."""
    return slice(min(X.shape[1] // 2, X.shape[1] - 1), X.shape[1])


class Columns:
    """One of the selectors above, with a repr free of memory addresses.

    The checks' test ids hold the estimator's repr; pytest-xdist collects the suite
    in each worker and refuses ids that differ between them (a function's repr
    holds its address).
    """

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, X):
        return globals()[self.rule](X)

    def __repr__(self):
        return self.rule


ESTIMATORS = [
    # single-column modalities (an index, a callable) and a linear inter expert
    ProductOfExpertsClassifier(
        [("first", LogisticRegression(), [0]),
         ("last", LogisticRegression(), Columns("last_column"))],
        inter_estimator=LogisticRegression(),
    ),
    # width-adaptive callables, a tree that outputs exact zeros, inter expert dropped
    ProductOfExpertsClassifier(
        [
            ("left", LogisticRegression(), Columns("first_half")),
            ("right", DecisionTreeClassifier(max_depth=3, random_state=0),
             Columns("second_half")),
        ],
        inter_estimator="drop",
        weights={"left": 1.0, "right": 0.5},
    ),
    # the convenience constructor and overlapping modalities. The default inter expert
    # (HistGradientBoostingClassifier) is left out of these checks on purpose:
    # scikit-learn itself expects it to fail the sample-weight equivalence checks.
    make_product_of_experts(
        (GaussianNB(), Columns("first_half")), (LogisticRegression(), Columns("second_half")),
        (GaussianNB(), [0]),
        inter_estimator=GaussianNB(),
    ),
    # learned weights (internal CV), prior correction, absent modalities dropped. The
    # modalities span several columns, so the checks' single NaN is a partial NaN,
    # which experts that do not take NaN must refuse (a NaN blanking out a whole
    # modality would be accepted as an absent modality).
    ProductOfExpertsClassifier(
        [("most", LogisticRegression(), Columns("all_but_last")),
         ("all", GaussianNB(), Columns("all_columns"))],
        inter_estimator=LogisticRegression(),
        weights="learn",
        prior_correction=True,
        missing_modality="drop",
        cv=3,
    ),
]


# No expected failures. The only skips are scikit-learn's array-API checks, which
# skip themselves unless SCIPY_ARRAY_API=1 is set (our tags do not claim array-API
# support, so they would not apply anyway).
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
