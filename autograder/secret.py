"""The course secret: a key kept with the instructor's files that no worker and no student ever sees.

Created on first use (``.autograder-secret`` at the course root, mode 0600, never committed nor
released; the Gradescope bundle carries it).  Everything the judge compares against is drawn from
:func:`rng`, a generator keyed by HMAC-SHA256(secret, submission hash, label): the same file gets the
same numbers on every regrade and every route, and a submission cannot predict them.  Files the
gradebook reads are authenticated with :func:`sign` / :func:`verify`.
"""
import hashlib
import hmac
import os
import secrets as _random
from pathlib import Path

import numpy as np

from . import paths

#: Overrides where the secret lives (tests, the Gradescope container); otherwise the course root's file.
SECRET_ENV = "AUTOGRADER_COURSE_SECRET"
FILE_NAME = ".autograder-secret"
_cache = {}


def location():
    return Path(os.environ.get(SECRET_ENV) or paths.ROOT / FILE_NAME)


def key():
    """The course's key (32 bytes), created with mode 0600 the first time it is needed."""
    path = location()
    if path not in _cache:
        if not path.exists():  # written whole, then linked: a concurrent reader never sees half a key
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{_random.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(_random.token_hex(32) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        text = path.read_text().strip()
        if len(text) < 32:
            raise RuntimeError(f"{path}: the course secret is empty or too short; delete it to make a new one")
        _cache[path] = text.encode()
    return _cache[path]


def digest(*parts):
    """HMAC-SHA256 under the course key of the parts (strings or bytes), as bytes."""
    mac = hmac.new(key(), digestmod=hashlib.sha256)
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        mac.update(len(data).to_bytes(8, "little") + data)
    return mac.digest()


def rng(submission_sha256, label, variant=0):
    """A numpy Generator only the judge can reproduce: keyed by the secret, the submission and ``label``.

    ``variant`` selects another stream for the same submission (calibration draws many).
    """
    seed = int.from_bytes(digest("rng", submission_sha256, label, variant)[:16], "little")
    return np.random.default_rng(seed)


def seed(submission_sha256, label, variant=0, bits=31):
    """An integer seed from the same keyed stream as :func:`rng` (for seeds the worker is given)."""
    return int.from_bytes(digest("seed", submission_sha256, label, variant)[:8], "little") % (2 ** bits)


def fingerprint():
    """A short public name of the course key, ``hmac-sha256:`` and 16 hex digits of its HMAC of a constant:
    two keys get different names, and the name tells nothing of the key (results record it)."""
    return "hmac-sha256:" + digest("fingerprint").hex()[:16]


def sign(data: bytes) -> str:
    """Hex HMAC of ``data`` under the course key."""
    return digest("sign", data).hex()


def verify(data: bytes, tag: str) -> bool:
    """Whether ``tag`` is :func:`sign` of ``data`` (constant-time comparison)."""
    return isinstance(tag, str) and hmac.compare_digest(sign(data), tag)
