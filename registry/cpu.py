"""CPU-heavy work (password hashing, photo decoding) off the event loop, in a bounded pool.

Run inside an async handler, a 30 ms argon2 hash or a second of Pillow decoding stops every
other request of the process, ``/healthz`` included. In a thread they release the GIL (argon2
and Pillow's decoders are C) and the loop keeps answering. The bound keeps a burst of uploads or
logins from taking every thread and all memory at once: the rest wait their turn, not the loop.
"""

from collections.abc import Callable
from functools import cache, partial
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

# Two cores here; a few more than that keeps them busy while one waits on memory.
CPU_THREADS = 4


@cache
def _limiter() -> anyio.CapacityLimiter:
    return anyio.CapacityLimiter(CPU_THREADS)


async def run(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in a worker thread, at most ``CPU_THREADS`` at once in this process."""
    return await anyio.to_thread.run_sync(partial(work, *args), limiter=_limiter())
