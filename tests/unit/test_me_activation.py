"""What /me and the activation page say while the workflow's first match is still running.

Sign-up matches the qualification record itself and answers ``awaiting_verification``; the
workflow started at the same moment runs its own first match a moment later. The physician who
opens /me in between must not be told to wait for a record sign-up already found. The live
status comes from a workflow query: that call is the boundary stubbed here.
"""

from types import SimpleNamespace

import pytest

from registry.activation import ActivationState, ActivationStatus
from starter.services import me


def _status(state: ActivationState) -> ActivationStatus:
    return ActivationStatus(
        state=state,
        institution_code="H4301020001",
        deadline=None,
        verified_channel=None,
        pending_codes=[],
        attempts_left=5,
        locked_until=None,
        auto_activate=False,
    )


@pytest.fixture
def live(monkeypatch):
    """The workflow's answer to the status query."""
    answer = {}

    async def status(temporal, account_id):
        return answer.get("status")

    monkeypatch.setattr(me.activation, "status", status)
    return answer


@pytest.mark.parametrize(
    ("recorded", "running", "said", "next_code"),
    [
        # sign-up found the record; the workflow's first match has not finished
        (
            "awaiting_verification",
            "awaiting_qualification",
            "awaiting_verification",
            "verify_phone",
        ),
        # nothing found at sign-up (or a restart): the workflow is right to wait
        (
            "awaiting_qualification",
            "awaiting_qualification",
            "awaiting_qualification",
            "wait_for_qualification",
        ),
        # the workflow has moved on: it is the live answer
        (
            "awaiting_verification",
            "awaiting_institution",
            "awaiting_institution",
            "ask_institution",
        ),
    ],
)
async def test_the_state_sign_up_found_is_not_taken_back(live, recorded, running, said, next_code):
    live["status"] = _status(ActivationState(running))
    account = SimpleNamespace(id=7, activation_state=recorded)
    out, step = await me.activation_of(None, account, "zh")
    assert (out.state, step.code) == (said, next_code)
