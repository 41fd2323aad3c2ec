"""A process that imports TensorFlow once and forks a sandboxed worker per connection.

Importing TensorFlow costs about 4.5 s; forking a process that already has it costs milliseconds.
The grading runner starts one zygote per run, with the worker's clean environment and a socket it
bound and made listen (connections made during the import wait in the backlog), and points the
judges at it through ``AUTOGRADER_ZYGOTE`` (:data:`autograder.wire.names.ZYGOTE_ENV`).  Per
connection it forks a sandbox's init exactly as a fresh worker does (:func:`.serve.fork_sandbox`).
"""
import argparse
import os
import signal
import socket

from . import sandbox
from . import serve as worker


def listen(path, backlog=64):
    """A unix socket bound to ``path`` (mode 0600) and listening: what a zygote is given to serve on."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(backlog)
    return listener


def serve_forever(listener):
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the sandboxes' inits are reaped automatically
    while True:
        conn, _ = listener.accept()
        worker.fork_sandbox(conn)
        conn.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="pre-imported TensorFlow worker factory")
    parser.add_argument("--fd", type=int, required=True, help="inherited unix socket, already listening")
    worker.add_preload_options(parser)
    args = parser.parse_args(argv)
    sandbox.die_with_parent()  # the runner that started it
    listener = socket.socket(fileno=args.fd)
    worker.preload_from(args)
    serve_forever(listener)


if __name__ == "__main__":
    main()
