"""CompactClassifier inside scikit-learn: Pipeline, GridSearchCV over size, cross-validation, joblib."""

import os
import tempfile

import joblib
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from compact import CompactClassifier

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

pipe = make_pipeline(
    StandardScaler(),
    CompactClassifier(DecisionTreeClassifier(), n_trials=20, n_draws=2, random_state=0),
)

# Tune the size and a parameter of the small tree itself.
grid = GridSearchCV(
    pipe,
    {"compactclassifier__size": [1, 2, 3], "compactclassifier__estimator__criterion": ["gini", "entropy"]},
    cv=3,
)
grid.fit(X_train, y_train)
best = grid.best_estimator_
print("best parameters:", grid.best_params_)
print("measured depth:", best[-1].size_, " test accuracy:", round(best.score(X_test, y_test), 3))

print("5-fold accuracy of a depth-2 compacted tree:",
      cross_val_score(pipe.set_params(compactclassifier__size=2), X, y, cv=5).round(3))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "compact_wine.joblib")
    joblib.dump(best, path)
    loaded = joblib.load(path)
    print("same predictions after joblib.load:", (loaded.predict(X_test) == best.predict(X_test)).all())
