"""The CPU pool (registry/cpu.py): a burst of hashing or photo checks takes at most
``CPU_THREADS`` threads at once; the rest wait their turn, and each gets its own answer."""

import asyncio
import threading
import time

from registry import cpu


async def test_a_burst_runs_at_most_the_pools_bound_at_once():
    running, most, lock = 0, 0, threading.Lock()

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)  # holds its thread, as a hash or a decode does
        with lock:
            running -= 1
        return n * n

    answers = await asyncio.gather(*(cpu.run(work, n) for n in range(3 * cpu.CPU_THREADS)))
    assert answers == [n * n for n in range(3 * cpu.CPU_THREADS)]
    assert most == cpu.CPU_THREADS
