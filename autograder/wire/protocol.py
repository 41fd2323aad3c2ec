"""Length-prefixed JSON messages over a socket; numpy arrays travel as base64 float64 bytes.

Both ends use it: the judge decodes only JSON and raw float buffers, never pickles, so nothing the
submission builds can run in the judge.
"""
import base64
import json
import struct

import numpy as np

from .budgets import MAX_MESSAGE_BYTES as MAX_MESSAGE

HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """The peer closed the channel or sent something that is not a valid message."""


def encode(value):
    """Turn numbers, strings, lists, dicts and arrays into JSON-ready data."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if np.isfinite(value) else {"__float__": repr(float(value))}
    arr = np.asarray(value, dtype=np.float64)
    return {"__array__": base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii"),
            "shape": list(arr.shape)}


def decode(value):
    """Inverse of :func:`encode`; arrays come back as float64 numpy arrays."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__array__" in value:
            shape = [int(s) for s in value["shape"]]
            raw = base64.b64decode(value["__array__"], validate=True)
            if len(raw) != 8 * int(np.prod(shape, dtype=np.int64)):
                raise ProtocolError("array payload does not match its shape")
            return np.frombuffer(raw, dtype=np.float64).reshape(shape).copy()
        if "__float__" in value:
            return float(value["__float__"])
        return {k: decode(v) for k, v in value.items()}
    return value


def send(sock, message):
    data = json.dumps(encode(message)).encode("utf-8")
    sock.sendall(HEADER.pack(len(data)) + data)


def _recv_exactly(sock, n):
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(min(n - len(chunks), 1 << 20))
        if not chunk:
            raise ProtocolError("channel closed")
        chunks.extend(chunk)
    return bytes(chunks)


def recv(sock):
    """Read one message; the socket's timeout bounds each read."""
    (length,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    if length > MAX_MESSAGE:
        raise ProtocolError(f"message of {length} bytes exceeds {MAX_MESSAGE}")
    try:
        return decode(json.loads(_recv_exactly(sock, length).decode("utf-8")))
    except (ValueError, TypeError, KeyError) as err:
        raise ProtocolError(f"malformed message: {err}") from None
