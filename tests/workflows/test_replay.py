"""Recorded histories replay against today's workflows: running workflows survive a deploy.

``tests/histories/*.json`` holds a history of every workflow type and path (recorded by
``tests/histories/record.py``). A change that would make a workflow already running decide
differently — a command added, removed or reordered, a timer changed — fails here with a
nondeterminism error instead of in production. See docs/tests.md for re-recording after an
intentional change and for ``workflow.patched``.
"""

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.histories.record import SCENARIOS
from worker import WORKFLOWS

HISTORIES = Path(__file__).parent.parent / "histories"
FILES = sorted(HISTORIES.glob("*.json"))


def test_every_scenario_has_a_recorded_history():
    # Older recordings kept beside them (workflows of an older shape still running) replay too.
    assert set(SCENARIOS) <= {path.stem for path in FILES}


def test_every_workflow_type_has_histories():
    recorded = {
        WorkflowHistory.from_json(path.stem, path.read_text())
        .events[0]
        .workflow_execution_started_event_attributes.workflow_type.name
        for path in FILES
    }
    assert recorded == {workflow._Definition.must_from_class(cls).name for cls in WORKFLOWS}


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
async def test_history_replays(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history)  # raises on nondeterminism
    assert result.replay_failure is None
