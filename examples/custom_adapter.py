"""Register an adapter of your own: scikit-learn's MLPClassifier sized by hidden units.

An adapter says how to build a model at a size and how to measure a fitted
one; ``compact.fit`` does the rest.  Registered adapters are tried before the
built-in ones.
"""

import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

import compact
from compact.adapters import Adapter, register_adapter


@register_adapter
class OneLayerMLPAdapter(Adapter):
    """Size = units of a single hidden layer."""

    size_names = ("hidden_units",)

    @classmethod
    def accepts(cls, estimator):
        return isinstance(estimator, MLPClassifier)

    def build(self, size, random_state=None):
        model = super().build({}, random_state)  # clone, seed; no parameter is called hidden_units
        return model.set_params(hidden_layer_sizes=(size["hidden_units"],))

    def measure(self, model):
        return {"hidden_units": model.coefs_[0].shape[1]}


if __name__ == "__main__":
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    result = compact.fit(
        MLPClassifier(max_iter=200), X_train, y_train, size=2, n_trials=20, n_draws=1, random_state=0
    )
    print("hidden units:", result.size_)
    for name, model in [("baseline", result.baseline_model_), ("compacted", result.model_)]:
        print(f"{name:>9} test F1-macro: {f1_score(y_test, model.predict(X_test), average='macro'):.3f}")
