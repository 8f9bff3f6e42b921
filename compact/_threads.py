"""How many threads a run may start without oversubscribing the machine."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The cores this process may run on, capped by ``OMP_NUM_THREADS`` when it is set.

    joblib sets ``OMP_NUM_THREADS`` in its worker processes to their share of
    the cores (``cpu_count // n_jobs``), and batch schedulers and users set
    it to the cores a job may use: a search started in such a process starts
    that many threads, not one per core of the machine.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    limit = os.environ.get("OMP_NUM_THREADS", "").strip()
    if limit.isdigit() and int(limit) > 0:
        return max(1, min(cores, int(limit)))
    return max(1, cores)
