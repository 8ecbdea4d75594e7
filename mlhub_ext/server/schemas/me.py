"""The caller's profile and API tokens (``/me``, ``/me/tokens``)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from ...core.service import MAX_TOKEN_DAYS
from .base import Response, Role, StrictRequest, Timestamp, Visibility, optional

TokenScope = Literal["read", "write"]


class Holding(Response):
    kind: Literal["project", "dataset", "model"]
    name: str
    owner: str
    visibility: Visibility
    count: int = Field(description="runs of a project, versions of a dataset or model")
    size: int = Field(description="bytes stored: run artifacts, dataset files, model artifacts")
    updated_at: Timestamp | None
    role: Role
    via: str = Field(description="the member name granting the role: the caller or group:<hub group>")


class ApiToken(Response):
    id: int
    user: str
    name: str = Field(description="what the token is for")
    prefix: str = Field(description="the token's first characters, to recognise it")
    scope: TokenScope = Field(description="read: GET requests only (any write is 403); write: everything the user "
                              "may do")
    created_at: Timestamp | None
    expires_at: Timestamp | None
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None


class NewApiToken(StrictRequest):
    what = "a new token"
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="what the token is for")
    expires_in_days: Annotated[float, Field(gt=0, le=MAX_TOKEN_DAYS, strict=True)] | None = optional(
        "null or absent: never expires")
    scope: TokenScope = "write"


class CreatedApiToken(ApiToken):
    token: str = Field(description="the token's value: shown this once, stored only hashed")


class ApiTokenList(Response):
    tokens: list[ApiToken]


class HubIdentity(Response):
    name: str
    admin: StrictBool
    groups: list[str]


class GithubIdentity(Response):
    login: str
    url: str
    avatar_url: str


class Storage(Response):
    """Bytes of what the caller owns."""

    projects: int
    datasets: int
    models: int
    total: int


class Me(Response):
    name: str = Field(description="the registry user acting")
    mode: Literal["local", "hub", "standalone"]
    groups: list[str] = Field(description="hub groups (GitHub teams as org:team)")
    hub: HubIdentity | None
    github: GithubIdentity | None
    token: ApiToken | None = Field(description="the ML Hub API token this request came with, if any")
    projects: list[Holding]
    datasets: list[Holding]
    models: list[Holding]
    shared_with_me: list[Holding]
    storage: Storage


