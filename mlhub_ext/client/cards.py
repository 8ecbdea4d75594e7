"""Reading a model card for ``mh.models.import_card``: from text, a file, or a Hugging Face hub.

The card is parsed on the registry (``POST /models``); here it is only found. A repository
id (``"org/name"``) is fetched with ``huggingface_hub`` from the endpoint in
``MLHUB_HF_ENDPOINT`` (e.g. ``https://huggingface.co`` or a mirror); with none set, a
repository id is an error that says so, never a silent call to the internet.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ..core.errors import ErrorCode, MLHubError

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
ENDPOINT_ENV = "MLHUB_HF_ENDPOINT"


def card_text(source: Any) -> str:
    """The text of a model card given as text, a path (a README.md, or a folder holding one)
    or a Hugging Face repository id. Raises ``MLHubError`` naming what could not be read."""
    if isinstance(source, os.PathLike):
        return _read(Path(source))
    if not isinstance(source, str):
        raise MLHubError(ErrorCode.INVALID, "import_card takes a model card's text, the path of its README.md or a "
                                            f"Hugging Face repository id, not a {type(source).__name__}")
    if "\n" in source or source.lstrip().startswith(("---", "#")):
        return source
    path = Path(source).expanduser()
    if path.exists():
        return _read(path)
    if REPO_ID.match(source):
        return fetch_card(source)
    raise MLHubError(ErrorCode.NOT_FOUND, f"{source!r} is not a file here, nor a model card's text, nor a "
                                          "Hugging Face repository id like 'org/name'")


def _read(path: Path) -> str:
    file = path / "README.md" if path.is_dir() else path
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MLHubError(ErrorCode.NOT_FOUND, f"no model card at {str(file)!r}") from None
    except UnicodeDecodeError as e:
        raise MLHubError(ErrorCode.INVALID, f"the model card {str(file)!r} is not UTF-8 text ({e.reason} at byte "
                                            f"{e.start})") from None
    except OSError as e:
        raise MLHubError(ErrorCode.INVALID, f"cannot read the model card {str(file)!r}: {e.strerror}") from None


def fetch_card(repo_id: str, revision: str | None = None) -> str:
    """README.md of the model repository ``repo_id`` on the hub at ``MLHUB_HF_ENDPOINT``."""
    endpoint = os.environ.get(ENDPOINT_ENV, "").rstrip("/")
    if not endpoint:
        raise MLHubError(ErrorCode.INVALID, f"{repo_id!r} is not a file here; to fetch the card of the Hugging Face "
                                            f"repository {repo_id!r}, set {ENDPOINT_ENV} (e.g. https://huggingface.co)")
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError

    where = f"{repo_id!r} on {endpoint}"
    with tempfile.TemporaryDirectory(prefix="mlhub-card-") as tmp:
        try:
            path = hf_hub_download(repo_id, "README.md", revision=revision, endpoint=endpoint, cache_dir=tmp)
        except RepositoryNotFoundError:
            raise MLHubError(ErrorCode.NOT_FOUND, f"no model repository {where} (or it is private)") from None
        except EntryNotFoundError:
            raise MLHubError(ErrorCode.NOT_FOUND, f"the model repository {where} has no README.md") from None
        except HfHubHTTPError as e:
            raise MLHubError(ErrorCode.UNAVAILABLE, f"fetching the card of {where} failed: {e}") from None
        except OSError as e:
            raise MLHubError(ErrorCode.UNAVAILABLE, f"fetching the card of {where} failed: {e}") from None
        return Path(str(path)).read_text(encoding="utf-8-sig")
