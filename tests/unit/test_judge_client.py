"""judge.client: a worker started in the background behaves as one started by its first request."""
import os
import socket
import threading
from types import SimpleNamespace

import pytest

from autograder.judge.client import Worker, WorkerError
from autograder.wire import protocol
from autograder.worker.zygote import listen

PROGRAM = SimpleNamespace(cells=[], problems={})


def _worker(monkeypatch, start):
    worker = Worker(PROGRAM)
    monkeypatch.setattr(worker, "start", lambda: start(worker))
    monkeypatch.setattr(worker, "_send", lambda message, timeout: ("answered", message["op"]))
    return worker


def test_a_request_waits_for_the_background_start(monkeypatch):
    release = threading.Event()

    def start(worker):
        release.wait(5)
        worker.sock = "connected"
    worker = _worker(monkeypatch, start)
    worker.start_in_background()
    threading.Timer(0.2, release.set).start()
    assert worker.request("seed") == ("answered", "seed")  # not a second start: sock was set by the first
    assert worker.timings["start"][0] == 1


def test_what_the_background_start_raised_is_raised_by_the_next_request_once(monkeypatch):
    def start(worker):
        worker.close()  # a failing start closes the worker from the starting thread: it must not join itself
        raise WorkerError("crashed", "the worker did not start: boom")
    worker = _worker(monkeypatch, start)
    worker.start_in_background()
    with pytest.raises(WorkerError, match="boom"):
        worker.request("seed")
    with pytest.raises(WorkerError, match="boom"):  # the next request starts again (and fails again)
        worker.request("seed")


def test_close_waits_for_a_start_in_progress(monkeypatch):
    done = []

    def start(worker):
        threading.Event().wait(0.2)
        done.append(True)
    worker = _worker(monkeypatch, start)
    worker.start_in_background()
    worker.close()
    assert done == [True]


def test_the_zygote_socket_accepts_connections_before_the_zygote_serves(tmp_path):
    """The runner binds and listens before the zygote imports TensorFlow: a judge connects at once."""
    path = str(tmp_path / "zygote.sock")
    with listen(path) as listener:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as judge:
            judge.connect(path)  # nothing accepts yet: the connection waits in the backlog
            judge.sendall(b"plan")
            conn, _ = listener.accept()
            assert conn.recv(4) == b"plan"
            conn.close()
    assert os.stat(path).st_mode & 0o777 == 0o600



def test_timings_name_what_each_request_ran():
    """grading.json's "requests" say which function or method the time went to (func:train, call:forward)."""
    judge_end, worker_end = socket.socketpair()

    def serve():
        for _ in range(3):
            protocol.recv(worker_end)
            protocol.send(worker_end, {"ok": True, "result": 1.0, "output": ""})
    server = threading.Thread(target=serve)
    server.start()
    worker = Worker(PROGRAM)
    worker.sock = judge_end
    worker.request("func", name="train")
    worker.request("call", obj="obj0", method="forward")
    worker.request("seed", seed=1)
    server.join(5)
    assert set(worker.timings) == {"func:train", "call:forward", "seed"}
    judge_end.close()
    worker_end.close()
