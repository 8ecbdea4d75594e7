"""The application layer: what a request sets in motion across the lower layers, with no HTTP.

Imports ``core``, ``store``, ``data`` and ``train``; imported by ``server`` (never tornado here).
"""
