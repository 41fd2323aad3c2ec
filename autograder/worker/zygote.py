"""A process that imports TensorFlow once and forks a sandboxed worker per connection.

Importing TensorFlow costs about 4.5 s; forking a process that already has it costs milliseconds.
The grading runner starts one zygote per run, with the worker's clean environment, and points the
judges at it through ``AUTOGRADER_ZYGOTE`` (:data:`autograder.wire.names.ZYGOTE_ENV`).  Per
connection it forks a sandbox's init exactly as a fresh worker does (:func:`.serve.fork_sandbox`).
"""
import argparse
import os
import signal
import socket

from . import sandbox
from . import serve as worker


def serve_forever(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the sandboxes' inits are reaped automatically
    while True:
        conn, _ = listener.accept()
        worker.fork_sandbox(conn)
        conn.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="pre-imported TensorFlow worker factory")
    parser.add_argument("--socket", required=True, help="unix socket path to listen on")
    args = parser.parse_args(argv)
    sandbox.die_with_parent()  # the runner that started it
    worker.preload()
    serve_forever(args.socket)


if __name__ == "__main__":
    main()
