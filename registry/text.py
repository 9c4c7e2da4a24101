"""Text that people type, kept clean in one place: what a name, a comment or a department may
hold.

Refused (``text_invalid``, beside the field): control characters (NUL, BEL, ESC… — a line
break only where a comment may have several lines), lone surrogates (not text at all: the
database driver fails to encode them), format characters — bidi overrides such as U+202E,
which make ``exe.txt`` read ``txt.exe`` to the staff who review it, zero-width characters such
as U+200B, which make two equal-looking names differ — and line or paragraph separators.
Chinese, letters, digits, punctuation and spaces are untouched.

Every request model's free-text field is a ``TextInput`` (or ``MultilineText``), so each route
and page that takes it gets the same check; the error names the field and never repeats what
was typed.
"""

import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from registry.errors import DomainError

# Cc control, Cf format (bidi, zero-width, BOM), Cs surrogate, Co private use, Cn unassigned,
# Zl/Zp line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_LINE_BREAKS = {"\n", "\r", "\t"}
ERROR_TYPE = "text_invalid"


def is_clean(value: str, multiline: bool = False) -> bool:
    allowed = _LINE_BREAKS if multiline else set()
    return all(char in allowed or unicodedata.category(char) not in _REFUSED for char in value)


def _single_line(value: str) -> str:
    if not is_clean(value):
        raise PydanticCustomError(ERROR_TYPE, "contains characters that are not allowed")
    return value


def _multiline(value: str) -> str:
    if not is_clean(value, multiline=True):
        raise PydanticCustomError(ERROR_TYPE, "contains characters that are not allowed")
    return value


TextInput = Annotated[str, AfterValidator(_single_line)]
MultilineText = Annotated[str, AfterValidator(_multiline)]


def check(fields: Iterable[tuple[str, Any]], multiline: Iterable[str] = ()) -> None:
    """Refuse the first field whose text is not clean (for forms read without a model):
    ``fields`` as (name, value) pairs, a form's ``multi_items()``."""
    multiline = set(multiline)
    for name, value in fields:
        if isinstance(value, str) and not is_clean(value, multiline=name in multiline):
            raise DomainError(ERROR_TYPE, {"detail": name})


def refusal(errors: list[dict]) -> DomainError:
    """The error for a model's failed validation: ``text_invalid`` when a text was refused for
    its characters, else ``invalid_request``; the fields by name only, never their values."""

    def where(error: dict) -> str:
        return ".".join(str(p) for p in error["loc"] if p != "body")

    text = sorted({where(e) for e in errors if e["type"] == ERROR_TYPE})
    if text:
        return DomainError(ERROR_TYPE, {"detail": ", ".join(text)})
    return DomainError("invalid_request", {"detail": ", ".join(sorted({where(e) for e in errors}))})
