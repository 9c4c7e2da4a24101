import asyncio
from temporalio.api.enums.v1 import EventType
from tests.workflows.conftest import *  # noqa

async def last_event(h):
    evs = [e async for e in h.fetch_history_events()]
    return evs[-1].event_type

async def test_race(env, start, registry):
    a = await start(QualificationMatch(found=False))
    for _ in range(100):
        if await last_event(a.handle) == EventType.EVENT_TYPE_TIMER_STARTED: break
        await asyncio.sleep(0.02)
    registry.match_gate = asyncio.Event()
    await a.handle.signal(ActivationWorkflow.qualification_imported)
    while registry.match_calls < 2: await asyncio.sleep(0.02)
    registry.match = found()
    await a.handle.signal(ActivationWorkflow.qualification_imported)
    for _ in range(100):
        if await last_event(a.handle) == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: break
        await asyncio.sleep(0.02)
    registry.match_gate.set()
    for _ in range(100):
        if registry.states: break
        await asyncio.sleep(0.05)
    print([EventType.Name(e.event_type) async for e in a.handle.fetch_history_events()])
    assert registry.states == [ActivationState.awaiting_verification]
