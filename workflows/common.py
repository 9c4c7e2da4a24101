"""What the workflows share: refusals the API can explain, dates as read in China."""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from registry.reference import CHINA_TIME


def refuse(code: str, **params: object) -> ApplicationError:
    """A validator's refusal; the API turns ``code`` into the matching ``registry.errors`` entry."""
    return ApplicationError(code, params, type=code, non_retryable=True)


def china_date(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d")


# Every activity: 30 s an attempt, retried (backing off to once a minute) until it succeeds.
ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


async def run_activity(method, *args):
    """Run an activity method with the common timeout and retry policy."""
    return await workflow.execute_activity_method(
        method, args=args, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY
    )
