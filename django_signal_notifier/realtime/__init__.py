"""The realtime inbox: inbox changes pushed to the browser over Server-Sent Events under ASGI.

:mod:`.messages` is the wire format of the pub/sub, :mod:`.brokers` the pub/sub itself
(PostgreSQL LISTEN/NOTIFY or Redis), :mod:`.publish` sends a message after each inbox write
commits, :mod:`.hub` is the one listener per process that fans messages in to the open streams,
and :mod:`.views` is the stream (``…/inbox/api/stream/``).
"""
