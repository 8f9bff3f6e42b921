"""Trials kept in an Optuna storage: resume, several worker processes sharing a study, compact.storage."""

import os
import subprocess
import sys
import threading
import time

import numpy as np
import optuna
import pytest
import storage_worker  # tests/storage_worker.py
from joblib import Parallel, delayed
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

import compact
from compact.storage import (
    ask,
    create_or_load_study,
    enqueue_once,
    fail_stale_trials,
    heartbeat_enabled,
    keep_alive,
    resolve_storage,
    single_process_only,
)


def run(X, y, storage, n_trials, random_state=3, **kw):
    return compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=n_trials,
                       n_draws=2, random_state=random_state, storage=storage, study_name="s", **kw)


def assert_chosen(result):
    """``model_`` comes from the trial the selection rule names: on training + validation rows (a tree
    classifier's default) the top draw of any trial, else the best trial by mean, its top draw."""
    if result.score_on == "train+validation":
        trial = max(result.trials_, key=lambda t: (max(t.scores), -t.number))
        assert result.best_score_ == result.best_draw_score_
    else:
        trial = max((t for t in result.trials_ if not t.stopped), key=lambda t: (t.score, -t.number))
        assert result.best_score_ == trial.score
    assert result.best_params_ == trial.params and result.best_draw_score_ == max(trial.scores)


def test_resume_continues_and_loses_no_trial(small_data, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = run(X, y, storage, 6)
    assert [t.number for t in first.trials_] == list(range(6))
    second = run(X, y, storage, 10, random_state=None)  # the seed is taken from the study
    assert [t.number for t in second.trials_] == list(range(10))
    for a, b in zip(first.trials_, second.trials_):  # the first six come back unchanged
        assert a.params == b.params and a.scores == b.scores and (a.stopped, a.fits) == (b.stopped, b.fits)
    assert second.random_state_ == 3
    # The best model is a real model of its trial, refitted if it came from the first run.
    assert_chosen(second)
    assert second.model_.score(X, y) > 0.5
    assert second.baseline_score_ == first.baseline_score_
    again = run(X, y, storage, 10)  # nothing left to do: no new trial
    assert len(again.trials_) == 10 and again.best_score_ == second.best_score_


def test_a_study_begun_without_class_balance_continues_with_it(small_data, tmp_path):
    # As a study begun before class_balance existed: seven variables, no class_balance (nor score_on,
    # which came later) in its settings.
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = run(X, y, storage, 5, class_balance=False, score_on="validation")
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    settings = dict(study.user_attrs["compact"])
    assert settings.pop("class_balance") is False and settings.pop("score_on") == "validation"
    study.set_user_attr("compact", settings)
    second = run(X, y, storage, 9, score_on="validation")
    assert [t.params for t in second.trials_[:5]] == [{**t.params, "class_balance": 0.0} for t in first.trials_]
    assert [t.scores for t in second.trials_[:5]] == [t.scores for t in first.trials_]
    assert all("class_balance" in t.params for t in second.trials_) and len(second.trials_) == 9
    # Its trial 0 is the original distribution already: not queued again (it was, before the fix).
    original = {**first.trials_[0].params, "class_balance": 0.0}
    assert [t.number for t in second.trials_ if t.params == original] == [0]
    with pytest.raises(ValueError, match="was run with class_balance=True; this run has class_balance=False"):
        run(X, y, storage, 10, class_balance=False, score_on="validation")


def test_a_study_begun_before_score_on_continues_only_on_validation_rows(small_data, tmp_path):
    # Its trials were scored on the validation part: a tree's default (training rows too) would mix scores.
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = run(X, y, storage, 4, score_on="validation")
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    settings = dict(study.user_attrs["compact"])
    settings.pop("score_on")
    study.set_user_attr("compact", settings)
    refused = "was run with score_on='validation'; this run has score_on='train\\+validation'"
    with pytest.raises(ValueError, match=refused):
        run(X, y, storage, 6)
    second = run(X, y, storage, 6, score_on="validation")
    assert [t.scores for t in second.trials_[:4]] == [t.scores for t in first.trials_] and len(second.trials_) == 6


def test_sqlite_storage(small_data, tmp_path):
    X, y = small_data
    result = run(X, y, f"sqlite:///{tmp_path / 'runs.db'}", 4)
    assert len(result.trials_) == 4


def test_mismatched_continuation_is_refused(small_data, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    run(X, y, storage, 3)
    with pytest.raises(ValueError, match="random_state=3"):
        run(X, y, storage, 5, random_state=4)
    with pytest.raises(ValueError, match="rows"):
        run(X[:-5], y[:-5], storage, 5)
    with pytest.raises(ValueError, match="needs a storage"):
        compact.fit(DecisionTreeClassifier(), X, y, size=2, study_name="s")


def test_a_continued_study_must_have_the_same_data_and_settings(small_data, tmp_path):
    """Scores of one study must mean the same: other data of as many rows, other estimator parameters,
    draws per trial, scorer or oracle are refused with one line naming what differs."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score, f1_score, make_scorer

    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    run(X, y, storage, 3)
    refusals = {
        r"data_hash='[0-9a-f]{16}'; this run has data_hash='[0-9a-f]{16}'":
            lambda: run(X, np.random.default_rng(1).permutation(y), storage, 5),
        r"data_hash=": lambda: run(X, y, storage, 5, validation_size=0.3),
        r"params.criterion='gini'; this run has params.criterion='entropy'":
            lambda: compact.fit(DecisionTreeClassifier(criterion="entropy"), X, y, size=2, oracle=GaussianNB(),
                                n_trials=5, n_draws=2, random_state=3, storage=storage, study_name="s"),
        r"n_draws=2; this run has n_draws=3": lambda: compact.fit(
            DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=5, n_draws=3, random_state=3,
            storage=storage, study_name="s"),
        r"oracle.params.var_smoothing=1e-09; this run has oracle.params.var_smoothing=0.01": lambda: compact.fit(
            DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(var_smoothing=0.01), n_trials=5, n_draws=2,
            random_state=3, storage=storage, study_name="s"),
    }
    for match, call in refusals.items():
        with pytest.raises(ValueError, match=match) as err:
            call()
        assert "\n" not in str(err.value)
    # Two make_scorer objects share a name (_Scorer) but not their description.
    macro = make_scorer(f1_score, average="macro")
    run(X, y, str(tmp_path / "scorer.journal"), 3, scoring=macro)
    run(X, y, str(tmp_path / "scorer.journal"), 4, scoring=make_scorer(f1_score, average="macro"))
    refused = r"scorer\.scorer='\S*f1_score'; this run has .*scorer\.scorer='\S*accuracy_score'"
    with pytest.raises(ValueError, match=refused):
        run(X, y, str(tmp_path / "scorer.journal"), 5, scoring=make_scorer(accuracy_score))
    # Threads are not a setting of the search: a forest continues with another n_jobs.
    forest = dict(size=2, oracle=GaussianNB(), n_trials=2, n_draws=2, random_state=3, storage=str(tmp_path / "f.j"),
                  study_name="s")
    compact.fit(RandomForestClassifier(n_estimators=3, n_jobs=1), X, y, **forest)
    more = compact.fit(RandomForestClassifier(n_estimators=3, n_jobs=2), X, y, **{**forest, "n_trials": 3})
    assert len(more.trials_) == 3


def test_a_study_begun_before_the_full_fingerprint_continues_and_records_it(small_data, tmp_path):
    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    first = run(X, y, storage, 3)
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    newer = ("data_hash", "params", "scorer", "n_draws", "weights_mode", "flatten", "oracle")
    settings = {k: v for k, v in study.user_attrs["compact"].items() if k not in newer}
    study.set_user_attr("compact", settings)
    second = run(X, y, storage, 5)
    assert [t.scores for t in second.trials_[:3]] == [t.scores for t in first.trials_]
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    assert set(newer) <= set(study.user_attrs["compact"])  # recorded now, checked from here on
    with pytest.raises(ValueError, match="data_hash="):
        run(X, y[::-1].copy(), storage, 6)


def test_settings_that_do_not_change_the_scores_continue_the_study(small_data, tmp_path):
    """Threads at any depth (the oracle's), a scorer's argument object of another identity, and a
    parameter that a library added or dropped since do not refuse a study."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score, fbeta_score, make_scorer

    class Helper:  # an object argument: its repr holds its address
        pass

    def f1_with(y_true, y_pred, helper=None):
        return f1_score(y_true, y_pred, average="macro")

    X, y = small_data
    storage = str(tmp_path / "runs.journal")
    kw = dict(size=2, n_trials=2, n_draws=2, random_state=3, storage=storage, study_name="s", class_balance=False)
    scorer = make_scorer(f1_with, helper=Helper())
    assert "0x" in repr(scorer)
    plain = make_scorer(fbeta_score, beta=2, average="macro")
    compact.fit(DecisionTreeClassifier(), X, y, oracle=RandomForestClassifier(n_estimators=3, n_jobs=1),
                scoring=plain, **kw)
    again = compact.fit(DecisionTreeClassifier(), X, y, oracle=RandomForestClassifier(n_estimators=3, n_jobs=2),
                        scoring=make_scorer(fbeta_score, beta=2, average="macro"), **{**kw, "n_trials": 3})
    assert len(again.trials_) == 3
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    settings = dict(study.user_attrs["compact"])
    settings["params"] = {**settings["params"], "removed_since": 1}
    del settings["params"]["ccp_alpha"]  # as if added since
    study.set_user_attr("compact", settings)
    assert len(compact.fit(DecisionTreeClassifier(), X, y, oracle=RandomForestClassifier(n_estimators=3),
                           scoring=plain, **{**kw, "n_trials": 4}).trials_) == 4
    with pytest.raises(ValueError, match=r"params.max_features=None; this run has params.max_features='sqrt'"):
        compact.fit(DecisionTreeClassifier(max_features="sqrt"), X, y, oracle=RandomForestClassifier(n_estimators=3),
                    scoring=plain, **{**kw, "n_trials": 5})
    # The scorer's object argument is described by its type, not its address.
    first = compact.fit(DecisionTreeClassifier(), X, y, oracle=GaussianNB(), scoring=scorer,
                        **{**kw, "storage": str(tmp_path / "scorer.journal")})
    second = compact.fit(DecisionTreeClassifier(), X, y, oracle=GaussianNB(),
                         scoring=make_scorer(f1_with, helper=Helper()),
                         **{**kw, "storage": str(tmp_path / "scorer.journal"), "n_trials": 3})
    assert [t.scores for t in second.trials_[:2]] == [t.scores for t in first.trials_]


def test_a_differing_dict_setting_names_entries_one_side_lacks(tmp_path):
    study = create_or_load_study(None, "s", direction="maximize", settings={"size": {"max_depth": 2}})
    from compact.storage import check_settings

    with pytest.raises(ValueError, match=r"size.max_depth=2, size.max_leaf_nodes='<absent>'; this run has "
                                         r"size.max_depth='<absent>', size.max_leaf_nodes=4"):
        check_settings(study, {"size": {"max_leaf_nodes": 4}})
    # Estimator parameters (lenient) are compared on the names both runs have, but a value is compared whole:
    # a class weight dropped from a dict is a change, a parameter that a library added is not.
    study = create_or_load_study(None, "p", direction="maximize", settings={
        "params": {"class_weight": {"0": 1, "2": 5}, "old": 1},
        "oracle": {"class": "m.Forest", "params": {"max_depth": 3, "old": 1}}})
    check_settings(study, {"params": {"class_weight": {"0": 1, "2": 5}, "new": 2},
                           "oracle": {"class": "m.Forest", "params": {"max_depth": 3, "new": 2}}},
                   lenient=("params", "oracle"))
    with pytest.raises(ValueError, match=r"params.class_weight.2=5; this run has params.class_weight.2='<absent>'"):
        check_settings(study, {"params": {"class_weight": {"0": 1}}}, lenient=("params", "oracle"))
    with pytest.raises(ValueError, match=r"oracle.params.max_depth=3; this run has oracle.params.max_depth=4"):
        check_settings(study, {"oracle": {"class": "m.Forest", "params": {"max_depth": 4}}},
                       lenient=("params", "oracle"))


def test_a_study_begun_with_more_draws_continues_with_them(small_data, tmp_path):
    """Before n_draws was recorded: the draws of its complete trials are its n_draws, lent to a run
    that leaves n_draws to the family's default (2 for trees), and its top draws refit."""
    X, y = small_data
    for seed in range(3):
        storage = str(tmp_path / f"runs{seed}.journal")
        first = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=6, n_draws=3,
                            prune_draws=None, random_state=seed, storage=storage, study_name="s")
        study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
        study.set_user_attr("compact", {k: v for k, v in study.user_attrs["compact"].items() if k != "n_draws"})
        second = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=8,
                             storage=storage, study_name="s")
        assert [len(t.scores) for t in second.trials_[1:]] == [3] * 7
        assert second.best_draw_score_ == max(max(t.scores) for t in second.trials_)
        assert [t.scores for t in second.trials_[:6]] == [t.scores for t in first.trials_]
        with pytest.raises(ValueError, match="n_draws=3; this run has n_draws=2"):
            run(X, y, storage, 9, random_state=None)  # n_draws=2 given
    # Only the original data's trial finished (one score whatever n_draws): nothing to lend.
    storage = str(tmp_path / "original_only.journal")
    compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=1, n_draws=3,
                random_state=0, storage=storage, study_name="s")
    study = optuna.load_study(study_name="s", storage=resolve_storage(storage))
    study.set_user_attr("compact", {k: v for k, v in study.user_attrs["compact"].items() if k != "n_draws"})
    later = compact.fit(DecisionTreeClassifier(), X, y, size=2, oracle=GaussianNB(), n_trials=4, prune_draws=None,
                        storage=storage, study_name="s")
    assert [len(t.scores) for t in later.trials_] == [1, 2, 2, 2]


def test_worker_processes_share_a_study(small_data, tmp_path):
    """Two processes (joblib's loky backend) run one study through a journal file."""
    X, y = small_data
    storage = str(tmp_path / "shared.journal")
    results = Parallel(n_jobs=2)(delayed(run)(X, y, storage, 16) for _ in range(2))
    by_number = [{t.number: t for t in r.trials_} for r in results]
    for trials in by_number:
        # At least 16 finished trials of the study, each once (a trial still
        # running in the other process when this one stopped is not included).
        assert len(trials) >= 16 and sorted(trials) == list(trials)
    for number in set(by_number[0]) & set(by_number[1]):
        assert by_number[0][number].params == by_number[1][number].params
        assert by_number[0][number].scores == by_number[1][number].scores
    for result in results:
        # Each returns the best draw it can see, refitted where the other process ran it.
        assert_chosen(result)
        assert result.best_score_ >= result.baseline_score_


# --------------------------------------------------------------------------- compact.storage

COMPLETE, FAIL, RUNNING, WAITING = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL,
                                    optuna.trial.TrialState.RUNNING, optuna.trial.TrialState.WAITING)
FINISHED = (COMPLETE, optuna.trial.TrialState.PRUNED)  # pruned: draws stopped early (prune_draws); counted


def states(study):
    return [t.state for t in study.get_trials(deepcopy=False)]


@pytest.mark.parametrize("storage, match", [
    ("foo://bar", "unknown scheme 'foo://'"),
    ("http://example.com/x", "unknown scheme"),
    ("sqlite:////nonexistent-folder-xyz/x.db", "folder '/nonexistent-folder-xyz' does not exist"),
    ("sqlite://relative.db", "three slashes"),
    ("/nonexistent-folder-xyz/runs.journal", "does not exist"),
    ("", "empty"),
])
def test_bad_storage_is_one_clear_line_before_any_work(storage, match):
    with pytest.raises(ValueError, match=match) as info:
        resolve_storage(storage)
    assert "\n" not in str(info.value)


def test_folder_as_storage_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        resolve_storage(str(tmp_path))
    with pytest.raises(ValueError, match="is a folder"):
        resolve_storage(f"sqlite:///{tmp_path}")


@pytest.mark.parametrize("kw, match", [
    ({"heartbeat_interval": 0}, "heartbeat_interval must be a positive"),
    ({"heartbeat_interval": "5"}, "heartbeat_interval must be a positive"),
    ({"grace_period": 5}, "grace_period needs heartbeat_interval"),
    ({"heartbeat_interval": 5, "grace_period": 5}, "must exceed"),
])
def test_bad_heartbeat_settings(kw, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        resolve_storage(str(tmp_path / "x.journal"), **kw)


def test_objects_and_none_pass_through():
    assert resolve_storage(None) is None
    storage = optuna.storages.InMemoryStorage()
    assert resolve_storage(storage, heartbeat_interval=1) is storage


def test_kinds_of_storage(tmp_path):
    journal = resolve_storage(str(tmp_path / "a.journal"))
    assert isinstance(journal, optuna.storages.JournalStorage) and not heartbeat_enabled(journal)
    assert heartbeat_enabled(resolve_storage(str(tmp_path / "b.journal"), heartbeat_interval=1))
    sqlite = resolve_storage(f"sqlite:///{tmp_path / 'c.db'}", heartbeat_interval=1, grace_period=3)
    assert isinstance(sqlite, optuna.storages.RDBStorage) and heartbeat_enabled(sqlite)
    assert single_process_only(sqlite) and single_process_only("sqlite:///x.db")
    assert not single_process_only(journal) and not single_process_only("postgresql://h/db")
    study = create_or_load_study(sqlite, "s")
    assert single_process_only(study._storage)  # also behind Optuna's cache wrapper
    assert create_or_load_study(sqlite, "s")._study_id == study._study_id  # loaded, not a second one


def test_journal_storage_pickles_with_its_heartbeat(tmp_path):
    import pickle

    storage = resolve_storage(str(tmp_path / "a.journal"), heartbeat_interval=2, grace_period=5)
    copy = pickle.loads(pickle.dumps(storage))
    assert type(copy) is type(storage) and copy.get_heartbeat_interval() == 2


@pytest.mark.parametrize("kind", ["journal", "sqlite"])
def test_stale_trial_fails_after_grace_period_and_is_queued_again(kind, tmp_path):
    url = str(tmp_path / "a.journal") if kind == "journal" else f"sqlite:///{tmp_path / 'a.db'}"
    storage = resolve_storage(url, heartbeat_interval=1, grace_period=2)
    study = create_or_load_study(storage, "s")
    (trial,) = ask(study)
    x = trial.suggest_float("x", 0, 1)
    with keep_alive(study, [trial]):  # a live trial's heartbeat goes on past the grace period
        time.sleep(3)
        fail_stale_trials(study)
        assert states(study) == [RUNNING]
    # Its worker "dies": no more heartbeats.
    time.sleep(3.5)
    fail_stale_trials(study)
    assert states(study) == [FAIL, WAITING]
    retry = study.get_trials(deepcopy=False)[1]
    assert retry.params == {"x": x} and retry.system_attrs["failed_trial"] == 0
    (again,) = ask(study)
    assert again.number == 1 and again.suggest_float("x", 0, 1) == x
    study.tell(again, 1.0)
    assert states(study) == [FAIL, COMPLETE]


def test_enqueue_once_requeues_a_failed_original_trial(tmp_path):
    study = create_or_load_study(str(tmp_path / "a.journal"), "s")
    original = {"a": 1.0, "b": 0.5}
    assert enqueue_once(study, original) and not enqueue_once(study, original)  # waiting
    (trial,) = ask(study)
    trial.suggest_float("a", 0, 2), trial.suggest_float("b", 0, 1)
    assert not enqueue_once(study, original)  # running
    study.tell(trial, state=FAIL)
    assert enqueue_once(study, original)  # failed: queued again
    (trial,) = ask(study)
    assert trial.suggest_float("a", 0, 2) == 1.0 and trial.suggest_float("b", 0, 1) == 0.5
    study.tell(trial, 0.3)
    assert not enqueue_once(study, original)  # complete


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_two_processes_starting_at_once_on_a_fresh_storage(kind, tmp_path):
    """Both exit 0 and the study holds the asked number of complete trials (at most
    (workers - 1) x trial_batch over: trees ask for 2 at a time)."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}" if kind == "sqlite" else str(tmp_path / "fresh.journal")
    for attempt in range(2):  # two fresh starts: the race must never bite
        study_name = f"s{attempt}"
        reports = storage_worker.collect(storage_worker.launch(url, 2, tmp_path, n_trials=8, study=study_name))
        study = optuna.load_study(study_name=study_name, storage=resolve_storage(url))
        finished = [t for t in study.get_trials(deepcopy=False) if t.state in FINISHED]
        assert 8 <= len(finished) <= 10
        assert all(len(r["trials"]) >= 8 for r in reports)


def test_sigkilled_worker_trial_fails_within_grace_period_and_study_completes(tmp_path):
    """A journal file with heartbeat: the killed worker's trial is failed, re-run, and n_trials reached."""
    storage_worker.kill_and_recover(str(tmp_path / "kill.journal"), tmp_path)


def test_wait_for_running(tmp_path):
    from compact.storage import wait_for_running

    study = create_or_load_study(str(tmp_path / "a.journal"), "s")
    assert wait_for_running(study, timeout=0)
    (trial,) = ask(study)
    began = time.monotonic()
    assert not wait_for_running(study, timeout=0.3, poll=0.1)
    assert 0.3 <= time.monotonic() - began < 2
    study.tell(trial, 1.0)
    assert wait_for_running(study, timeout=5)


@pytest.mark.parametrize("storage, match", [("foo://bar", "unknown scheme"),
                                            ("sqlite:////nonexistent-folder-xyz/x.db", "does not exist")])
def test_fit_refuses_a_bad_storage_before_any_work(small_data, storage, match):
    X, y = small_data
    began = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        run(X, y, storage, 4)
    assert time.perf_counter() - began < 5


def test_fit_with_a_url_two_processes_at_once_on_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    reports = storage_worker.collect(storage_worker.launch(url, 2, tmp_path, n_trials=8, pass_url=True))
    study = optuna.load_study(study_name="s", storage=resolve_storage(url))
    finished = sum(t.state in FINISHED for t in study.get_trials(deepcopy=False))
    assert 8 <= finished <= 10  # up to (workers - 1) x trial_batch over
    assert all(len(r["trials"]) >= 8 for r in reports)


# --------------------------------------------------------------------------- Redis journal


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A throw-away redis-server on loopback (Debian package redis-server), or skip saying why."""
    import shutil
    import socket

    url = os.environ.get("COMPACT_TEST_REDIS_URL")
    if url:
        yield url
        return
    try:
        import redis
    except ImportError:
        pytest.skip("the redis package is not installed (pip install 'compact[redis]')")
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server on this machine (Debian package redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.skip("redis-server did not start")
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_redis_url_is_a_journal_with_heartbeat(redis_url):
    storage = resolve_storage(redis_url, heartbeat_interval=1, grace_period=2)
    assert isinstance(storage, optuna.storages.JournalStorage) and heartbeat_enabled(storage)
    study = create_or_load_study(storage, f"r{time.time_ns()}")
    (trial,) = ask(study)
    trial.suggest_float("x", 0, 1)
    with keep_alive(study, [trial]):
        pass
    time.sleep(2.5)
    fail_stale_trials(study)
    assert states(study) == [FAIL, WAITING]


def test_unreachable_redis_is_one_clear_line():
    pytest.importorskip("redis")
    with pytest.raises(ValueError, match="cannot connect") as info:
        resolve_storage("redis://127.0.0.1:1/0")
    assert "\n" not in str(info.value)


def test_two_processes_starting_at_once_on_redis(redis_url, tmp_path):
    study_name = f"r{time.time_ns()}"
    reports = storage_worker.collect(storage_worker.launch(redis_url, 2, tmp_path, n_trials=8, study=study_name))
    study = optuna.load_study(study_name=study_name, storage=resolve_storage(redis_url))
    finished = sum(t.state in FINISHED for t in study.get_trials(deepcopy=False))
    assert 8 <= finished <= 10  # up to (workers - 1) x trial_batch over
    assert all(len(r["trials"]) >= 8 for r in reports)


def test_threads_asking_a_sqlite_study_at_once_pop_each_waiting_trial_once(tmp_path):
    """Four threads ask at once (as a user's own threads may): every queued trial goes to one of them."""
    from concurrent.futures import ThreadPoolExecutor

    storage = resolve_storage(f"sqlite:///{tmp_path / 'asks.db'}")
    study = create_or_load_study(storage, "s")
    for i in range(12):
        study.enqueue_trial({"x": i / 12})
    barrier = threading.Barrier(4)

    def take(_):
        barrier.wait(timeout=30)
        return [(t.number, t.suggest_float("x", 0, 1)) for t in ask(study, 3)]

    with ThreadPoolExecutor(4) as pool:
        taken = [pair for pairs in pool.map(take, range(4)) for pair in pairs]
    assert sorted(number for number, _ in taken) == list(range(12))
    assert sorted(x for _, x in taken) == [i / 12 for i in range(12)]


def test_threads_on_sqlite_pop_each_waiting_trial_once(small_data, tmp_path):
    """Two trials at once on SQLite: no 'Cannot tell a COMPLETE trial', no lost trial (SQLite ignores FOR UPDATE)."""
    import pickle

    X, y = small_data
    for attempt in range(3):
        storage = resolve_storage(f"sqlite:///{tmp_path / f'threads{attempt}.db'}")
        result = run(X, y, storage, 10, n_jobs=2, trial_batch=2)
        study = optuna.load_study(study_name="s", storage=storage)
        assert sum(t.state in FINISHED for t in study.get_trials(deepcopy=False)) == 10
        assert sorted(t.number for t in result.trials_) == list(range(10))
    copy = pickle.loads(pickle.dumps(storage))
    assert type(copy) is type(storage) and len(optuna.load_study(study_name="s", storage=copy).trials) == 10


def test_settings_recorded_once_and_checked(tmp_path):
    from compact.storage import check_settings

    url = str(tmp_path / "a.journal")
    mine = {"random_state": 7, "size": [6], "family": "DecisionTreeClassifier", "scoring": "f1_macro"}
    study = create_or_load_study(url, "s", settings=mine)
    assert study.user_attrs["compact"] == mine
    other = create_or_load_study(url, "s", settings={**mine, "random_state": 99})  # a later worker
    assert other.user_attrs["compact"]["random_state"] == 7  # the creator's settings stand
    assert check_settings(other, {**mine, "random_state": None}) == mine  # seed left out: adopted
    assert check_settings(other, {**mine, "size": (6,)})["size"] == (6,)  # tuple == stored list
    with pytest.raises(ValueError, match=r"was run with size=\[6\]; this run has size=\[1\]\. ") as info:
        check_settings(other, {**mine, "size": [1]})
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="random_state=7, scoring='f1_macro'; this run has random_state=3, scoring"):
        check_settings(other, {**mine, "random_state": 3, "scoring": "accuracy"})
    assert check_settings(other, {**mine, "method": "oracle"})["method"] == "oracle"  # a new key is added
    assert create_or_load_study(url, "s").user_attrs["compact"]["method"] == "oracle"


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_processes_creating_one_study_at_once_agree_on_its_settings(kind, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}" if kind == "sqlite" else str(tmp_path / "fresh.journal")
    code = ("import sys, time, json; from compact.storage import create_or_load_study; "
            "time.sleep(max(0, float(sys.argv[1]) - time.time())); "
            f"s = create_or_load_study({url!r}, 's', settings={{'random_state': int(sys.argv[2])}}, "
            "enqueue={'a': 1.0}); "
            "print(json.dumps(s.user_attrs['compact']))")
    start = str(time.time() + 3)
    procs = [subprocess.Popen([sys.executable, "-c", code, start, str(i)], stdout=subprocess.PIPE, text=True)
             for i in range(3)]
    seen = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(seen)) == 1, seen
    assert len(create_or_load_study(url, "s", enqueue={"a": 1.0}).trials) == 1  # queued once, by the creator
