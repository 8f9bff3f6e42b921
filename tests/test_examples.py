"""The examples run as written."""

import pathlib
import runpy

from compact.adapters import _REGISTRY

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def test_custom_adapter_example(capsys):
    before = list(_REGISTRY)
    try:
        runpy.run_path(str(EXAMPLES / "custom_adapter.py"), run_name="__main__")
    finally:
        _REGISTRY[:] = before
    out = capsys.readouterr().out
    assert "hidden units: 2" in out
    scores = [float(line.split()[-1]) for line in out.splitlines() if "F1-macro" in line]
    assert len(scores) == 2 and scores[1] >= 0.9


def test_pipeline_example(capsys):
    runpy.run_path(str(EXAMPLES / "pipeline.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "same predictions after joblib.load: True" in out
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy > 0.8
