"""The files a user expects: a free distribution name, ranges not pins, one version, licence, citation."""

import pathlib
import re
from importlib import metadata

import pytest

import compact

ROOT = pathlib.Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_distribution_name_is_not_the_taken_one():
    assert PROJECT["name"] == compact.DISTRIBUTION == "compact-learn"


def test_version_is_written_once():
    assert compact.__version__ == metadata.version("compact-learn") == PROJECT["version"]
    assert PROJECT["version"] not in (ROOT / "compact" / "__init__.py").read_text()


def test_dependencies_are_ranges_and_constraints_pin_them():
    for requirement in PROJECT["dependencies"]:
        assert "==" not in requirement, requirement
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "constraints.txt").read_text(), flags=re.M))
    assert pins["torch"] == "2.13.0"
    names = {re.split(r"[<>=\[ ]", r)[0].lower() for r in PROJECT["dependencies"]}
    for extra in ("plot", "export", "docs"):
        names |= {re.split(r"[<>=\[ ]", r)[0].lower() for r in PROJECT["optional-dependencies"][extra]}
    assert names <= set(pins), names - set(pins)


def test_licence_changelog_and_citation():
    assert "BSD 3-Clause" in (ROOT / "LICENSE").read_text()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and "Keep a Changelog" in changelog
    citation = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in citation
    assert "1905.01520" in citation and "1906.06852" in citation
    assert "Interpretability With Accurate Small Models" in citation
