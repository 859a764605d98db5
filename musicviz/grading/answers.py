"""The answers of a submission: read in its kernel, sent as tagged JSON, decoded here.

Notebook: every notebook (the ``answer_NN_k`` and ``prediction_NN_k`` variables of their
exercises).

The grader runs :data:`SETTLE` and then :func:`reader_cell` after a submission's own cells, in
its kernel (:func:`musicviz.course.runner.run_notebook`, ``after=``): the reader prints the
variables as JSON between two random markers, with tuples and non-finite floats tagged, numpy
numbers as numbers and numpy arrays and pandas Series as lists. :func:`read_answers` finds that
JSON in the cell's output and :func:`decode` turns each value back into *plain* Python data:
``None``, bools, ints, floats, text, and tuples and lists of them, of bounded size
(:data:`MAX_ANSWERS_JSON`, :data:`MAX_ITEMS`, :data:`MAX_TEXT`, nesting :data:`MAX_DEPTH`).
Nothing else is ever built from what a kernel sent: no numpy array of a dtype it names, no
object, no pickle, no ``eval``. The kernel runs the reader but cannot make the grader trust
more than a plain value: a forged answer is at worst a wrong answer.
"""

from __future__ import annotations

import json
import math
import secrets

__all__ = ["MAX_ANSWERS_JSON", "MAX_ITEMS", "MAX_TEXT", "MAX_DEPTH", "SETTLE", "new_marker", "reader_cell",
           "read_answers", "decode"]

#: Largest JSON text of the answers the grader reads from one kernel (characters).
MAX_ANSWERS_JSON = 1_000_000
#: Most items of one list (or tuple) in an answer.
MAX_ITEMS = 10_000
#: Longest text in an answer (characters).
MAX_TEXT = 10_000
#: Deepest nesting of lists in an answer.
MAX_DEPTH = 4

#: Run before the reader: the output still buffered from the notebook's cells goes out, pools
#: of worker processes the notebook started are shut down, and the kernel's channels settle.
SETTLE = """\
import sys as _musicviz_sys, time as _musicviz_time
for _musicviz_stream in (_musicviz_sys.stdout, _musicviz_sys.stderr):
    try:
        _musicviz_stream.flush()
    except Exception:
        pass
if "joblib" in _musicviz_sys.modules:
    try:
        from joblib.externals.loky import get_reusable_executor as _musicviz_executor
        _musicviz_executor().shutdown(wait=True)
    except Exception:
        pass
_musicviz_time.sleep(0.5)
del _musicviz_sys, _musicviz_time
"""

#: The source of the injected cell; :func:`reader_cell` fills in ``NAMES, MARKER, LIMIT``.
_READER = '''\
def _musicviz_read_answers(names, marker, limit):
    import json, math, sys

    def enc(value, depth=0):
        if depth > 4:
            raise TypeError("nested too deeply")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
        if isinstance(value, (list, tuple)):
            if len(value) > 10000:
                raise ValueError("more than 10000 items")
            items = [enc(item, depth + 1) for item in value]
            return {"__tuple__": items} if isinstance(value, tuple) else items
        kind = type(value)
        module = kind.__module__.split(".")[0]
        if module == "numpy" and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
            return enc(value.item(), depth + 1)
        if module == "numpy" and kind.__name__ == "ndarray":
            if value.size > 10000:
                raise ValueError("more than 10000 items")
            return enc(value.tolist(), depth + 1)
        if module == "pandas" and kind.__name__ == "Series":
            if len(value) > 10000:
                raise ValueError("more than 10000 items")
            return enc(value.tolist(), depth + 1)
        raise TypeError(kind.__qualname__)

    space = globals()
    found = {}
    for name in sorted(set(names) | {n for n in space if n.startswith("prediction_")}):
        if name not in space:
            found[name] = {"missing": True}
            continue
        value = space[name]
        try:
            text = json.dumps({"value": enc(value)}, allow_nan=False)
            if len(text) > limit:
                raise ValueError("too large")
            found[name] = json.loads(text)
        except Exception as exc:
            found[name] = {"unreadable": type(value).__module__ + "." + type(value).__qualname__ + ": " + str(exc)[:80]}
    sys.stdout.write(marker + json.dumps(found, allow_nan=False) + marker + "\\n")
    sys.stdout.flush()


_musicviz_read_answers(NAMES, MARKER, LIMIT)
del _musicviz_read_answers
'''


def new_marker() -> str:
    """A random marker that a submission cannot guess (the answers' JSON goes between two).

    Examples
    --------
    >>> from musicviz.grading.answers import new_marker
    >>> new_marker().startswith("@@musicviz-answers-"), new_marker() == new_marker()
    (True, False)
    """
    return f"@@musicviz-answers-{secrets.token_hex(16)}@@"


def reader_cell(names, marker: str, *, limit: int = MAX_ANSWERS_JSON // 4) -> str:
    """The source of the cell that prints the variables ``names`` (and every ``prediction_*``) as tagged JSON.

    A variable that is not defined is reported ``{"missing": true}``, one that cannot be sent
    (a function, an object) ``{"unreadable": "<its type>: why"}``, one whose JSON is longer than
    ``limit`` characters as unreadable too. The cell deletes its helper after it ran.

    Examples
    --------
    >>> import io, contextlib
    >>> from musicviz.grading.answers import decode, read_answers, reader_cell
    >>> space, out = {"answer_00_1": (1, "metal"), "prediction_00_2": "reggae"}, io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     exec(reader_cell(["answer_00_1", "answer_00_2"], "@@m@@"), space)
    >>> found = read_answers({"outputs": [{"output_type": "stream", "text": out.getvalue()}]}, "@@m@@")
    >>> decode(found["answer_00_1"]["value"]), found["answer_00_2"], decode(found["prediction_00_2"]["value"])
    ((1, 'metal'), {'missing': True}, 'reggae')
    """
    return _READER.replace("NAMES, MARKER, LIMIT", f"{list(names)!r}, {marker!r}, {int(limit)!r}")


def decode(obj, depth: int = 0):
    """Tagged JSON (from the injected cell) back to plain Python data; never builds anything else.

    Plain data: ``None``, ``bool``, ``int``, ``float``, ``str``, and ``list`` / ``tuple`` of
    them, at most :data:`MAX_ITEMS` items, :data:`MAX_TEXT` characters, :data:`MAX_DEPTH` deep.

    Raises
    ------
    ValueError
        An unknown tag (``__ndarray__`` with a dtype, ``__dict__``, ...), a "float" that is not
        ``nan``/``inf``/``-inf``, too many items, too long a text, too deep a nesting.

    Examples
    --------
    >>> from musicviz.grading.answers import decode
    >>> decode({"__tuple__": [1, {"__float__": "nan"}]})
    (1, nan)
    >>> decode({"__ndarray__": [1], "dtype": "U100000000"})
    Traceback (most recent call last):
    ...
    ValueError: not a plain answer (keys __ndarray__, dtype)
    """
    if depth > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} deep")
    if obj is None or isinstance(obj, (bool, int)):
        return obj
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("a non-finite float must be tagged")
        return obj
    if isinstance(obj, str):
        if len(obj) > MAX_TEXT:
            raise ValueError(f"a text longer than {MAX_TEXT} characters")
        return obj
    if isinstance(obj, list):
        if len(obj) > MAX_ITEMS:
            raise ValueError(f"more than {MAX_ITEMS} items")
        return [decode(item, depth + 1) for item in obj]
    if not isinstance(obj, dict):
        raise ValueError(f"unexpected {type(obj).__name__}")
    if set(obj) == {"__tuple__"} and isinstance(obj["__tuple__"], list):
        if len(obj["__tuple__"]) > MAX_ITEMS:
            raise ValueError(f"more than {MAX_ITEMS} items")
        return tuple(decode(item, depth + 1) for item in obj["__tuple__"])
    if set(obj) == {"__float__"}:
        if obj["__float__"] not in ("nan", "inf", "-inf"):
            raise ValueError(f"not a float: {str(obj['__float__'])[:40]!r}")
        return float(obj["__float__"])
    raise ValueError(f"not a plain answer (keys {', '.join(sorted(str(k)[:20] for k in obj)[:3])})")


def read_answers(cell, marker: str) -> dict:
    """The answers the injected cell printed: variable name -> ``{"value": tagged JSON}`` (or why not).

    Raises
    ------
    ValueError
        The cell printed no answers between two ``marker``s, or too much, or not a mapping.

    Examples
    --------
    >>> from musicviz.grading.answers import read_answers
    >>> read_answers({"outputs": [{"output_type": "stream", "text": '@@m@@{"a": {"value": 1}}@@m@@\\n'}]}, "@@m@@")
    {'a': {'value': 1}}
    """
    text = "".join(
        "".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )
    parts = text.split(marker)
    if len(parts) < 3:
        raise ValueError("the injected cell printed no answers")
    payload = parts[-2]
    if len(payload) > MAX_ANSWERS_JSON:
        raise ValueError("the answers are too large to read")
    found = json.loads(payload)
    if not isinstance(found, dict):
        raise ValueError("the answers are not a mapping")
    return found
