"""NeuralExpert passes scikit-learn's estimator checks on its own, with no expected failure."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skpoe.neural import NeuralExpert


@parametrize_with_checks([NeuralExpert(hidden_layer_sizes=(16,), max_epochs=30, random_state=0)])
def test_neural_expert_is_a_scikit_learn_estimator(estimator, check):
    check(estimator)
