"""Delivery of one security code or one security notice, retried until it goes out.

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
        give_up_after = VERIFICATION_CODE_TTL if message.kind == "code" else NOTICE_RETRY_FOR
        await workflow.execute_activity_method(
            ProfileActivities.deliver_contact_message,
            message,
            start_to_close_timeout=timedelta(seconds=30),
            schedule_to_close_timeout=give_up_after,
            retry_policy=RETRY,
        )
