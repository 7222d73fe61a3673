"""Helpers for race tests: start several callers at the same moment, each in its own
application context and database session (as separate requests or processes would)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db
from portal.services.errors import ServiceError


def race(app, prepare, act, count: int = 2) -> list:
    """In `count` threads: state = prepare(i) (reads what the caller acts on), then all meet at
    a barrier, then act(state, i) and commit. Returns each thread's outcome: "ok", the
    ServiceError's (status, message), or the repr of any other exception."""
    barrier = threading.Barrier(count, timeout=60)
    outcomes: list = [None] * count

    def worker(i: int):
        with app.app_context(), app.test_request_context():
            try:
                state = prepare(i)
                barrier.wait()
                act(state, i)
                db.session.commit()
                outcomes[i] = "ok"
            except ServiceError as error:
                db.session.rollback()
                outcomes[i] = (error.status, error.message)
            except Exception as error:  # noqa: BLE001 - the test shows it
                db.session.rollback()
                outcomes[i] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


@contextmanager
def meet_after_loading(model, threads_expected: int):
    """Inside the block, each thread that loads a `model` row for the first time waits there
    until `threads_expected` threads have, so requests sent at once all read the same state
    before any of them writes (what makes a race through HTTP reproducible)."""
    barrier = threading.Barrier(threads_expected, timeout=60)
    waited: set[int] = set()

    def on_load(_target, _context):
        me = threading.get_ident()
        if me not in waited and me != main:
            waited.add(me)
            barrier.wait()

    main = threading.get_ident()
    event.listen(model, "load", on_load)
    try:
        yield
    finally:
        event.remove(model, "load", on_load)


def in_threads(calls: list) -> list:
    """Run each call in its own thread, all started together; return their results in order."""
    results: list = [None] * len(calls)

    def worker(i):
        results[i] = calls[i]()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results
