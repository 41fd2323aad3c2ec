"""A process that imports TensorFlow once and forks a confined worker per connection.

Importing TensorFlow costs about 4.5 s; forking a process that already has it costs milliseconds.
The grading runner starts one zygote per run and points the judges at it through
``AUTOGRADER_ZYGOTE`` (:data:`autograder.wire.names.ZYGOTE_ENV`).  The forked child confines itself exactly as a fresh worker does.
"""
import argparse
import os
import signal
import socket

from ..wire.plan import Plan
from . import serve as worker


def serve_forever(path, plan):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    while True:
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                worker.run_child(conn, plan)
            finally:
                os._exit(0)  # the child never returns into the accept loop
        conn.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="pre-imported TensorFlow worker factory")
    parser.add_argument("--socket", required=True, help="unix socket path to listen on")
    parser.add_argument("--plan", required=True, help="sandbox plan as JSON")
    args = parser.parse_args(argv)
    worker.preload()
    serve_forever(args.socket, Plan.from_json(args.plan))


if __name__ == "__main__":
    main()
