"""The SDK used in kernels and scripts: it talks to the registry over HTTP only.

Tracking: :mod:`.fluent` (``mh.init``/``mh.log``/``mh.finish``/``mh.login``), :mod:`.run`
(``Run``), :mod:`.flusher` and :mod:`.wal` (background delivery and the write-ahead log),
:mod:`.sync` (``mlhub sync``), :mod:`.stream` (the WebSocket), :mod:`.config` (finding the
server), :mod:`.http` (the one HTTP seam).
"""
