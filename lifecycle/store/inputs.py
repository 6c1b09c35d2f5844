"""What a person types into a record, checked the same way by every record store (comments,
workflow, pipeline, notifications): trimmed text with a length limit, a date, a choice given by its
key or its Chinese label, and the time stamp written beside each change.

Each store passes its own exception class (`error`), so a page catches that store's error and
shows the Chinese message; the messages themselves are `labels.INPUT_TEXT`.
"""
from __future__ import annotations

import datetime as dt

from lifecycle.domain import labels

T = labels.INPUT_TEXT


def now() -> str:
    """The time stamp of a change: local time to the second, ISO text."""
    return dt.datetime.now().isoformat(timespec="seconds")


def text(value, what: str, error: type[Exception], required: bool = False, max_len: int = 200) -> str | None:
    """`value` as trimmed text (None when empty); `what` names the field in the message."""
    v = "" if value is None else str(value).strip()
    if required and not v:
        raise error(T["required"].format(what=what))
    if len(v) > max_len:
        raise error(T["too_long"].format(what=what, n=len(v), max=max_len))
    return v or None


def date(value, what: str, error: type[Exception], required: bool = False,
         not_future: bool = False) -> dt.date | None:
    """A date from a date, a datetime or 'YYYY-MM-DD' text; None when empty and not required."""
    if value in (None, ""):
        if required:
            raise error(T["required"].format(what=what))
        return None
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise error(T["date"].format(what=what, value=value)) from None
    if not_future and d > dt.date.today():
        raise error(T["future"].format(what=what, value=d.isoformat()))
    return d


def key_of(value, names: dict[str, str], what: str, error: type[Exception]) -> str:
    """The key of `names` (key → Chinese label) that `value` gives as its key or its label."""
    if value in names:
        return value
    by_label = {label: key for key, label in names.items()}
    if value in by_label:
        return by_label[value]
    raise error(T["choice"].format(what=what, value=value, options="、".join(names.values())))
