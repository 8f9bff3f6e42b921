"""Getting the small models out of Python: ONNX, C and readable text, and a model card.

``compact.export(model, format=...)`` and ``compact.model_card(result)`` live
here.  (The module is not called ``export``: a submodule of that name would
replace the function ``compact.export`` as soon as it is imported.)

Formats:

``"onnx"``
    An ``onnx.ModelProto`` with one float input ``X`` (rows, features) and, for
    classifiers, the outputs ``label`` (the original labels) and
    ``probabilities`` (rows, classes).  scikit-learn models and pipelines go
    through skl2onnx; the project's own wrappers have converters registered
    with it: :class:`~compact.adapters.DecodedClassifier` (label decoding),
    :class:`~compact.TorchMLPClassifier` (its ``coefs_`` / ``intercepts_`` as
    MatMul, Add and Relu), :class:`~compact.LinearProbabilityClassifier`, and
    xgboost through onnxmltools.  :class:`~compact.TorchModuleClassifier` goes
    through ``torch.onnx.export``.
``"c"``
    C99 source through emlearn for decision trees, random forests and extra
    trees (classifiers and regressors) and MLPs (scikit-learn's
    ``MLPClassifier``, :class:`~compact.TorchMLPClassifier`).  It defines
    ``int32_t NAME_predict(const float *features, int32_t n_features)``
    returning the class index (``NAME_class_labels`` maps it to the label) or,
    for regressors, ``float NAME_predict(...)``.  Tree thresholds and network
    weights are written at full float32 precision (emlearn alone rounds them
    to six decimals), so a tree's C predictions equal scikit-learn's.
    Forests vote with class proportions quantised to 8 bits (emlearn's soft
    voting), which can differ from scikit-learn's averaged probabilities where
    two classes are within about 1/255.  Network code includes emlearn's
    headers: compile with ``-I`` :func:`c_include_dir` ``-lm``.
``"text"``
    Readable rules of trees (scikit-learn's ``export_text``; forests tree by
    tree) and the equations of linear models (non-zero terms only).

The exporters import skl2onnx, onnx, torch and emlearn only when used
(``pip install "compact-learn[export]"``).
"""

from __future__ import annotations

import numbers
import pickle
import platform
import sys
from typing import Any

import numpy as np

__all__ = ["FORMATS", "export", "model_card", "c_include_dir"]

FORMATS = ("onnx", "c", "text")


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------
def export(model, format: str = "onnx", *, path=None, feature_names=None, name: str = "compact_model",
           sample=None, target_opset: int | None = None):
    """Export a fitted small model as ONNX, C source or readable text.

    Parameters
    ----------
    model : fitted estimator, CompactResult or CompactClassifier / CompactRegressor
        A result or meta-estimator is replaced by its small model (``model_`` /
        ``estimator_``).
    format : {"onnx", "c", "text"}
    path : str or path-like, optional
        Also write the export there (ONNX as bytes, C and text as UTF-8).
    feature_names : list of str, optional
        Names used by ``"text"``; defaults to the model's ``feature_names_in_``
        and then ``x[0]``, ``x[1]``, ...
    name : str
        ONNX graph name, or prefix of the C identifiers (a valid C identifier).
    sample : array-like or DataFrame, optional
        ONNX only: a few input rows that fix the input types (needed for a
        pipeline that takes raw DataFrame columns); default one float32 row.
    target_opset : int or dict, optional
        ONNX opset (skl2onnx's latest tested one when None; ``ai.onnx.ml``
        opset 3), or skl2onnx's ``{domain: opset}`` dict.

    Returns
    -------
    onnx.ModelProto for ``"onnx"``, str for ``"c"`` and ``"text"``.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}.")
    model, names = _unwrap(model, feature_names)
    if format == "onnx":
        out = _to_onnx(model, name=name, sample=sample, target_opset=target_opset)
    elif format == "c":
        out = _to_c(model, name=name)
    else:
        out = _to_text(model, names)
    if path is not None:
        if format == "onnx":
            with open(path, "wb") as fh:
                fh.write(out.SerializeToString())
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(out)
    return out


def _unwrap(model, feature_names):
    """The small fitted model inside a result or meta-estimator, and feature names."""
    kind = type(model).__name__
    if kind == "CompactResult" or (hasattr(model, "model_") and hasattr(model, "trials_")):
        names = getattr(model, "feature_names_in_", None)
        model = model.model_
    elif kind in ("CompactClassifier", "CompactRegressor"):
        names = getattr(model, "feature_names_in_", None)
        model = model.estimator_
    else:
        names = None
    if feature_names is not None:
        names = feature_names
    elif names is None:
        names = getattr(model, "feature_names_in_", None)
    return model, None if names is None else [str(n) for n in names]


def _n_features(model) -> int:
    for obj in (model, getattr(model, "estimator_", None)):
        n = getattr(obj, "n_features_in_", None)
        if n is not None:
            return int(n)
    coefs = getattr(model, "coefs_", None)
    if coefs is not None:
        return int(np.asarray(coefs[0]).shape[0])
    raise ValueError(f"Cannot tell the number of features of {type(model).__name__}; pass sample=.")


def _is_classifier(model) -> bool:
    return getattr(model, "classes_", None) is not None and hasattr(model, "predict_proba")


# ---------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------
def _label_kind(classes):
    """(numpy dtype of the ONNX label tensor, the labels in it)."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "iub":
        return np.int64, classes.astype(np.int64)
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        return np.int64, classes.astype(np.int64)
    return np.str_, np.array([str(c) for c in classes], dtype=object)


def _classifier_shapes(operator):
    """Outputs of a classifier converter: label (N,) and probabilities (N, K)."""
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType

    n = operator.inputs[0].get_first_dimension()
    dtype, _ = _label_kind(operator.raw_operator.classes_)
    operator.outputs[0].type = Int64TensorType([n]) if dtype is np.int64 else StringTensorType([n])
    operator.outputs[1].type = FloatTensorType([n, len(operator.raw_operator.classes_)])


def _add_initializer(scope, container, base, values):
    from onnx import TensorProto

    name = scope.get_unique_variable_name(base)
    values = np.asarray(values)
    shape = list(values.shape)
    if values.dtype == object:
        container.add_initializer(name, TensorProto.STRING, shape, [str(v).encode() for v in values.ravel()])
    elif values.dtype.kind in "iu":
        container.add_initializer(name, TensorProto.INT64, shape, values.astype(np.int64).ravel().tolist())
    else:
        container.add_initializer(name, TensorProto.FLOAT, shape, values.astype(np.float32).ravel().tolist())
    return name


def _node(scope, container, op_type, inputs, outputs=None, **attrs):
    """Add one ONNX node; returns its output name."""
    if outputs is None:
        outputs = [scope.get_unique_variable_name(op_type.lower())]
    container.add_node(op_type, inputs, outputs, name=scope.get_unique_operator_name(op_type), **attrs)
    return outputs[0]


def _decode_labels(scope, container, operator, index_name):
    """``label = classes_[index]`` into the operator's first output."""
    _, labels = _label_kind(operator.raw_operator.classes_)
    classes = _add_initializer(scope, container, "classes", labels)
    _node(scope, container, "Gather", [classes, index_name], [operator.outputs[0].full_name], axis=0)


def _convert_torch_mlp(scope, operator, container):
    """TorchMLPClassifier: MatMul + Add per layer, Relu between, Softmax and ArgMax at the end."""
    op = operator.raw_operator
    k = len(op.classes_)
    h = operator.inputs[0].full_name
    layers = list(zip(op.coefs_, op.intercepts_))
    for i, (w, b) in enumerate(layers):
        w, b = np.asarray(w, dtype=np.float32), np.asarray(b, dtype=np.float32).reshape(-1)
        if i == len(layers) - 1:
            w, b = w[:, :k], b[:k]
        h = _node(scope, container, "MatMul", [h, _add_initializer(scope, container, "W", w)])
        h = _node(scope, container, "Add", [h, _add_initializer(scope, container, "B", b)])
        if i < len(layers) - 1:
            h = _node(scope, container, "Relu", [h])
    _node(scope, container, "Softmax", [h], [operator.outputs[1].full_name], axis=1)
    index = _node(scope, container, "ArgMax", [h], axis=1, keepdims=0)
    _decode_labels(scope, container, operator, index)


def _convert_linear_probability(scope, operator, container):
    """LinearProbabilityClassifier: per-class linear scores, clipped and normalised."""
    op = operator.raw_operator
    coef = np.asarray(op.coef_, dtype=np.float32)
    scores = _node(scope, container, "MatMul", [operator.inputs[0].full_name,
                                                _add_initializer(scope, container, "W", coef.T)])
    scores = _node(scope, container, "Add", [scores, _add_initializer(scope, container, "B", op.intercept_)])
    zero = _add_initializer(scope, container, "zero", np.array(0.0, dtype=np.float32))
    one = _add_initializer(scope, container, "one", np.array(1.0, dtype=np.float32))
    clipped = _node(scope, container, "Clip", [scores, zero, one])
    if len(op.classes_) == 2:
        half = _add_initializer(scope, container, "half", np.array(0.5, dtype=np.float32))
        positive = _node(scope, container, "Greater", [scores, half])
        index = _node(scope, container, "Cast", [positive], to=7)  # INT64
        index = _node(scope, container, "Squeeze", [index, _add_initializer(scope, container, "axis", np.array([1]))])
        rest = _node(scope, container, "Sub", [one, clipped])
        _node(scope, container, "Concat", [rest, clipped], [operator.outputs[1].full_name], axis=1)
    else:
        index = _node(scope, container, "ArgMax", [scores], axis=1, keepdims=0)
        total = _node(scope, container, "ReduceSum", [clipped, _add_initializer(scope, container, "axis",
                                                                                 np.array([1]))], keepdims=1)
        ratio = _node(scope, container, "Div", [clipped, total])
        uniform = _add_initializer(scope, container, "uniform",
                                   np.full(len(op.classes_), 1.0 / len(op.classes_), dtype=np.float32))
        has_mass = _node(scope, container, "Greater", [total, zero])
        _node(scope, container, "Where", [has_mass, ratio, uniform], [operator.outputs[1].full_name])
    _decode_labels(scope, container, operator, index)


def _convert_decoded(scope, operator, container):
    """DecodedClassifier: the wrapped classifier's ONNX graph, its label codes mapped to the labels."""
    from skl2onnx.algebra.onnx_operator import OnnxSubEstimator
    from skl2onnx.algebra.onnx_ops import OnnxGather, OnnxIdentity

    op = operator.raw_operator
    opv = container.target_opset
    sub = OnnxSubEstimator(op.estimator_, operator.inputs[0], op_version=opv, options={"zipmap": False})
    _, labels = _label_kind(op.classes_)
    label = OnnxGather(labels, sub[0], axis=0, op_version=opv, output_names=[operator.outputs[0]])
    proba = OnnxIdentity(sub[1], op_version=opv, output_names=[operator.outputs[1]])
    label.add_to(scope, container)
    proba.add_to(scope, container)


_REGISTERED = False


def _register_converters():
    """Teach skl2onnx the project's own classifiers (and xgboost, through onnxmltools)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from skl2onnx import update_registered_converter

    from .adapters import DecodedClassifier
    from .linear_probability import LinearProbabilityClassifier
    from .neural import TorchMLPClassifier

    options = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
    for cls, convert in ((DecodedClassifier, _convert_decoded), (TorchMLPClassifier, _convert_torch_mlp),
                         (LinearProbabilityClassifier, _convert_linear_probability)):
        update_registered_converter(cls, f"Compact{cls.__name__}", _classifier_shapes, convert, options=options)
    try:
        from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
        from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
        from xgboost import XGBClassifier
    except ImportError:  # xgboost export needs onnxmltools
        pass
    else:
        update_registered_converter(XGBClassifier, "XGBoostXGBClassifier", calculate_linear_classifier_output_shapes,
                                    convert_xgboost, options=options)
    _REGISTERED = True


def _classifiers(model):
    """Every classifier inside ``model`` (pipelines and wrappers walked), for skl2onnx options."""
    found = []
    stack = [model]
    while stack:
        est = stack.pop()
        if hasattr(est, "steps"):
            stack.extend(step for _, step in est.steps if step not in (None, "passthrough"))
        elif _is_classifier(est):
            found.append(est)
    return found


def _to_onnx(model, *, name, sample, target_opset):
    try:
        import skl2onnx  # noqa: F401
    except ImportError as exc:
        raise ImportError('ONNX export needs skl2onnx: pip install "compact-learn[export]"') from exc
    if type(model).__name__ == "TorchModuleClassifier":
        return _torch_module_onnx(model, name=name, target_opset=target_opset)
    _register_converters()
    from skl2onnx import to_onnx

    if sample is None:
        sample = np.zeros((1, _n_features(model)), dtype=np.float32)
    elif not hasattr(sample, "columns"):
        sample = np.asarray(sample, dtype=np.float32)
    if target_opset is None:
        from skl2onnx import get_latest_tested_opset_version

        target_opset = get_latest_tested_opset_version()
    if isinstance(target_opset, numbers.Integral):  # skl2onnx converts tree ensembles up to ai.onnx.ml 3
        target_opset = {"": int(target_opset), "ai.onnx.ml": 3}
    options = {id(est): {"zipmap": False} for est in _classifiers(model)}
    return to_onnx(model, sample, name=name, target_opset=target_opset, options=options or None)


def _torch_module_onnx(model, *, name, target_opset):
    """TorchModuleClassifier: torch.onnx's graph of the module, then Softmax, ArgMax and the labels."""
    import io
    import warnings

    import onnx
    import torch
    from onnx import TensorProto, helper, numpy_helper

    module = model.module_.eval()
    n_features = _n_features(model)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated in favour of onnxscript's
        torch.onnx.export(module, (torch.zeros(1, n_features),), buffer, dynamo=False, input_names=["X"],
                          output_names=["logits"], opset_version=target_opset if isinstance(target_opset, int) else 17,
                          dynamic_axes={"X": {0: "N"}, "logits": {0: "N"}})
    proto = onnx.load_from_string(buffer.getvalue())
    graph = proto.graph
    proto.graph.name = name
    k = len(model.classes_)
    dtype, labels = _label_kind(model.classes_)
    graph.initializer.extend([
        numpy_helper.from_array(np.array([0], dtype=np.int64), "compact_start"),
        numpy_helper.from_array(np.array([k], dtype=np.int64), "compact_end"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "compact_axis"),
        (numpy_helper.from_array(labels, "compact_classes") if dtype is np.int64 else
         helper.make_tensor("compact_classes", TensorProto.STRING, [k], [str(v).encode() for v in labels])),
    ])
    graph.node.extend([
        helper.make_node("Slice", ["logits", "compact_start", "compact_end", "compact_axis"], ["compact_logits"]),
        helper.make_node("Softmax", ["compact_logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["compact_logits"], ["compact_index"], axis=1, keepdims=0),
        helper.make_node("Gather", ["compact_classes", "compact_index"], ["label"], axis=0),
    ])
    del graph.output[:]
    label_type = TensorProto.INT64 if dtype is np.int64 else TensorProto.STRING
    graph.output.extend([helper.make_tensor_value_info("label", label_type, ["N"]),
                         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", k])])
    onnx.checker.check_model(proto)
    return proto


# ---------------------------------------------------------------------------
# C (emlearn)
# ---------------------------------------------------------------------------
class _CFloat(float):
    """A float that emlearn prints at full float32 precision.

    emlearn formats constants with ``"{:.6f}f"``, which moves tree thresholds
    and zeroes small weights; this ``__format__`` writes the shortest decimal
    that reads back as the same float32 instead.
    """

    def __format__(self, spec):
        text = np.format_float_positional(np.float32(self), unique=True, trim="0") if spec.endswith("f") \
            else float.__format__(self, spec)
        if spec.endswith("f") and text.endswith("."):
            text += "0"
        return text


def _exact(values):
    """An object array of :class:`_CFloat` with the shape of ``values``."""
    values = np.asarray(values, dtype=np.float32)
    out = np.empty(values.shape, dtype=object)
    out.ravel()[:] = [_CFloat(v) for v in values.ravel()]
    return out


class _Tree:
    """The parts of ``sklearn.tree._tree.Tree`` emlearn reads, with C-exact thresholds.

    scikit-learn sends a float32 feature ``x`` left when ``x <= threshold``
    (a float64); emlearn's C tests ``x < t``.  With ``t`` the float32 just
    above the largest float32 not above ``threshold``, both agree on every
    float32 input.
    """

    def __init__(self, tree, regression):
        thr = np.asarray(tree.threshold, dtype=np.float64)
        t32 = thr.astype(np.float32)
        t32 = np.where(t32.astype(np.float64) > thr, np.nextafter(t32, np.float32(-np.inf)), t32)
        t32 = np.nextafter(t32, np.float32(np.inf))
        self.node_count = tree.node_count
        self.children_left = tree.children_left
        self.children_right = tree.children_right
        self.feature = tree.feature
        self.threshold = [_CFloat(t) for t in t32]
        self.value = _exact(tree.value) if regression else np.asarray(tree.value)


class _Forest:
    """What emlearn's tree wrapper reads from an estimator."""

    def __init__(self, model, regression):
        estimators = list(getattr(model, "estimators_", [model]))
        self.estimators_ = [_Estimator(e, regression) for e in estimators]


class _TreesRegressor(_Forest):
    """Regression trees: emlearn tells them by "Regressor" in the class name."""


class _Estimator:
    def __init__(self, est, regression):
        self.tree_ = _Tree(est.tree_, regression)
        self.n_features_in_ = est.n_features_in_
        self.n_classes_ = getattr(est, "n_classes_", None)


def _import_emlearn():
    """emlearn, imported without keeping its ``numpy.seterr(all="raise")`` (emlearn.bayes sets it)."""
    state = np.geterr()
    try:
        import emlearn
        import emlearn.net
        import emlearn.trees
    except ImportError as exc:
        raise ImportError('C export needs emlearn: pip install "compact-learn[export]"') from exc
    finally:
        np.seterr(**state)
    return emlearn


def c_include_dir() -> str:
    """Folder of emlearn's C headers (``-I`` for network code exported as C)."""
    emlearn = _import_emlearn()

    return emlearn.includedir if hasattr(emlearn, "includedir") else emlearn.common.get_include_dir()


def _c_labels(name, classes) -> str:
    labels = ", ".join('"' + str(c).replace("\\", "\\\\").replace('"', '\\"') + '"' for c in classes)
    return (f"\n/* {name}_predict returns an index into this table of the original labels. */\n"
            f"static const char *const {name}_class_labels[{len(classes)}] = {{ {labels} }};\n")


def _to_c(model, *, name):
    _import_emlearn()
    from emlearn import cgen

    cgen.assert_valid_identifier(name)
    classes = getattr(model, "classes_", None)
    inner = _inner(model)
    kind = type(inner).__name__
    header = (f"/* {kind} exported by compact (compact-learn) through emlearn.\n"
              f" * Features: float[{_n_features(inner)}], in training column order. */\n")
    if kind in ("DecisionTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier",
                "DecisionTreeRegressor", "RandomForestRegressor", "ExtraTreesRegressor"):
        from emlearn import trees

        regression = kind.endswith("Regressor")
        if regression:  # emlearn reads "Regressor" in the class name: leaves hold values
            wrapper = trees.Wrapper(_TreesRegressor(inner, True), "inline", dtype="float")
        else:  # one tree: the argmax class in each leaf; forests: soft voting on 8-bit proportions
            leaf_bits = 8 if hasattr(inner, "estimators_") else 0
            wrapper = trees.Wrapper(_Forest(inner, False), "inline", dtype="float", leaf_bits=leaf_bits)
        code = wrapper.save(name=name)
    elif kind in ("MLPClassifier", "TorchMLPClassifier"):
        from emlearn import net

        weights = [np.asarray(w, dtype=np.float32) for w in inner.coefs_]
        biases = [np.asarray(b, dtype=np.float32).reshape(-1) for b in inner.intercepts_]
        if kind == "MLPClassifier":
            activations = [inner.activation] * (len(weights) - 1) + [inner.out_activation_]
        else:  # logits of the real classes; argmax is softmax's argmax
            k = len(inner.classes_)
            weights[-1], biases[-1] = weights[-1][:, :k], biases[-1][:k]
            activations = ["relu"] * (len(weights) - 1) + ["softmax"]
        # emlearn's "loadable" network (its "inline" code generator fails on the activation constants)
        code = net.c_generate_net_loadable(activations, [_exact(w) for w in weights], [_exact(b) for b in biases],
                                           prefix=name)
        header += ("/* Needs emlearn's headers: gcc -I\"$(python -c 'import compact.deployment as d; "
                   "print(d.c_include_dir())')\" ... -lm */\n")
    else:
        raise ValueError(f"C export supports decision trees, random forests, extra trees and MLPs, "
                         f"not {kind}; use format='onnx'.")
    if classes is not None and not kind.endswith("Regressor"):
        code += _c_labels(name, classes)
    return header + code


# ---------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------
def _to_text(model, names):
    classes = getattr(model, "classes_", None)
    inner = _inner(model)
    n = _n_features(inner)
    names = list(names) if names is not None else [f"x[{i}]" for i in range(n)]
    if hasattr(inner, "tree_"):
        # a tree inside DecodedClassifier was fitted on class codes: show the labels
        return _tree_text(inner, names, classes if inner is not model else None)
    if hasattr(inner, "estimators_") and all(hasattr(e, "tree_") for e in np.ravel(inner.estimators_)):
        parts = [f"{type(inner).__name__} of {len(inner.estimators_)} trees"
                 + (" (the prediction averages the trees' class probabilities)" if classes is not None else
                    " (the prediction is the mean of the trees)")]
        for i, est in enumerate(np.ravel(inner.estimators_)):
            # a forest's trees predict class codes 0..K-1
            parts.append(f"\ntree {i}:\n" + _tree_text(est, names, classes))
        return "\n".join(parts)
    if hasattr(inner, "coef_"):
        return _linear_text(inner, names, classes)
    raise ValueError(f"Text export supports trees, forests of trees and linear models, not {type(inner).__name__}.")


def _tree_text(tree, names, decode=None):
    """``export_text`` of one tree; ``decode`` maps its class codes to labels."""
    from sklearn.tree import export_text

    kwargs = {}
    if getattr(tree, "classes_", None) is not None:
        codes = tree.classes_
        kwargs["class_names"] = [str(decode[int(c)]) if decode is not None else str(c) for c in codes]
    return export_text(tree, feature_names=list(names), decimals=3, **kwargs)


def _term(weight, name):
    return f"{'-' if weight < 0 else '+'} {abs(weight):.6g} * {name}"


def _equation(lhs, coef, intercept, names):
    terms = [_term(w, n) for w, n in zip(coef, names) if w != 0]
    return f"{lhs} = {intercept:.6g} " + " ".join(terms) if terms else f"{lhs} = {intercept:.6g}"


def _linear_text(model, names, classes):
    coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
    intercept = np.atleast_1d(np.asarray(getattr(model, "intercept_", np.zeros(coef.shape[0])), dtype=float))
    kind = type(model).__name__
    lines = [f"{kind}: {int(np.count_nonzero(coef))} non-zero coefficients"]
    if classes is None:
        target = "y" if coef.shape[0] == 1 else None
        for j in range(coef.shape[0]):
            lines.append(_equation(target or f"y[{j}]", coef[j], intercept[j], names))
        return "\n".join(lines)
    if coef.shape[0] == 1:
        if kind == "LinearProbabilityClassifier":
            lines.append(_equation("score", coef[0], intercept[0], names))
            lines.append(f"predict {classes[1]!s} when score > 0.5, else {classes[0]!s}")
        else:
            lines.append(_equation(f"log-odds({classes[1]!s})", coef[0], intercept[0], names))
            lines.append(f"predict {classes[1]!s} when log-odds > 0, else {classes[0]!s}")
        return "\n".join(lines)
    for j, label in enumerate(classes):
        lines.append(_equation(f"score({label!s})", coef[j], intercept[j], names))
    lines.append("predict the class with the highest score")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# model card
# ---------------------------------------------------------------------------
_VERSIONED = ("compact-learn", "numpy", "scikit-learn", "scipy", "optuna", "xgboost", "torch", "joblib", "pandas")


def _plain(value):
    """JSON-safe Python value."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    return str(value)


def library_versions() -> dict[str, str]:
    """Python and the installed versions of compact and the libraries it uses."""
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for dist in _VERSIONED:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def size_units(model) -> dict[str, int]:
    """Every size unit of a fitted model that can be read from it.

    Trees: depth, leaves, nodes; forests and boosting: number of trees, total
    leaves, deepest tree; linear: non-zero coefficients and intercepts; nets:
    dense and non-zero parameters; every model: ``model_bytes`` (its pickle).
    The family adapter's ``size_report`` (or ``measure``) adds its own units.
    """
    inner = _inner(model)
    units: dict[str, int] = {}
    if hasattr(inner, "tree_"):
        units.update(depth=int(inner.get_depth()), leaves=int(inner.get_n_leaves()), nodes=int(inner.tree_.node_count))
    elif hasattr(inner, "estimators_") and all(hasattr(e, "tree_") for e in np.ravel(inner.estimators_)):
        trees = list(np.ravel(inner.estimators_))
        units.update(n_trees=len(trees), total_leaves=int(sum(t.get_n_leaves() for t in trees)),
                     max_depth=int(max(t.get_depth() for t in trees)))
    if hasattr(inner, "coef_"):
        coef = np.asarray(inner.coef_)
        units.update(nonzero_coefs=int(np.count_nonzero(coef)),
                     intercepts=int(np.size(getattr(inner, "intercept_", 0))))
    if hasattr(inner, "coefs_"):
        params = [np.asarray(a) for a in list(inner.coefs_) + list(inner.intercepts_)]
        units.update(dense_params=int(sum(p.size for p in params)),
                     nonzero_params=int(sum(np.count_nonzero(p) for p in params)))
    elif hasattr(inner, "module_"):
        units["dense_params"] = int(sum(p.numel() for p in inner.module_.parameters()))
        units["nonzero_params"] = int(sum(int((p != 0).sum()) for p in inner.module_.parameters()))
    try:
        from .adapters import get_adapter

        adapter = get_adapter(inner)
        report = adapter.size_report(inner) if hasattr(adapter, "size_report") else adapter.measure(inner)
        units.update({str(k): int(v) for k, v in report.items()})
    except Exception:  # a family without an adapter still gets the units above
        pass
    try:
        units["model_bytes"] = len(pickle.dumps(model))
    except Exception:
        pass
    return units


def model_card(result, *, feature_names=None) -> dict[str, Any]:
    """How a compacted model was made, as a JSON-safe dict.

    Parameters
    ----------
    result : CompactResult
        What :func:`compact.fit` returned.
    feature_names : list of str, optional
        Defaults to ``result.feature_names_in_`` (a DataFrame's columns), then
        ``x[0]``, ``x[1]``, ...

    Returns
    -------
    dict with ``model``, ``task``, ``feature_names``, ``classes``, ``size``
    (requested, measured, and every unit of :func:`size_units`), ``scores``
    (scorer, baseline and compacted scores, and ``score_on``, the rows they
    were taken on; the keys keep their names ``*_validation``), ``distribution``
    (method, weights mode and the chosen distribution parameters),
    ``search`` (trials, seconds, oracle), ``random_state`` and ``versions``.
    """
    model = result.model_
    names = feature_names if feature_names is not None else getattr(result, "feature_names_in_", None)
    if names is None:
        try:
            names = [f"x[{i}]" for i in range(_n_features(model))]
        except ValueError:
            names = None
    classes = getattr(result, "classes_", None)
    inner = _inner(model)
    scores = {
        "scoring": getattr(result, "scoring", None),
        "score_on": getattr(result, "score_on", "validation"),
        "baseline_validation": getattr(result, "baseline_score_", None),
        "compacted_validation": getattr(result, "best_score_", None),
        "improvement": getattr(result, "best_score_", 0.0) - getattr(result, "baseline_score_", 0.0),
    }
    if hasattr(result, "best_draw_score_"):
        scores["compacted_validation_draw"] = result.best_draw_score_
    trials = list(getattr(result, "trials_", []) or [])
    card = {
        "model": type(inner).__name__ if inner is model else f"{type(model).__name__}({type(inner).__name__})",
        "model_params": {k: v for k, v in inner.get_params(deep=False).items()
                         if v is None or isinstance(v, (str, numbers.Number, bool, tuple, list))}
        if hasattr(inner, "get_params") else {},
        "task": "regression" if classes is None else "classification",
        "n_features": None if names is None else len(names),
        "feature_names": names,
        "classes": classes,
        "size": {
            "requested": getattr(result, "requested_size", None),
            "measured": getattr(result, "size_", None),
            "units": size_units(model),
        },
        "scores": scores,
        "distribution": {
            "method": getattr(result, "method", None),
            "weights_mode": getattr(result, "weights_mode", None),
            "params": dict(getattr(result, "best_params_", {}) or {}),
        },
        "search": {
            "n_trials": len(trials),
            "trials_stopped_early": sum(bool(getattr(t, "stopped", False)) for t in trials),
            "models_trained": sum(getattr(t, "fits", None) or len(t.scores) for t in trials),
            "fit_seconds": getattr(result, "fit_seconds_", None),
            "interrupted": getattr(result, "interrupted_", None),
            "oracle": None if getattr(result, "oracle_", None) is None else type(result.oracle_).__name__,
        },
        "random_state": getattr(result, "random_state_", None),
        "versions": library_versions(),
        "platform": f"{platform.system()} {platform.machine()}, Python {sys.version.split()[0]}",
    }
    return _plain(card)


def _inner(model):
    """The family's own model inside a label-decoding wrapper (``Adapter.unwrap``)."""
    from .adapters import Adapter

    return Adapter.unwrap(model)
