"""The registry service: every operation takes the acting user and checks access here, once."""
from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from array import array
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from . import access, validation
from .resources import Sharing, parse_visibility
from .entities import ApiToken, Artifact, Holding, Member, MetricInfo, Project, Role, Run, RunStatus, TokenScope
from .errors import ErrorCode, MLHubError, invalid, malformed, not_found, quoted
from .numbers import COMPACT_ENCODING, decode_array, decode_value, encode_list
from .search import parse_filter
from .validation import MAX_INT
from .store import AbstractStore, BlobStoreLike, MetricBatch, ProjectAccess, RunAccess, RunQuery, SeriesData
from .token_cache import TOKEN_CACHE_TTL_S, TokenCache

TOKEN_PREFIX = "mlh_"
MAX_TOKEN_NAME = 100
MAX_TOKEN_DAYS = 3650
# last_used_at is written at most this often per token, so that reads stay reads.
TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)
MAX_POINTS_PER_BATCH = 1_000_000
MAX_STATUS_REASON = 2000
RUN_ORDER_FIELDS = ("created_at", "updated_at", "name", "status")

Listener = Callable[[str, dict[str, Any]], None]


def hash_token(token: str) -> str:
    """Tokens are random and long, so one round of sha256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(timezone.utc)


class Registry:
    """Projects, runs, params, metrics and tokens, seen as ``user``.

    ``listeners`` are called after writes with an event name and a JSON-ready payload
    (the WebSocket stream subscribes here).
    """

    def __init__(self, store: AbstractStore, blobs: BlobStoreLike | None = None,
                 token_cache_ttl: float = TOKEN_CACHE_TTL_S) -> None:
        self.store = store
        self.blobs = blobs
        # Valid tokens' records for token_cache_ttl seconds (see token_cache.py for why that is safe).
        self.token_cache = TokenCache(token_cache_ttl)
        self.listeners: list[Listener] = []
        self.sharing: Sharing[Project] = Sharing("project", store.get_project, store, store)

    def _emit(self, event: str, payload: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event, payload)

    # access helpers
    def _project_for(self, user: str, name: str, needed: Role) -> tuple[Project, Role]:
        project = self.sharing.get(user, name, needed)
        assert project.role is not None
        return project, project.role

    def _run_for(self, user: str, run_id: str, needed: Role) -> Run:
        if not isinstance(run_id, str) or len(run_id) > 64:
            raise not_found("run", run_id)
        run = self.store.get_run(run_id)
        if run is None:
            raise not_found("run", run_id)
        project = self.store.get_project(run.project)
        assert project is not None
        access.require(project, user, self.store.get_member_role(run.project, user), needed, what=f"run {quoted(run_id)}")
        return run

    def _run_project(self, user: str, run_id: str, needed: Role) -> str:
        """Check access to a run without loading it (one store lookup); returns its project's name.

        Never cached: a role removed or a project made private takes effect on the next request."""
        found = self.store.run_access(run_id, user) if isinstance(run_id, str) and len(run_id) <= 64 else None
        if found is None:
            raise not_found("run", run_id)
        access.require(found, user, found.member_role, needed, what=f"run {quoted(run_id)}")
        return found.name

    # users and tokens
    def create_token(self, user: str, note: Any = "", expires_in: timedelta | None = None,
                     scope: Any = TokenScope.WRITE) -> tuple[str, ApiToken]:
        """Make a new API token for ``user``: ``(clear text, record)``.

        The clear text (``mlh_`` + 43 random characters) is returned here once and stored only
        as its sha256. ``note`` is the token's name (at most 100 characters); ``expires_in``
        a positive duration of at most 3650 days, or None for a token that never expires;
        ``scope`` ``"read"`` (GET requests only) or ``"write"``. Raises ``invalid`` naming the
        value otherwise.
        """
        validation.check_user(str(user))
        if not isinstance(note, str) or len(note) > MAX_TOKEN_NAME:
            raise invalid(f"token name must be a string of at most {MAX_TOKEN_NAME} characters, not {quoted(note)}")
        try:
            token_scope = TokenScope(scope)
        except ValueError:
            raise invalid(f"token scope must be 'read' or 'write', not {quoted(scope)}") from None
        if expires_in is not None and not timedelta(0) < expires_in <= timedelta(days=MAX_TOKEN_DAYS):
            raise invalid(f"a token expires after more than 0 and at most {MAX_TOKEN_DAYS} days "
                          f"(or never), not after {expires_in}")
        self.store.ensure_user(str(user))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = now() + expires_in if expires_in else None
        rec = self.store.add_token(str(user), hash_token(token), token[: len(TOKEN_PREFIX) + 6], note, expires,
                                   token_scope)
        return token, rec

    def check_token(self, token: str) -> ApiToken | None:
        """The record of a valid token (its user and scope), or None if it is unknown, revoked
        or expired. Notes the use (``last_used_at``, at most once a minute per token).

        A valid token's record is reused for up to ``token_cache_ttl`` seconds without a
        store lookup (expiry is still checked every time; a revocation elsewhere than this
        process is seen within that TTL: see :mod:`.token_cache`)."""
        if not token or not isinstance(token, str) or len(token) > 256:
            return None
        digest = hash_token(token)
        rec = self.token_cache.get(digest)
        if rec is None:
            generation = self.token_cache.generation()
            rec = self.store.find_token(digest)
            if rec is None or rec.revoked_at is not None:
                return None
            self.token_cache.put(digest, rec, generation)
        t = now()
        if rec.expires_at is not None:
            exp = rec.expires_at if rec.expires_at.tzinfo else rec.expires_at.replace(tzinfo=timezone.utc)
            if exp <= t:
                return None
        if rec.last_used_at is None or t - rec.last_used_at >= TOKEN_TOUCH_INTERVAL:
            self.store.touch_token(rec.id, t)
            rec.last_used_at = t
        return rec

    def authenticate_token(self, token: str) -> str | None:
        """The user a token belongs to, or None if it is unknown, revoked or expired."""
        rec = self.check_token(token)
        return rec.user if rec else None

    def list_tokens(self, user: str, include_revoked: bool = True) -> list[ApiToken]:
        """``user``'s tokens, oldest first (records only: a token's value is never stored)."""
        return [t for t in self.store.list_tokens(str(user)) if include_revoked or t.revoked_at is None]

    def revoke_token(self, token_id: Any, user: str | None = None) -> None:
        """Revoke a token (only ``user``'s own when given). Raises ``not_found`` for a token
        that does not exist, is another user's, or is already revoked."""
        if isinstance(token_id, bool) or not isinstance(token_id, int) or not 0 < token_id <= MAX_INT:
            raise not_found("token", token_id)
        revoked = self.store.revoke_token(token_id, str(user) if user is not None else None)
        self.token_cache.clear()   # this process stops accepting it at once
        if not revoked:
            raise not_found("token", token_id)
        self._emit("tokens", {"revoked": token_id})   # and the other replicas (services/fanout.py)

    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """Projects ``user`` owns, and those shared with them or one of their groups."""
        return self.sharing.holdings(user)

    # projects
    def list_projects(self, user: str, q: str | None = None, limit: Any = None, offset: Any = None) -> tuple[list[Project], int]:
        lim, off = validation.check_paging(limit, offset)
        projects, total = self.store.list_projects(user, q or None, lim, off)
        return self.sharing.with_roles(user, projects), total

    def create_project(self, user: str, name: str, description: str = "", visibility: str = "private") -> Project:
        """Create project ``name`` owned by ``user``. The JSON shapes are checked at the edge
        (``server/schemas``); here the domain rules: the name's syntax (``invalid``), its
        visibility, and that no project has it (``conflict``)."""
        validation.check_name("project", name)
        vis = parse_visibility(visibility)
        self.store.ensure_user(user)
        if self.store.get_project(name) is not None:
            raise MLHubError(ErrorCode.CONFLICT, f"project {quoted(name)} already exists")
        project = self.store.create_project(Project(name=name, owner=user, description=description, visibility=vis))
        project.role = Role.OWNER
        return project

    def get_project(self, user: str, name: str) -> Project:
        return self._project_for(user, name, Role.READ)[0]

    def get_project_by_id(self, user: str, project_id: int, needed: Role = Role.READ) -> Project:
        """The project with the store's number ``project_id`` (MLflow's experiment id), as ``user``
        sees it; ``not_found`` when it does not exist or ``user`` may not read it, ``forbidden``
        when ``user`` may read but has less than ``needed``."""
        project = self.store.get_project_by_id(project_id)
        if project is None:
            raise not_found("project", project_id)
        project.role = access.require(project, user, self.store.get_member_role(project.name, user), needed)
        return project

    def project_access_by_id(self, user: str, project_id: int, needed: Role = Role.READ) -> ProjectAccess:
        """The access facts of the project numbered ``project_id`` (its name, owner, visibility,
        soft-delete time and ``user``'s member role), read in one lookup, once ``user`` holds
        ``needed`` on it: ``not_found`` when it does not exist or ``user`` may not read it,
        ``forbidden`` when ``user`` may read but holds less than ``needed``."""
        found = self.store.project_access(int(project_id), user)
        if found is None:
            raise not_found("project", project_id)
        access.require(found, user, found.member_role, needed)
        return found

    def update_project(self, user: str, name: str, patch: dict[str, Any]) -> Project:
        """Apply ``patch`` (``description: str``, ``visibility``; as ``ProjectPatch`` parses it):
        edit role, manage role for visibility."""
        needed = Role.MANAGE if "visibility" in patch else Role.EDIT
        _, role = self._project_for(user, name, needed)
        fields: dict[str, Any] = {}
        if "description" in patch:
            fields["description"] = patch["description"]
        if "visibility" in patch:
            fields["visibility"] = parse_visibility(patch["visibility"])
        project = self.store.update_project(name, fields)
        project.role = role
        return project

    def rename_project(self, user: str, name: str, new_name: Any) -> Project:
        """Rename project ``name`` to ``new_name`` (manage role); its id, runs, members and the
        provenance of models trained in it stay. ``conflict`` when ``new_name`` is taken."""
        validation.check_name("project", new_name)
        project, role = self._project_for(user, name, Role.MANAGE)
        if new_name == name:
            return project
        if self.store.get_project(new_name) is not None:
            raise MLHubError(ErrorCode.CONFLICT, f"project {quoted(new_name)} already exists")
        project = self.store.rename_project(name, new_name)
        project.role = role
        return project

    def set_project_deleted(self, user: str, name: str, deleted: bool) -> Project:
        """Soft-delete (``deleted=True``) or restore a project (manage role): MLflow's experiment
        lifecycle. Nothing is removed; ``Project.deleted_at`` is set or cleared."""
        _, role = self._project_for(user, name, Role.MANAGE)
        project = self.store.update_project(name, {"deleted_at": datetime.now(timezone.utc) if deleted else None})
        project.role = role
        return project

    def set_project_tags(self, user: str, name: str, set_tags: dict[str, str] | None = None,
                         delete: list[str] | None = None) -> Project:
        """Set and remove free-form project tags (MLflow's experiment tags; edit role). Keys are
        1-250 characters, values strings of at most 5,000 characters."""
        project, role = self._project_for(user, name, Role.EDIT)
        tags = dict(project.tags)
        for key, value in (set_tags or {}).items():
            if not isinstance(key, str) or not 0 < len(key) <= 250:
                raise invalid(f"tag key {quoted(key)} must be a string of 1-250 characters")
            if not isinstance(value, str) or len(value) > 5000:
                raise invalid(f"tag {quoted(key)}'s value must be a string of at most 5000 characters")
            tags[key] = value
        for key in delete or []:
            tags.pop(key, None)
        project = self.store.update_project(name, {"tags": tags})
        project.role = role
        return project

    # members
    def list_members(self, user: str, project: str) -> list[Member]:
        """The owner, then every member of ``project`` (read role)."""
        return self.sharing.list_members(user, project)

    def set_member(self, user: str, project: str, member: str, role: Any) -> Member:
        """Grant ``member`` (a user or ``group:<g>``) a role on ``project`` (manage role)."""
        return self.sharing.set_member(user, project, member, role)

    def remove_member(self, user: str, project: str, member: str) -> None:
        """Revoke ``member``'s role on ``project`` (manage role); ``not_found`` if they hold none."""
        self.sharing.remove_member(user, project, member)

    # runs
    def create_run(self, user: str, project: Any, name: Any = None, config: Any = None,
                   tags: Any = None, provenance: Any = None, notes: Any = "") -> Run:
        validation.check_name("project", project)
        if not isinstance(notes, str):
            raise invalid("notes must be a string")
        params = validation.check_mapping("config", config)
        prov = validation.check_mapping("provenance", provenance)
        tag_list = validation.check_tags(tags)
        if name is not None and (not isinstance(name, str) or not 0 < len(name) <= 256):
            raise invalid("run name must be a string of 1-256 characters")
        existing = self.store.project_access(project, user)   # the project and the caller's role, one lookup
        if existing is None:
            try:
                self.create_project(user, project)
            except MLHubError as e:  # another process created it between our read and write
                if e.code != ErrorCode.CONFLICT:
                    raise
                existing = self.store.project_access(project, user)
        if existing is not None:
            access.require(existing, user, existing.member_role, Role.EDIT)
        run_id = uuid.uuid4().hex
        run = Run(id=run_id, project=project, owner=user, name=name or f"run-{run_id[:8]}",
                  params=params, tags=tag_list, provenance=prov, notes=notes)
        run = self.store.create_run(run)
        self._emit("run", {"run": run.to_json()})
        return run

    def get_run(self, user: str, run_id: str) -> Run:
        return self._run_for(user, run_id, Role.READ)

    def list_runs(self, user: str, project: str | None = None, limit: Any = None, offset: Any = None,
                  order_by: str | None = None, descending: bool = True, filter: str | None = None) -> tuple[list[Run], int]:
        lim, off = validation.check_paging(limit, offset)
        order = order_by or "created_at"
        if order not in RUN_ORDER_FIELDS and not order.startswith(("metrics.", "params.")):
            raise invalid(f"order_by must be one of {', '.join(RUN_ORDER_FIELDS)} or metrics.<key> / params.<key>")
        if project is not None:
            self._project_for(user, project, Role.READ)
        query = RunQuery(project=project, readable_by=user, limit=lim, offset=off, order_by=order,
                         descending=descending, filter=parse_filter(filter))
        return self.store.list_runs(query)

    def update_run(self, user: str, run_id: str, patch: dict[str, Any]) -> Run:
        validation.only_keys(patch, {"name", "status", "status_reason", "tags", "summary", "notes"},
                             "a run update")
        self._run_for(user, run_id, Role.EDIT)
        fields: dict[str, Any] = {}
        if "name" in patch:
            if not isinstance(patch["name"], str) or not 0 < len(patch["name"]) <= 256:
                raise invalid("run name must be a string of 1-256 characters")
            fields["name"] = patch["name"]
        if "status" in patch:
            try:
                status = RunStatus(patch["status"])
            except ValueError:
                raise invalid(f"status must be one of {', '.join(s.value for s in RunStatus)}") from None
            fields["status"] = status
            fields["finished_at"] = None if status == RunStatus.RUNNING else now()
            fields["status_reason"] = ""   # a new status comes with its own reason, or none
            if status == RunStatus.RUNNING:
                fields["stop_requested"] = False
        if "status_reason" in patch:
            reason = patch["status_reason"]
            if not isinstance(reason, str) or len(reason) > MAX_STATUS_REASON:
                raise invalid(f"status_reason must be a string of at most {MAX_STATUS_REASON} characters")
            fields["status_reason"] = reason
        if "tags" in patch:
            fields["tags"] = validation.check_tags(patch["tags"])
        if "summary" in patch:
            fields["summary"] = validation.check_mapping("summary", patch["summary"])
        if "notes" in patch:
            if not isinstance(patch["notes"], str):
                raise invalid("notes must be a string")
            fields["notes"] = patch["notes"]
        run = self.store.update_run(run_id, fields)
        self._emit("run", {"run": run.to_json()})
        return run

    def stop_run(self, user: str, run_id: str) -> Run:
        """Ask the process logging a running run to stop (edit role); returns the run.

        Sets ``stop_requested``; the SDK learns it from the answer to its next batch (or its
        poll) and ends the loop at the next ``run.log`` with ``RunStopped``, the run then
        ending ``killed`` with the reason "stopped from the lab". Asking again is harmless.
        Raises ``conflict`` when the run is not running.
        """
        run = self._run_for(user, run_id, Role.EDIT)
        if run.status != RunStatus.RUNNING:
            raise MLHubError(ErrorCode.CONFLICT,
                             f"run {run_id!r} is {RunStatus(run.status).value}; only a running run can be stopped")
        if run.stop_requested:
            return run
        run = self.store.update_run(run_id, {"stop_requested": True})
        self._emit("run", {"run": run.to_json()})
        return run

    def delete_run(self, user: str, run_id: str) -> None:
        """Delete a run and everything recorded under it; needs the manage role on its project.

        Raises ``not_found`` for a run the caller cannot see, ``forbidden`` below manage.
        """
        self._run_project(user, run_id, Role.MANAGE)
        if not self.store.delete_run(run_id):
            raise not_found("run", run_id)

    def set_run_provenance(self, user: str, run_id: str, key: str, value: Any) -> Run:
        """Set ``provenance[key]`` of a run (edit role) and tell the stream; returns the run.

        Used for what another client records about a run beyond ML Hub's own fields (the
        MLflow API keeps its key/value tags and dataset inputs under ``provenance["mlflow"]``).
        """
        run = self._run_for(user, run_id, Role.EDIT)
        provenance = dict(run.provenance)
        provenance[key] = value
        run = self.store.update_run(run_id, {"provenance": validation.check_mapping("provenance", provenance)})
        self._emit("run", {"run": run.to_json()})
        return run

    def get_params(self, user: str, run_id: str) -> dict[str, Any]:
        return self._run_for(user, run_id, Role.READ).params

    def set_params(self, user: str, run_id: str, params: Any) -> dict[str, Any]:
        self._run_for(user, run_id, Role.EDIT)
        return self.store.merge_params(run_id, validation.check_mapping("params", params))

    # metrics
    def append_metrics(self, user: str, run_id: str, seq: Any, metrics: Any, encoding: str | None = None,
                       retry_key: bytes | None = None) -> dict[str, Any]:
        """Append a batch ``{key: {"steps", "values", "timestamps"}}``; exactly once per ``seq``.

        ``encoding="base64-le"``: each column is base64 of a little-endian array (int64
        steps, float64 values and timestamps), the SDK's compact form. ``encoding="batches"``:
        ``metrics`` is already a list of :class:`MetricBatch` (callers inside the process).

        ``retry_key`` (instead of ``seq``) is for clients that send no sequence number but
        retry a request unchanged (MLflow's log-batch): the batch is applied once per key.
        It is kept as a negative seq, a space the SDK's seqs (0 and up) never reach, so
        ``last_seq`` is untouched; checking it is one indexed lookup, not a scan.

        The caller's edit access to the run is checked in the write's own transaction (for a
        group of posts, one query for all of them): a role removed takes effect on the next
        post. Raises ``not_found``/``forbidden`` for a run the caller may not write to,
        ``invalid`` for a bad seq, encoding or batch.
        """
        run_id, seq, batches, check = self._metric_post(user, run_id, seq, metrics, encoding, retry_key)
        result = self.store.append_metrics(run_id, seq, batches, user, check)
        return self._metrics_appended(run_id, batches, check, result)

    async def append_metrics_async(self, user: str, run_id: str, seq: Any, metrics: Any,
                                   encoding: str | None = None, retry_key: bytes | None = None) -> dict[str, Any]:
        """:meth:`append_metrics` for a caller on an event loop (the REST handler): the batch
        is decoded on the caller's thread and written with whatever other posts wait, while no
        thread waits for it. Same answer and errors."""
        run_id, seq, batches, check = self._metric_post(user, run_id, seq, metrics, encoding, retry_key)
        result = await self.store.append_metrics_async(run_id, seq, batches, user, check)
        return self._metrics_appended(run_id, batches, check, result)

    def _metric_post(self, user: str, run_id: Any, seq: Any, metrics: Any, encoding: str | None,
                     retry_key: bytes | None) -> tuple[str, int | None, list[MetricBatch], "_RunCheck"]:
        """A post's run, seq and batches, validated and decoded, and the check of its access."""
        if not isinstance(run_id, str) or len(run_id) > 64:
            raise not_found("run", run_id)
        if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_INT):
            raise invalid(f"seq must be an integer from 0 to {MAX_INT}")
        if retry_key is not None:
            if seq is not None:
                raise invalid("send either seq or retry_key, not both")
            seq = -1 - (int.from_bytes(hashlib.sha256(retry_key).digest()[:8], "big") >> 1)
        if encoding is None:
            batches = parse_metric_batches(metrics)
        elif encoding == COMPACT_ENCODING:
            batches = parse_compact_batches(metrics)
        elif encoding == "batches" and isinstance(metrics, list) and all(isinstance(b, MetricBatch) for b in metrics):
            batches = metrics
        else:
            raise invalid(f"unknown encoding {quoted(encoding)}; use {quoted(COMPACT_ENCODING)} or leave it out")
        return run_id, seq, batches, _RunCheck(user, run_id, Role.EDIT)

    def _metrics_appended(self, run_id: str, batches: list[MetricBatch], check: "_RunCheck",
                          result: tuple[int, bool, int, bool]) -> dict[str, Any]:
        accepted, duplicate, last_seq, stop = result
        if accepted and not duplicate:
            self._emit("metrics", {
                "run": run_id, "project": check.project,
                "metrics": {b.key: {"steps": _plain(b.steps), "values": encode_list(_plain(b.values)),
                                    "timestamps": _plain(b.timestamps)} for b in batches},
            })
        return {"accepted": accepted, "duplicate": duplicate, "last_seq": last_seq, "stop_requested": stop}

    def list_metrics(self, user: str, run_id: str) -> list[MetricInfo]:
        self._run_project(user, run_id, Role.READ)
        return self.store.list_metrics(run_id)

    def get_series(self, user: str, run_id: str, key: str, max_points: Any = None) -> SeriesData:
        self._run_project(user, run_id, Role.READ)
        mp: int | None = None
        if max_points not in (None, ""):
            try:
                mp = int(max_points)
            except (TypeError, ValueError):
                raise invalid("max_points must be an integer") from None
            if mp < 2:
                raise invalid("max_points must be at least 2")
        series = self.store.get_series(run_id, key, mp)
        if series is None:
            raise not_found("metric", key)
        return series

    # artifacts
    def _blobs(self) -> BlobStoreLike:
        if self.blobs is None:
            raise MLHubError(ErrorCode.UNAVAILABLE, "this registry has no artifact store configured")
        return self.blobs

    def log_artifact(self, user: str, run_id: str, name: Any, chunks: Any, expected_sha256: str | None = None) -> Artifact:
        """Store the bytes in the blob store (once per content) and name them on the run."""
        self._run_for(user, run_id, Role.EDIT)
        validation.check_artifact_name(name)
        digest = self._blobs().put_stream(chunks, expected_sha256)
        return self.store.add_artifact(Artifact(run_id, name, digest, self._blobs().size(digest)))

    def list_artifacts(self, user: str, run_id: str) -> list[Artifact]:
        self._run_for(user, run_id, Role.READ)
        return self.store.list_artifacts(run_id)

    def open_artifact(self, user: str, run_id: str, name: str) -> tuple[Artifact, Any]:
        self._run_for(user, run_id, Role.READ)
        art = self.store.get_artifact(run_id, name)
        if art is None:
            raise not_found("artifact", name)
        return art, self._blobs().open(art.sha256)


def parse_compact_batches(metrics: Any) -> list[MetricBatch]:
    """Decode the compact form; checks are done on whole arrays, not per point in Python."""
    if not isinstance(metrics, dict) or not metrics:
        raise malformed('metrics must be a non-empty object {"key": {"steps": "<b64>", "values": "<b64>", ...}}')
    out: list[MetricBatch] = []
    for key, col in metrics.items():
        if not isinstance(key, str) or not 0 < len(key) <= 256:
            raise invalid(f"metric key {quoted(key)} must be a string of 1-256 characters")
        if not isinstance(col, dict):
            raise malformed(f"metric {quoted(key)}: expected an object with steps, values and timestamps")
        steps = decode_array("q", col.get("steps"), f"metric {quoted(key)} steps")
        values = decode_array("d", col.get("values"), f"metric {quoted(key)} values")
        stamps = decode_array("d", col.get("timestamps"), f"metric {quoted(key)} timestamps")
        if not len(values) or not len(steps) == len(values) == len(stamps):
            raise malformed(f"metric {quoted(key)}: steps, values and timestamps must be equally long and not empty")
        if min(steps) < 0:
            raise invalid(f"metric {quoted(key)}: steps must be non-negative integers")
        if not all(map(math.isfinite, stamps)):
            raise invalid(f"metric {quoted(key)}: timestamps must be finite numbers (seconds since the epoch)")
        out.append(MetricBatch(key, steps, values, stamps))
    if sum(len(b.values) for b in out) > MAX_POINTS_PER_BATCH:
        raise MLHubError(ErrorCode.TOO_LARGE, f"a batch holds at most {MAX_POINTS_PER_BATCH} points")
    return out


def _plain(seq: Any) -> list[Any]:
    """A list of a batch's column (an ``array`` from the compact form: ``tolist`` is faster)."""
    return seq.tolist() if isinstance(seq, array) else list(seq)


def _finite_number(t: Any) -> bool:
    """A JSON number that is a finite float (an int too large for one is not: no OverflowError)."""
    if isinstance(t, float):
        return math.isfinite(t)
    return isinstance(t, int) and not isinstance(t, bool) and abs(t) <= MAX_INT


def parse_metric_batches(metrics: Any) -> list[MetricBatch]:
    """Check and decode the ``metrics`` object of a batch append."""
    if not isinstance(metrics, dict) or not metrics:
        raise malformed('metrics must be a non-empty object {"key": {"steps": [...], "values": [...], "timestamps": [...]}}')
    out: list[MetricBatch] = []
    total = 0
    for key, col in metrics.items():
        if not isinstance(key, str) or not 0 < len(key) <= 256:
            raise invalid(f"metric key {quoted(key)} must be a string of 1-256 characters")
        if not isinstance(col, dict):
            raise malformed(f"metric {quoted(key)}: expected an object with steps, values and timestamps")
        steps, values, stamps = col.get("steps"), col.get("values"), col.get("timestamps")
        if not isinstance(values, list) or not values:
            raise malformed(f"metric {quoted(key)}: values must be a non-empty list")
        n = len(values)
        if not isinstance(steps, list) or len(steps) != n:
            raise malformed(f"metric {quoted(key)}: steps must be a list as long as values ({n})")
        if stamps is None:
            t = now().timestamp()
            stamps = [t] * n
        if not isinstance(stamps, list) or len(stamps) != n:
            raise malformed(f"metric {quoted(key)}: timestamps must be a list as long as values ({n})")
        try:
            vals = [decode_value(v) for v in values]
        except ValueError as e:
            raise invalid(f"metric {quoted(key)}: {e}; values must be numbers or 'NaN'/'Infinity'/'-Infinity'") from None
        if not all(type(s) is int and 0 <= s <= MAX_INT for s in steps):
            raise invalid(f"metric {quoted(key)}: steps must be integers from 0 to {MAX_INT}")
        if not all(_finite_number(t) for t in stamps):
            raise invalid(f"metric {quoted(key)}: timestamps must be finite numbers (seconds since the epoch)")
        total += n
        out.append(MetricBatch(key, steps, vals, [float(t) for t in stamps]))
    if total > MAX_POINTS_PER_BATCH:
        raise MLHubError(ErrorCode.TOO_LARGE, f"a batch holds at most {MAX_POINTS_PER_BATCH} points, got {total}")
    return out


class _RunCheck:
    """The access check of a metric post, run by the store with what it read in the write's
    transaction (:data:`~.store.Authorize`); keeps the run's project for the stream event."""

    __slots__ = ("user", "run_id", "needed", "project")

    def __init__(self, user: str, run_id: str, needed: Role) -> None:
        self.user, self.run_id, self.needed = user, run_id, needed
        self.project = ""

    def __call__(self, found: RunAccess | None) -> None:
        if found is None:
            raise not_found("run", self.run_id)
        access.require(found, self.user, found.member_role, self.needed, what=f"run {quoted(self.run_id)}")
        self.project = found.name
