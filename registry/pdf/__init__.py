"""PDF documents: the application and review form and the electronic certificate.

Renderers are pure (data in, bytes out) and CPU-bound: callers run them off the event loop.
"""
