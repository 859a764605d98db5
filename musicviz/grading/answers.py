"""The answers of a submission: read in its kernel, sent as tagged JSON, decoded here.

Notebook: every notebook (the ``answer_NN_k`` variables of their exercises).

The grader runs :func:`reader_cell` after a submission's own cells, in its kernel
(:func:`musicviz.course.runner.run_notebook`, ``after=``): it prints the answer variables as
JSON between two random markers, with numpy arrays and scalars, pandas Series, tuples, dicts
and non-finite floats tagged. :func:`read_answers` finds that JSON in the cell's output and
:func:`decode` turns each value back into Python, never evaluating anything: the grader never
unpickles or evaluates what a submission produced.
"""

from __future__ import annotations

import json
import secrets

__all__ = ["MAX_ANSWERS_JSON", "new_marker", "reader_cell", "read_answers", "decode"]

#: Largest JSON text of the answers the grader reads from one kernel (characters).
MAX_ANSWERS_JSON = 5_000_000

#: The source of the injected cell; :func:`reader_cell` fills in ``NAMES, MARKER, LIMIT``.
_READER = '''\
def _musicviz_read_answers(names, marker, limit):
    import json, math, sys

    def enc(value, depth=0):
        if depth > 8:
            raise TypeError("nested too deeply")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
        if isinstance(value, (list, tuple)):
            items = [enc(item, depth + 1) for item in value]
            return {"__tuple__": items} if isinstance(value, tuple) else items
        if isinstance(value, dict):
            return {"__dict__": [[enc(k, depth + 1), enc(v, depth + 1)] for k, v in value.items()]}
        kind = type(value)
        module = kind.__module__.split(".")[0]
        if module == "numpy" and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
            return enc(value.item(), depth + 1)
        if module == "numpy" and kind.__name__ == "ndarray":
            return {"__ndarray__": enc(value.tolist(), depth + 1), "dtype": str(value.dtype)}
        if module == "pandas" and kind.__name__ == "Series":
            return {"__series__": enc(value.tolist(), depth + 1), "index": enc(list(value.index), depth + 1),
                    "name": enc(value.name, depth + 1)}
        raise TypeError(kind.__qualname__)

    space = globals()
    found = {}
    for name in names:
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
    """The source of the cell that prints the variables ``names`` as tagged JSON between ``marker``s.

    A variable that is not defined is reported ``{"missing": true}``, one that cannot be sent
    (a function, an object) ``{"unreadable": "<its type>: why"}``, one whose JSON is longer than
    ``limit`` characters as unreadable too. The cell deletes its helper after it ran.

    Examples
    --------
    >>> import io, contextlib
    >>> from musicviz.grading.answers import decode, read_answers, reader_cell
    >>> space, out = {"answer_00_1": (1, "metal")}, io.StringIO()
    >>> with contextlib.redirect_stdout(out):
    ...     exec(reader_cell(["answer_00_1", "answer_00_2"], "@@m@@"), space)
    >>> found = read_answers({"outputs": [{"output_type": "stream", "text": out.getvalue()}]}, "@@m@@")
    >>> decode(found["answer_00_1"]["value"]), found["answer_00_2"]
    ((1, 'metal'), {'missing': True})
    """
    return _READER.replace("NAMES, MARKER, LIMIT", f"{list(names)!r}, {marker!r}, {int(limit)!r}")


def decode(obj, depth: int = 0):
    """Tagged JSON (from the injected cell) back to Python values; never evaluates anything.

    Raises
    ------
    ValueError
        An unknown tag, a "float" that is not ``nan``/``inf``/``-inf``, nesting deeper than 12.

    Examples
    --------
    >>> from musicviz.grading.answers import decode
    >>> decode({"__tuple__": [1, {"__float__": "nan"}]})
    (1, nan)
    """
    if depth > 12:
        raise ValueError("nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(item, depth + 1) for item in obj]
    if not isinstance(obj, dict):
        raise ValueError(f"unexpected {type(obj).__name__}")
    if "__tuple__" in obj:
        return tuple(decode(item, depth + 1) for item in obj["__tuple__"])
    if "__float__" in obj:
        if obj["__float__"] not in ("nan", "inf", "-inf"):
            raise ValueError(f"not a float: {obj['__float__']!r}")
        return float(obj["__float__"])
    if "__dict__" in obj:
        pairs = [(decode(k, depth + 1), decode(v, depth + 1)) for k, v in obj["__dict__"]]
        return {(tuple(k) if isinstance(k, list) else k): v for k, v in pairs}
    if "__ndarray__" in obj:
        import numpy as np

        values = decode(obj["__ndarray__"], depth + 1)
        try:
            dtype = np.dtype(str(obj.get("dtype", "")))
        except TypeError:
            dtype = None
        if dtype is not None and dtype.kind in "biufcUS":
            return np.asarray(values, dtype=dtype)
        return np.asarray(values)
    if "__series__" in obj:
        import pandas as pd

        return pd.Series(
            decode(obj["__series__"], depth + 1),
            index=decode(obj.get("index"), depth + 1),
            name=decode(obj.get("name"), depth + 1),
        )
    raise ValueError(f"unknown tag in {sorted(obj)[:3]}")


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
