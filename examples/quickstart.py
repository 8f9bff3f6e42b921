"""Compact a depth-3 decision tree on scikit-learn's digits and compare with the baseline."""

from sklearn.datasets import load_digits
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

import compact

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)

result = compact.fit(DecisionTreeClassifier(), X_train, y_train, size=3, n_trials=60, random_state=0)

print("measured depth:", result.size_)
print("best distribution:", {k: round(v, 3) for k, v in result.best_params_.items()})
for name, model in [("baseline", result.baseline_model_), ("compacted", result.model_)]:
    print(f"{name:>9} test F1-macro: {f1_score(y_test, model.predict(X_test), average='macro'):.3f}")
