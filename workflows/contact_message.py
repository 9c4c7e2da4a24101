"""Delivery of one security code or one security notice, retried until it goes out; and a
password-reset request, which becomes a code here only if the account exists (the API starts
this workflow for every request alike, so neither its answer nor its time tells who exists).

The code itself never enters history: the input names only the ``contact_codes`` row and its
nonce, from which the activity derives the code (``registry.security``). A code is worth
retrying only while it is valid; a notice, for a day.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.profile import ProfileActivities
    from registry.activation import VERIFICATION_CODE_TTL
    from registry.security import ContactMessage

RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
NOTICE_RETRY_FOR = timedelta(days=1)


@workflow.defn
class ContactMessageWorkflow:
    @workflow.run
    async def run(self, message: ContactMessage) -> None:
        if message.kind == "reset_request":
            # Only requests started since this branch existed take it: no running workflow
            # changes its steps (its kind is code or notice).
            message = await workflow.execute_activity_method(
                ProfileActivities.issue_reset_code,
                message,
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=VERIFICATION_CODE_TTL,
                retry_policy=RETRY,
            )
            if message is None:  # unknown, no such contact, too soon or locked: nothing to send
                return
        give_up_after = VERIFICATION_CODE_TTL if message.kind == "code" else NOTICE_RETRY_FOR
        await workflow.execute_activity_method(
            ProfileActivities.deliver_contact_message,
            message,
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=give_up_after,
            retry_policy=RETRY,
        )
