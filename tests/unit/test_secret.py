"""The course secret: made once with mode 0600, keyed streams reproducible and independent, signatures."""
import os
import stat

import numpy as np

from autograder import secret


def test_secret_is_created_once_private_and_reused(tmp_path, monkeypatch):
    path = tmp_path / "key"
    monkeypatch.setenv(secret.SECRET_ENV, str(path))
    first = secret.key()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(first) == 64
    secret._cache.clear()
    assert secret.key() == first


def test_streams_depend_on_key_submission_label_and_variant(tmp_path, monkeypatch):
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "a"))
    draw = lambda *args: secret.rng(*args).standard_normal(4)  # noqa: E731
    base = draw("sha1", "label", 0)
    assert np.array_equal(base, draw("sha1", "label", 0))
    for other in [("sha2", "label", 0), ("sha1", "other", 0), ("sha1", "label", 1)]:
        assert not np.array_equal(base, draw(*other))
    assert secret.seed("sha1", "label") != secret.seed("sha1", "label", 1)
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "b"))  # another course
    assert not np.array_equal(base, draw("sha1", "label", 0))


def test_sign_and_verify(tmp_path, monkeypatch):
    monkeypatch.setenv(secret.SECRET_ENV, str(tmp_path / "k"))
    tag = secret.sign(b"grades")
    assert secret.verify(b"grades", tag)
    assert not secret.verify(b"grades!", tag) and not secret.verify(b"grades", tag[:-1] + ("1" if tag[-1] == "0" else "0")) \
        and not secret.verify(b"grades", None)
