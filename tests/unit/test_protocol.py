"""The wire format: valid messages round-trip; any malformed input is a MalformedMessage, never another error."""
import json
import socket

import numpy as np
import pytest

from autograder.wire import protocol

VALID_REPLY = {"ok": True, "output": "printed", "result": {"z": np.arange(6.0).reshape(2, 3), "n": 3,
                                                          "f": float("-inf"), "l": [1.5, None, "s"]}}


def _frame(body):
    return protocol.HEADER.pack(len(body)) + body


def test_valid_messages_round_trip():
    a, b = socket.socketpair()
    protocol.send(a, VALID_REPLY)
    got = protocol.check_reply(protocol.recv(b))
    assert np.array_equal(got["result"]["z"], VALID_REPLY["result"]["z"])
    assert got["result"]["f"] == float("-inf") and got["result"]["l"] == [1.5, None, "s"]
    assert np.isnan(protocol.loads(protocol.dumps(float("nan"))))
    assert protocol.loads(protocol.dumps(np.zeros((0, 3)))).shape == (0, 3)


CRAFTED = [
    b"[" * 100_000 + b"]" * 100_000,                       # RecursionError in json
    b'{"a":' * 40 + b"1" + b"}" * 40,                      # deeper than MAX_DEPTH
    b'{"ok": true, "result": 1' + b"0" * 4000 + b"}",      # 4001-digit integer (OverflowError in float())
    b'{"ok": true, "result": 1' + b"0" * 5000 + b"}",      # past Python's int-string limit
    b'{"ok": true, "result": 9223372036854775808}',        # just past int64
    b'{"ok": true, "result": 1e999}',                      # float literal overflowing to inf
    b'{"ok": true, "result": NaN}',                        # bare non-finite constants
    b'{"ok": true, "result": -Infinity}',
    b'{"ok": true, "result": {"__float__": "1e5"}}',       # special float that is not special
    b'{"ok": true, "result": {"__float__": ["nan"]}}',
    b'{"ok": true, "result": {"__array__": "AAAA", "shape": [5]}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": [-1]}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": [4611686018427387904, 4611686018427387904]}}',
    b'{"ok": true, "result": {"__array__": "", "shape": [4611686018427387904, 0]}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": [1, 1, 1, 1, 1, 1, 1, 1, 1]}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": [1.0]}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": [true]}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": "1"}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA=", "shape": {"0": 1}}}',
    b'{"ok": true, "result": {"__array__": "AAAAAAAAAAA="}}',
    b'{"ok": true, "result": {"__array__": "!!!!!!!!!!!=", "shape": [1]}}',
    b'{"ok": true, "result": {"__array__": 12, "shape": [1]}}',
    b'{"ok": true, "result": {"__array__": null, "shape": [0]}}',
    b'\xff\xfe{"ok": true}',                               # not UTF-8
    b"",
    b"{",
    b'"just a string"',
    b"[1, 2, 3]",
    b"null",
    b'{"ok": "yes", "result": 1}',
    b'{"ok": true}',
    b'{"ok": false, "error": 3, "message": "m"}',
    b'{"ok": false, "error": "E", "message": ["m"]}',
    b'{"ok": true, "result": 1, "output": {"text": "x"}}',
    b'{"ok": true, "result": 1, "ok": 1}',
]


def _decode_reply(body):
    return protocol.check_reply(protocol.loads(body))


@pytest.mark.parametrize("body", CRAFTED, ids=range(len(CRAFTED)))
def test_crafted_malformed_replies(body):
    with pytest.raises(protocol.MalformedMessage):
        _decode_reply(body)


def test_fuzzed_replies_are_valid_or_malformed():
    """Hundreds of random corruptions of a valid reply: each decodes to a valid reply or is MalformedMessage."""
    rng = np.random.default_rng(0)
    valid = protocol.dumps(VALID_REPLY)
    outcomes = {"valid": 0, "malformed": 0}
    for _ in range(600):
        body = bytearray(valid)
        for _ in range(int(rng.integers(1, 4))):
            kind, at = rng.integers(0, 4), int(rng.integers(0, max(1, len(body))))
            if kind == 0 and body:
                body[at] = int(rng.integers(0, 256))
            elif kind == 1:
                del body[at:at + int(rng.integers(1, 20))]
            elif kind == 2:
                body[at:at] = rng.choice(list(b'[]{}",:0123456789-e.'), int(rng.integers(1, 20))).tobytes()
            else:
                body = body[:at]
        try:
            reply = _decode_reply(bytes(body))
        except protocol.MalformedMessage:
            outcomes["malformed"] += 1
        else:
            assert isinstance(reply["ok"], bool) and all(isinstance(reply[k], str) for k in protocol.REPLY_TEXT_LIMITS)
            outcomes["valid"] += 1
    assert outcomes["malformed"] > 300


def test_recv_frames_and_limits():
    a, b = socket.socketpair()
    a.sendall(protocol.HEADER.pack(protocol.MAX_MESSAGE + 1))
    with pytest.raises(protocol.MalformedMessage):
        protocol.recv(b)
    a, b = socket.socketpair()
    a.sendall(_frame(CRAFTED[0]))
    with pytest.raises(protocol.MalformedMessage):
        protocol.recv(b)
    a.sendall(b"\x00\x00")
    a.close()
    with pytest.raises(protocol.ChannelClosed):
        protocol.recv(b)


def test_reply_text_is_cut_and_hello_is_checked():
    long = _decode_reply(json.dumps({"ok": False, "error": "E", "message": "m" * 10**6, "traceback": "",
                                     "output": ""}).encode())
    assert len(long["message"]) < 3000
    assert protocol.check_hello({"isolation": {"network": "none"}})
    for hello in (None, [], {"isolation": "none"}, {}):
        with pytest.raises(protocol.MalformedMessage):
            protocol.check_hello(hello)
