"""The caller's profile and API tokens (``/me``, ``/me/tokens``)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from .base import Response, Role, StrictRequest, Timestamp, Visibility, optional

TokenScope = Literal["read", "write"]


class Holding(Response):
    kind: Literal["project", "dataset", "model"]
    name: str
    owner: str
    visibility: Visibility = optional()
    count: int = optional("runs of a project, versions of a dataset or model")
    size: int = optional("bytes stored: run artifacts, dataset files, model artifacts")
    updated_at: Timestamp | None = optional()
    role: Role
    via: str = optional("the member name granting the role: the caller or group:<hub group>")


class ApiToken(Response):
    id: int
    user: str = optional()
    name: str = Field(description="what the token is for")
    prefix: str = Field(description="the token's first characters, to recognise it")
    scope: TokenScope = Field(description="read: GET requests only (any write is 403); write: everything the user "
                              "may do")
    created_at: Timestamp | None = optional()
    expires_at: Timestamp | None = optional()
    last_used_at: Timestamp | None = optional()
    revoked_at: Timestamp | None = optional()


class NewApiToken(StrictRequest):
    what = "a new token"
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: Annotated[float, Field(gt=0, le=3650)] | None = optional("null or absent: never expires")
    scope: TokenScope = "write"


class CreatedApiToken(ApiToken):
    token: str = Field(description="the token's value: shown this once, stored only hashed")


class ApiTokenList(Response):
    tokens: list[ApiToken] = optional()


class HubIdentity(Response):
    name: str = optional()
    admin: StrictBool = optional()
    groups: list[str] = optional()


class GithubIdentity(Response):
    login: str = optional()
    url: str = optional()
    avatar_url: str = optional()


class Storage(Response):
    """Bytes of what the caller owns."""

    projects: int = optional()
    datasets: int = optional()
    models: int = optional()
    total: int = optional()


class Me(Response):
    name: str = Field(description="the registry user acting")
    mode: Literal["local", "hub", "standalone"]
    groups: list[str] = optional("hub groups (GitHub teams as org:team)")
    hub: HubIdentity | None = optional()
    github: GithubIdentity | None = optional()
    token: ApiToken | None = optional("the ML Hub API token this request came with, if any")
    projects: list[Holding] = optional()
    datasets: list[Holding] = optional()
    models: list[Holding] = optional()
    shared_with_me: list[Holding] = optional()
    storage: Storage = optional()


