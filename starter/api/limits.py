"""Request bodies bounded before they are read: a 200 MB JSON body costs nothing but its refusal.

A pure ASGI middleware (it sees the body as it arrives, which ``@app.middleware`` would not):
a ``Content-Length`` above the limit is answered 413 at once, without reading; a body without
one (chunked) is counted as it streams, and the request is answered 413 as soon as it passes
the limit, whatever the route was making of it. Multipart uploads (the photo: 2 MB and its
envelope) have their own, larger limit; everything else — JSON and the portal's forms — is small.
The answer is the app's own error (``body_too_large``): JSON on the API, a page on the portal.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.errors import DomainError
from registry.settings import Settings

# The photo routes refuse a declared length over the photo's own limit themselves, with the
# photo's rule (beside the file field on the page), before reading a byte; a body streamed past
# the limit is still cut here.
CHECK_OWN_LENGTH = frozenset({"/me/photo", "/api/v1/me/photo"})

# The Temporal UI's codec calls carry payloads as stored: Temporal takes a gRPC message of up to
# 4 MB, base64 in JSON makes that about 5.4 MB. The endpoint answers operators only.
CODEC_BODY_BYTES = 8 * 1024 * 1024


class BodyTooLarge(Exception):
    """Raised into the route's read of the body when it passed the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.small, self.upload = settings.max_body_bytes, settings.max_upload_bytes

    def limit_of(self, scope: Scope) -> int:
        if scope["path"].startswith("/codec/"):
            return CODEC_BODY_BYTES
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        return self.upload if multipart else self.small

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_of(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        own_check = scope["path"] in CHECK_OWN_LENGTH and declared.isdigit()
        if declared and not own_check and (not declared.isdigit() or int(declared) > limit):
            return await _refuse(scope, receive, send, limit)
        await _Guarded(self.app, limit)(scope, receive, send)


class _Guarded:
    """One request whose body is counted as it streams."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self.seen, self.exceeded, self.started = 0, False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.exceeded = True
                raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if self.exceeded:  # whatever the route answered to a cut body: 413
                if not self.started:
                    self.started = True
                    await _refuse(scope, receive, send, self.limit)
                return
            self.started = self.started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not self.exceeded:
                raise
            if not self.started:
                self.started = True
                await _refuse(scope, receive, send, self.limit)


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """The app's answer to ``body_too_large`` (JSON, or the portal's page on a page path)."""
    error = DomainError("body_too_large", {"max_kb": limit // 1024})
    handler = scope["app"].exception_handlers[DomainError]
    response = await handler(Request(scope), error)
    response.headers["Connection"] = "close"  # the rest of the body is not read
    await response(scope, receive, send)
