"""The numpy backend's thread setting: validation, the environment variable,
small inputs on the caller's thread, concurrent callers and a forked child
(the bits for any thread count are tested in test_invariance.py)."""
from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from bigdl_reg import nn
from bigdl_reg.backends.numpy import threads


@pytest.fixture(autouse=True)
def _restore_threads():
    yield
    threads.set_threads(threads._default_threads())


@pytest.mark.parametrize("bad", [0, -1, 257, 2.0, "2", True, None])
def test_set_threads_refuses_what_is_not_an_integer_in_range(bad):
    before = threads.threads()
    with pytest.raises(ValueError, match=r"threads must be an integer in \[1, 256\], got"):
        threads.set_threads(bad)
    assert threads.threads() == before


@pytest.mark.parametrize("value", ["0", "x", "2.5", "", "300"])
def test_a_bad_environment_value_is_named(monkeypatch, value):
    monkeypatch.setenv(threads.THREADS_ENV, value)
    with pytest.raises(ValueError, match=rf"{threads.THREADS_ENV} must be an integer in \[1, 256\], got"):
        threads._default_threads()


def test_the_environment_sets_the_count(monkeypatch):
    monkeypatch.setenv(threads.THREADS_ENV, " 3 ")
    assert threads._default_threads() == 3
    monkeypatch.delenv(threads.THREADS_ENV)
    assert threads._default_threads() == len(os.sched_getaffinity(0))


def test_small_inputs_stay_on_the_callers_thread(monkeypatch):
    threads.set_threads(4)
    ran_on = set()
    run_spans = threads.run_spans

    def spy(chunks, min_chunks, work):
        run_spans(chunks, min_chunks, lambda a, b: (ran_on.add(threading.get_ident()), work(a, b)))

    monkeypatch.setattr(threads, "run_spans", spy)
    nn.Dropout(0.5, seed=1, backend="numpy").forward(np.ones(1000, dtype=np.float32))
    assert ran_on == {threading.get_ident()}


def test_an_error_in_a_pool_thread_reaches_the_caller_after_every_range_ended():
    threads.set_threads(3)
    done = []

    def work(first, stop):
        if first > 0:
            raise RuntimeError(f"range {first}")
        done.append(first)

    with pytest.raises(RuntimeError, match="range"):
        threads.run_spans(12, 2, work)
    assert done == [0]


def test_concurrent_callers_get_their_own_bytes():
    threads.set_threads(2)
    x = np.linspace(-3, 3, 10**6, dtype=np.float32)
    expected = {seed: nn.GaussianNoise(0.5, seed=seed, backend="numpy").forward(x).tobytes() for seed in range(4)}
    got = {}

    def call(seed):
        got[seed] = nn.GaussianNoise(0.5, seed=seed, backend="numpy").forward(x).tobytes()

    callers = [threading.Thread(target=call, args=(seed,)) for seed in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join(60)
    assert got == expected


def test_a_forked_child_forwards_with_its_own_pool():
    threads.set_threads(2)
    x = np.linspace(-3, 3, 10**6, dtype=np.float32)
    expected = nn.Dropout(0.5, seed=7, backend="numpy").forward(x)  # the parent's pool is running
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a forward on 2 threads must neither hang nor differ
        try:
            same = nn.Dropout(0.5, seed=7, backend="numpy").forward(x).tobytes() == expected.tobytes()
            os.write(write, b"same" if same else b"differ")
        finally:
            os._exit(0)
    os.close(write)
    try:
        _, status = os.waitpid(pid, 0)
        assert os.read(read, 16) == b"same"
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        os.close(read)
