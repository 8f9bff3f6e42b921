"""The README's commands and quickstart must work as written."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_two_setup_commands_are_what_ci_runs():
    setup = [line for line in blocks("bash")[0].splitlines() if line.strip()]
    assert len(setup) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    for command in setup:
        assert command in ci


def test_quickstart_runs_as_written(capsys):
    quickstart = blocks("python")[0]
    assert len(quickstart.strip().splitlines()) <= 12
    namespace = {}
    exec(compile(quickstart, "README quickstart", "exec"), namespace)
    result = namespace["result"]
    assert result.size_ <= 3 and result.best_score_ > result.baseline_score_
    printed = capsys.readouterr().out.split()
    assert float(printed[-1]) > 0.4  # test F1-macro of the compacted depth-3 tree
