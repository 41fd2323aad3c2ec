"""Code hidden in string literals, put back as code: a copy wrapped in ``exec`` or base64 compares as what it runs.

A string literal is one token, so ``exec(compile('<a classmate's cell>', ...))`` shares no fingerprint
with the cell it hides.  :func:`reveal` finds every string or bytes literal (adjacent and ``+``-joined
literals as one) that holds Python code, as written or under an encoding (:data:`DECODERS`: base64,
base32, base85, hex, ROT13, reversed; each optionally compressed with zlib, gzip, bz2 or LZMA), and
replaces the statement that holds it by that code, indented alike, up to :data:`MAX_DEPTH` wrappings
deep.  A literal holds code when it parses as Python with at least one definition, assignment, call,
import or control statement in it and has at least :data:`MIN_CHARS` characters: messages, names and
docstrings do not.  Decoding is bounded (:data:`MAX_OUTPUT` characters per literal), so a small
compressed literal cannot expand to gigabytes.

What it finds marks the cell as obfuscated code: a reason to read it, not proof of anything.
"""
import ast
import base64
import binascii
import bz2
import codecs
import lzma
import textwrap
import zlib

MIN_CHARS = 20
MAX_DEPTH = 3
MAX_OUTPUT = 15_000
_CODE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AugAssign, ast.AnnAssign,
         ast.Return, ast.For, ast.While, ast.If, ast.With, ast.Try, ast.Import, ast.ImportFrom, ast.Call,
         ast.Lambda)
_NOT_EXPRESSIONS = (ast.stmt, ast.excepthandler, ast.match_case)


def _bytes(value):
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def _text(value):
    return value if isinstance(value, str) else value.decode("utf-8")


def _base64(value):
    compact = b"".join(_bytes(value).split())
    return base64.b64decode(compact + b"=" * (-len(compact) % 4), altchars=b"-_" if b"-" in compact or b"_" in compact
                            else None, validate=True)


DECODERS = {
    "base64": _base64,
    "base32": lambda v: base64.b32decode(b"".join(_bytes(v).split())),
    "base85": lambda v: base64.b85decode(b"".join(_bytes(v).split())),
    "ascii85": lambda v: base64.a85decode(b"".join(_bytes(v).split()), adobe=_bytes(v).startswith(b"<~")),
    "hex": lambda v: bytes.fromhex(_text(v)),
    "rot13": lambda v: codecs.decode(_text(v), "rot13"),
    "reversed": lambda v: v[::-1],
}


def _decompressed(data):
    """``[(how, bytes)]``: ``data`` unpacked by each decompressor that accepts it, at most MAX_OUTPUT bytes each."""
    if not isinstance(data, bytes):
        return []
    found = []
    for name, make in (("zlib", zlib.decompressobj), ("gzip", lambda: zlib.decompressobj(31)),
                       ("bz2", bz2.BZ2Decompressor), ("lzma", lzma.LZMADecompressor)):
        try:
            found.append((name, make().decompress(data, MAX_OUTPUT)))
        except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
            continue
    return found


def _is_code(text):
    """Whether ``text`` is Python worth comparing as code (see the module docstring)."""
    if len(text) < MIN_CHARS or len(text) > MAX_OUTPUT:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(node, _CODE) for node in ast.walk(tree))


def decode(value, layers=2):
    """``(code, how)`` if the literal ``value`` (str or bytes) holds code, else None; ``how`` names the
    encodings, outermost first (``[]``: the code as written)."""
    candidates = [([], value)]
    for _ in range(layers):
        found = []
        for how, data in candidates:
            try:
                text = _text(data)
            except UnicodeDecodeError:
                text = None
            if text is not None and _is_code(text):
                return text, how
            for name, decoder in DECODERS.items():
                if name in ("reversed", "rot13") and how[-1:] == [name]:  # twice is the identity
                    continue
                try:
                    out = decoder(data)
                except (ValueError, TypeError, binascii.Error, UnicodeError):
                    continue
                found.append((how + [name], out))
                found += [(how + [name, packer], unpacked) for packer, unpacked in _decompressed(out)]
        candidates = [(how, data) for how, data in found if len(data) <= 2 * MAX_OUTPUT]
    for how, data in candidates:
        try:
            if _is_code(_text(data)):
                return _text(data), how
        except UnicodeDecodeError:
            continue
    return None


def _literal(node):
    """The value of a string or bytes literal, or of ``+`` between such literals; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None and right is not None and type(left) is type(right):
            return left + right
    return None


def _own_expressions(statement):
    """Every expression node of ``statement`` that is not inside a statement nested in it."""
    stack = [child for child in ast.iter_child_nodes(statement) if not isinstance(child, _NOT_EXPRESSIONS)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _NOT_EXPRESSIONS))


def _hidden(statement):
    """``[(code, how)]`` of the literals of ``statement`` that hold code (a literal inside a joined one once)."""
    found, inside = [], set()
    for node in _own_expressions(statement):
        if id(node) in inside:
            continue
        value = _literal(node)
        if value is None:
            continue
        inside.update(id(n) for n in ast.walk(node))
        if len(value) < MIN_CHARS:
            continue
        decoded = decode(value)
        if decoded:
            found.append(decoded)
    return found


def describe(how):
    """E.g. "a string literal", "base64 in a string literal", "zlib, base64 in a string literal"."""
    return (", ".join(reversed(how)) + " in " if how else "") + "a string literal"


def reveal(text, depth=0):
    """``(text, found)``: ``text`` with each statement that holds code in a literal replaced by that code
    (itself revealed, up to :data:`MAX_DEPTH` deep), and ``found``: how each was hidden (:func:`describe`).

    Text that is not Python comes back unchanged.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text, []
    lines = text.splitlines()
    edits, found = [], []
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt) or any(start <= statement.lineno - 1 <= end for start, end, _ in edits):
            continue
        hidden = _hidden(statement)
        if not hidden:
            continue
        indent = " " * statement.col_offset
        code = []
        for inner, how in hidden:
            inner = textwrap.dedent(inner)
            if depth < MAX_DEPTH:
                inner, deeper = reveal(inner, depth + 1)
                found += deeper
            found.append(describe(how))
            code += [indent + line if line.strip() else line for line in inner.splitlines()]
        edits.append((statement.lineno - 1, statement.end_lineno - 1, code))
    for start, end, code in sorted(edits, reverse=True):
        lines[start:end + 1] = code
    return "\n".join(lines), found
