"""Process logging: readable lines on a dev machine, one JSON object per line in production.

A log collector parses JSON without guessing where a message ends. Nothing logged may hold personal
data: the access log has the path without the query string, and messages name identifiers
(account and workflow ids), never names, ID numbers, phones, emails or codes. Exception messages
are the exception: a database error quotes the row it refused. So the JSON form keeps an
exception's type and the files, lines and functions of its stack, and drops its message.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}``, plus ``exception`` and ``stack`` if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry.update(_exception(record.exc_info[1]))
        return json.dumps(entry, ensure_ascii=False)


def _exception(error: BaseException) -> dict[str, str]:
    """The chain of exception types, outermost first; the root cause's frames, innermost first."""
    chain = [error]
    while (cause := chain[-1].__cause__ or chain[-1].__context__) and len(chain) < 10:
        chain.append(cause)
    return {
        "exception": " <- ".join(f"{type(e).__module__}.{type(e).__qualname__}" for e in chain),
        "stack": " <- ".join(
            f"{frame.filename}:{frame.lineno} {frame.name}"
            for frame in reversed(traceback.extract_tb(chain[-1].__traceback__))
        ),
    }


def exception_summary(error: BaseException) -> dict[str, str]:
    """``exception`` (the chain of types) and ``stack`` (frames), no message: for a log line."""
    return _exception(error)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Replace the root handler, so that uvicorn's and the SDK's loggers format alike."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
