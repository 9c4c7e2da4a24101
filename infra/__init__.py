"""What the worker and the entry points share without importing each other: the Temporal
client and its payload codec, logging, the heap settling of long-running processes."""
