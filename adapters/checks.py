"""``check_adapter``: test an adapter the way ``check_estimator`` tests an estimator."""

from __future__ import annotations

import numpy as np

from .base import Adapter


def check_adapter(adapter: Adapter, X, y, size, *, random_state: int = 0) -> dict[str, int]:
    """Run the adapter protocol on ``(X, y)`` at ``size`` and check each promise.

    Checks that the size normalises, that ``build`` gives an unfitted model
    (a clone, not the user's estimator), that fitted models (plain, weighted,
    resampled and, where the family batches, ``fit_batch``) never measure over
    the request, that ``build`` with one seed is reproducible, and that a
    resample fitted as counts predicts as the repeated rows do where the
    adapter claims it (``weights_as_counts``): the same labels, real values
    equal to a relative 1e-9 of the largest (a thousand float32 units in the
    last place for float32; a weighted sum adds in another order).

    Parameters
    ----------
    adapter : Adapter
        The adapter to test (``get_adapter(estimator)`` or your own instance).
    X, y : arrays
        A small numeric data set of the family's task.
    size : int, tuple or dict
        A size to test, as for :func:`compact.fit`.
    random_state : int, default=0

    Returns
    -------
    dict
        The measured size of the plainly fitted model.

    Raises
    ------
    AssertionError
        Naming the promise that does not hold.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    request = adapter.normalize_size(size)
    X_fit = adapter.prepare_X(X)
    adapter.prepare(X_fit, y, size=request, random_state=random_state)
    rng = np.random.default_rng(random_state)
    indices = rng.integers(0, len(X), size=len(X))
    counts = np.bincount(indices, minlength=len(X)).astype(float)

    def fitted(what: str, model):
        measured = adapter.measure(model)
        assert set(request) <= set(measured), f"{what}: measure() lacks {set(request) - set(measured)}."
        assert adapter.within(measured, request), f"{what}: measured {measured} exceeds the request {request}."
        return model

    build = lambda: adapter.build(request, random_state=random_state)  # noqa: E731
    unfitted = build()
    assert unfitted is not adapter.estimator, "build() must return a clone, not the user's estimator."
    assert not hasattr(unfitted, "n_features_in_"), "build() must return an unfitted model."
    plain = fitted("fit", adapter.fit(build(), X_fit, y, size=request))
    again = fitted("fit (same seed)", adapter.fit(build(), X_fit, y, size=request))
    assert np.array_equal(_predict(plain, X_fit), _predict(again, X_fit)), "the same seed gave another model."
    if adapter.supports_sample_weight:
        fitted("fit with sample_weight", adapter.fit(build(), X_fit, y, sample_weight=counts, size=request))
    resampled = fitted("fit_resample", adapter.fit_resample(build(), X_fit, y, indices, size=request))
    if adapter.weights_as_counts:
        repeated = fitted("fit on repeated rows", adapter.fit(build(), X_fit[indices], y[indices], size=request))
        assert _same_predictions(_predict(resampled, X_fit), _predict(repeated, X_fit)), \
            "weights_as_counts is set but counts as weights differ from repeated rows."
    if adapter.fit_batch is not None:
        models = adapter.fit_batch(X_fit, y, np.stack([np.ones(len(X)), counts]), size=request,
                                   random_states=[random_state, random_state + 1])
        assert len(models) == 2, "fit_batch must return one model per row of weights."
        for model in models:
            fitted("fit_batch", model)
    return adapter.measure(plain)


def _predict(model, X):
    return np.asarray(model.predict(X))


def _same_predictions(a: np.ndarray, b: np.ndarray) -> bool:
    """Labels equal; real-valued predictions equal up to rounding (a weighted sum adds in another order):
    to a relative 1e-9, or a thousand units of the last place for float32, against the largest value."""
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        return np.array_equal(a, b)
    if a.shape != b.shape:
        return False
    rtol = max(1e-9, 1e3 * float(np.finfo(np.result_type(a, b)).eps))
    scale = float(np.abs(b).max(initial=0.0))
    return np.allclose(a, b, rtol=rtol, atol=rtol * scale)
