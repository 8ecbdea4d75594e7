"""The package version: package.json's, written into ``_version.py`` by the build.

Its own module, so that the server can name the version without importing the package's
``__init__`` (whose Jupyter entry point imports the server: a circle).
"""
from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # source tree without a build
    __version__ = "0.1.0"

__all__ = ["__version__"]
