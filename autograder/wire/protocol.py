"""Length-prefixed JSON messages over a socket; numpy arrays travel as base64 float64 bytes.

Both ends use it: the judge decodes only JSON and raw float buffers, never pickles, so nothing the
submission builds can run in the judge.  Decoding is strict and total: whatever bytes arrive, the
result is a well-formed message or :class:`MalformedMessage` (never another exception), because the
worker runs student code that can replace this module's functions or write to the socket itself.
"""
import base64
import json
import math
import struct

import numpy as np

from .budgets import MAX_MESSAGE_BYTES as MAX_MESSAGE
from .budgets import OUTPUT_LIMIT_CHARS

HEADER = struct.Struct(">I")
MAX_DEPTH = 32          # nesting of lists/dicts in a message; real messages use at most 4
MAX_NDIM = 8            # array dimensions
MAX_EXTENT = 2 ** 31    # length of one array dimension
MAX_INT_DIGITS = 19     # integers must fit in int64
NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}
#: Longest text kept from each string field of a reply (a hostile worker may send megabytes).
REPLY_TEXT_LIMITS = {"error": 200, "message": 2000, "traceback": 4000, "output": OUTPUT_LIMIT_CHARS + 200}


class ProtocolError(Exception):
    """The peer closed the channel or sent something that is not a valid message."""


class ChannelClosed(ProtocolError):
    """The peer closed the channel (it exited or was killed)."""


class MalformedMessage(ProtocolError):
    """The peer sent bytes that are not a valid message of this protocol."""


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


def _decode_array(value):
    shape, payload = value.get("shape"), value["__array__"]
    if not isinstance(payload, str) or not isinstance(shape, list) or len(shape) > MAX_NDIM:
        raise MalformedMessage("an array needs a base64 string and a shape of at most "
                               f"{MAX_NDIM} dimensions")
    if not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= MAX_EXTENT for s in shape):
        raise MalformedMessage(f"array shape {str(shape)[:80]} is not a list of integers in [0, {MAX_EXTENT}]")
    size = 8 * math.prod(shape)
    if len(payload) != 4 * ((size + 2) // 3):  # checked before decoding: shapes may be astronomical
        raise MalformedMessage("array payload does not match its shape")
    raw = base64.b64decode(payload, validate=True)
    if len(raw) != size:
        raise MalformedMessage("array payload does not match its shape")
    return np.frombuffer(raw, dtype=np.float64).reshape(shape).copy()


def decode(value, depth=0):
    """Inverse of :func:`encode`; arrays come back as float64 numpy arrays.

    Raises:
        MalformedMessage: ``value`` is not something :func:`encode` produces.
    """
    if depth > MAX_DEPTH:
        raise MalformedMessage(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, list):
        return [decode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__array__" in value:
            return _decode_array(value)
        if "__float__" in value:
            if value["__float__"] not in NON_FINITE:
                raise MalformedMessage(f"bad special float {str(value['__float__'])[:40]!r}")
            return NON_FINITE[value["__float__"]]
        return {k: decode(v, depth + 1) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2 ** 63:
        raise MalformedMessage("integer out of the int64 range")
    return value


def _parse_int(text):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise MalformedMessage(f"integer with {len(text)} digits")
    return int(text)


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise MalformedMessage(f"float literal {text[:40]} overflows")
    return value


def _reject_constant(name):
    raise MalformedMessage(f"bare {name} (non-finite floats travel as {{'__float__': ...}})")


def loads(data):
    """Decode one message body (bytes); any invalid input raises :class:`MalformedMessage`."""
    try:
        return decode(json.loads(data.decode("utf-8"), parse_int=_parse_int, parse_float=_parse_float,
                                 parse_constant=_reject_constant))
    except MalformedMessage:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError,
            MemoryError) as err:  # UnicodeDecodeError, JSONDecodeError and binascii.Error are ValueErrors
        raise MalformedMessage(f"{type(err).__name__}: {str(err)[:200]}") from None


def dumps(message):
    return json.dumps(encode(message), allow_nan=False).encode("utf-8")


def send(sock, message):
    data = dumps(message)
    sock.sendall(HEADER.pack(len(data)) + data)


def _recv_exactly(sock, n):
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(min(n - len(chunks), 1 << 20))
        if not chunk:
            raise ChannelClosed("channel closed")
        chunks.extend(chunk)
    return bytes(chunks)


def recv(sock):
    """Read one message; the socket's timeout bounds each read."""
    (length,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    if length > MAX_MESSAGE:
        raise MalformedMessage(f"message of {length} bytes exceeds {MAX_MESSAGE}")
    return loads(_recv_exactly(sock, length))


def check_reply(reply):
    """The worker's answer to one request, validated, its text fields cut to a sane length.

    A reply is ``{"ok": true, "result": ..., "output": str}`` or ``{"ok": false, "error": str,
    "message": str, "traceback": str, "output": str}``.

    Raises:
        MalformedMessage: anything else.
    """
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise MalformedMessage(f"expected a reply object with a boolean 'ok', got {type(reply).__name__}")
    if reply["ok"] and "result" not in reply:
        raise MalformedMessage("a successful reply without a result")
    clean = dict(reply)
    for key, limit in REPLY_TEXT_LIMITS.items():
        text = clean.get(key, "")
        if not isinstance(text, str):
            raise MalformedMessage(f"reply field {key!r} is a {type(text).__name__}, not text")
        clean[key] = text if len(text) <= limit else text[:limit] + " [...]"
    return clean


def ended_reply(error, message):
    """The reply a sandbox's init sends when it ends the sandbox (e.g. over its memory budget): ``ended``
    tells the judge that the channel is finished, so the next request starts a new worker."""
    return {"ok": False, "error": error, "message": message, "traceback": "", "output": "", "ended": True}


def check_hello(hello):
    """The worker's hello, validated: an object with an ``isolation`` object (what confines it)."""
    if not (isinstance(hello, dict) and isinstance(hello.get("isolation"), dict)):
        raise MalformedMessage("the worker's hello has no isolation record")
    return hello
