"""``infra.heap.settle``: what startup built is no longer walked by a full collection."""

import subprocess
import sys

SCRIPT = """
import gc
import sqlalchemy, temporalio.client  # a heap the size of a process's after its imports
from infra import heap
before = len(gc.get_objects())
heap.settle()
made_after = [[i] for i in range(1000)]
print(before, len(gc.get_objects()), gc.get_freeze_count())
"""


def test_a_full_collection_after_settling_walks_only_what_was_made_since():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    before, tracked, frozen = map(int, run.stdout.split())
    assert before > 20_000
    assert frozen >= before * 0.9
    assert 1000 <= tracked < 1500
