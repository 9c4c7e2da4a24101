"""What the workflows share: refusals the API can explain, dates as read in China."""

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from registry.reference import CHINA_TIME


def refuse(code: str, **params: object) -> ApplicationError:
    """A validator's refusal; the API turns ``code`` into the matching ``registry.errors`` entry."""
    return ApplicationError(code, params, type=code, non_retryable=True)


def china_date(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d")
