"""What the workflows share: one step at a time, the clock that waits for a step or a deadline,
notices sent beside the steps, refusals the API can explain, dates as read in China.

Activation, application and profile review all wait on people with a deadline, take one step at
a time and tell people about it; the machinery for that is here once (``Steps``, ``wait_until``,
``Notices``) so the three cannot drift apart. Each workflow keeps only its own states and rules.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from registry.reference import CHINA_TIME


def refuse(code: str, **params: object) -> ApplicationError:
    """A validator's refusal; the API turns ``code`` into the matching ``registry.errors`` entry."""
    return ApplicationError(code, params, type=code, non_retryable=True)


def china_date(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d")


# Every activity: 30 s an attempt, retried (backing off to once a minute) until it succeeds: a
# record or a registry change must outlive any outage of the database. What cannot succeed (a
# programming error such as an unknown notice event) fails at once: activities raise it as a
# non-retryable ApplicationError.
ACTIVITY_TIMEOUT = timedelta(seconds=30)
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# A notice is worth sending for a day; after that it is dropped (logged), never the process.
NOTICE_RETRY_FOR = timedelta(days=1)


async def run_activity(method, *args):
    """Run an activity method with the common timeout and retry policy."""
    return await workflow.execute_activity_method(
        method, args=args, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY
    )


async def wait_until(done: Callable[[], bool], deadline: datetime) -> bool:
    """Wait for ``done`` until ``deadline``; what ``done`` says at the end."""
    remaining = deadline - workflow.now()
    if remaining > timedelta(0):
        with suppress(TimeoutError):
            await workflow.wait_condition(done, timeout=remaining)
    return done()


class Steps:
    """One step at a time, counted.

    A step is what a person's update (or the clock) does to the workflow's state. ``sequence``
    counts them, so a clock can tell whether a step was taken while it waited. ``busy`` is set
    while a step runs: validators refuse a second decision meanwhile (``idle``), and handlers
    that may wait do so in ``taking``, re-running their validator once it is their turn.
    ``ready`` says when steps may start at all (an application: once its submission is
    recorded, which a step recorded before it would be overwritten by).
    """

    def __init__(self, ready: Callable[[], bool] = lambda: True) -> None:
        self.sequence = 0
        self.busy = False
        self._ready = ready

    def idle(self) -> bool:
        return not self.busy

    def count(self) -> int:
        """A step was taken: the next sequence number (its timeline key)."""
        self.sequence += 1
        return self.sequence

    @contextmanager
    def held(self) -> Iterator[None]:
        """Mark a step under way, now: for handlers whose validator refused a busy workflow,
        so that no other update can start between the validator and this."""
        self.busy = True
        try:
            yield
        finally:
            self.busy = False

    async def when_ready(self, still_valid: Callable[[], None]) -> None:
        """Wait until steps may start, then run the update's validator again: the state may
        have moved while the update waited (it raises the same refusal)."""
        await workflow.wait_condition(self._ready)
        still_valid()

    @asynccontextmanager
    async def taking(self, still_valid: Callable[[], None]) -> AsyncIterator[None]:
        """Wait for the workflow to be ready and idle, re-validate, then hold the step."""
        await workflow.wait_condition(lambda: self._ready() and not self.busy)
        still_valid()
        with self.held():
            yield

    async def taken_within(self, timeout: timedelta, seen: int, let_finish: bool = True) -> bool:
        """True if a step was taken (the sequence moved past ``seen``) within ``timeout``.

        With ``let_finish``, a step still under way when the time runs out (its validator
        accepted it in time) is let finish first, so a clock cannot expire or flag what a
        person is moving on.
        """
        if timeout > timedelta(0):
            with suppress(TimeoutError):
                await workflow.wait_condition(lambda: self.sequence != seen, timeout=timeout)
        if let_finish:
            await workflow.wait_condition(self.idle)
        return self.sequence != seen


class Notices:
    """Notices sent beside the steps, without holding them up; the run waits for all before it
    ends. One that still fails after ``NOTICE_RETRY_FOR`` is logged and dropped: a notice that
    could not reach anyone for a day must not fail the application it is about."""

    def __init__(self) -> None:
        self._sent: list[asyncio.Future] = []

    def send(self, method, argument) -> None:
        self._sent.append(
            workflow.start_activity_method(
                method,
                argument,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                schedule_to_close_timeout=NOTICE_RETRY_FOR,
                retry_policy=ACTIVITY_RETRY,
            )
        )

    def also(self, telling) -> None:
        """Something else that tells people (a coroutine), awaited with the notices."""
        self._sent.append(asyncio.ensure_future(telling))

    async def all_sent(self) -> None:
        for outcome in await asyncio.gather(*self._sent, return_exceptions=True):
            if isinstance(outcome, ActivityError):
                workflow.logger.warning("a notice was given up: %s", type(outcome.cause).__name__)
            elif isinstance(outcome, BaseException):
                raise outcome
