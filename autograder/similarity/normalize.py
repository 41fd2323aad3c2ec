"""Code as a stream of normalised tokens, so that layout, comments and chosen names do not count.

Whitespace, comments and blank lines are dropped; every string literal becomes ``S``; every name the
cell binds (parameters, assigned variables and attributes, loop and ``with`` targets, helper functions
and classes), and every name the release's given functions and classes bind (``self.split``, ``keep``,
...: the same for every student, wherever it is bound), becomes ``V``, except the assignment's API
names (what the source notebook defines: its classes, their methods, ...), which students must
keep.  Other names (``tf``, ``reduce_sum``, ``log_prob``, builtins) and keywords stay as written:
renaming cannot change them.  In a cell Python cannot parse, every name not after a ``.`` is ``V``.

Tokens come from one regular expression (Python's own tokenizer is several times slower and gives up
on broken code); the quote of an unterminated string is an operator.
"""
import ast
import bisect
import builtins
import keyword
import re

_BUILTINS = frozenset(dir(builtins))
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<str>[rRbBuUfF]{0,2}(?:"""(?:\\.|[^\\])*?"""|\'\'\'(?:\\.|[^\\])*?\'\'\'
                           |"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<name>[^\W\d]\w*)
  | (?P<num>\.?\d[\w.]*)
  | (?P<op>[^\s\w])
''', re.X)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _parse(text):
    """The ``ast`` of ``text``, or None where it is not Python (a syntax error, a magic, too deep)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def defined_names(texts):
    """Names of the functions and classes (methods included) that the code ``texts`` define: the API."""
    return {n.name for tree in filter(None, map(_parse, texts)) for n in ast.walk(tree) if isinstance(n, _DEFS)}


def given_bound(texts):
    """Every name the functions and classes of the code ``texts`` (the release's given cells) bind.

    Module-level names (``tf``, ``tfd``, data sets) are the students' environment, not theirs to name.
    """
    return {name for tree in filter(None, map(_parse, texts)) for node in tree.body
            if isinstance(node, _DEFS) for name in bound_names(node)}


def bound_names(tree):
    """Every name an ``ast`` tree binds: targets, parameters, assigned attributes, defs, handlers."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            bound.add(node.attr)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, _DEFS):
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def raw_tokens(text):
    """``[(kind, string, line)]``: every token of ``text`` but comments, with its (0-based) line."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    return [(m.lastgroup, m.group(), bisect.bisect_left(newlines, m.start()))
            for m in _TOKEN.finditer(text) if m.lastgroup != "comment"]


def tokens(text, api=frozenset(), given=frozenset()):
    """``[(token, line)]``: the normalised tokens of ``text`` and the (0-based) line each starts on.

    Args:
        api: names kept as written although the code binds them.
        given: names the given code binds, ``V`` wherever they appear.
    """
    tree = _parse(text)
    bound = (bound_names(tree) | set(given)) - set(api) if tree else None
    raw = raw_tokens(text)
    out = []
    for i, (kind, string, line) in enumerate(raw):
        if kind == "str":
            string = "S"
        elif kind == "name" and not keyword.iskeyword(string):
            if bound is not None:
                string = "V" if string in bound else string
            elif string not in api and string not in _BUILTINS and not (i and raw[i - 1][1] == "."):
                string = "V"
        out.append((string, line))
    return out
