"""The job runner: training, evaluation and sweeps submitted to Dask from the registry's
server process, followed until they end.

The runner gets its Dask clients from a :class:`~.clusters.ClusterProvider` (a cluster is
started or reached on the first job, never at server start) and keeps the live
:class:`~mlhub_ext.train.jobs.TrainJob` objects. A poller thread
drains their events about every half second: state and progress go to the ``jobs``
table and out on the stream as ``job`` events, epoch metrics into the job's tracked run
(so live curves work as in tracking). A finished training stores its artifact and a new
model version with its evaluation.

Each job is held by the runner that submitted it (``jobs.lease_owner``, this runner's random
``replica`` id): only the holder writes its progress and end, through updates conditioned on
holding it. With one process (SQLite), jobs an earlier process left queued or running are
marked failed when the runner starts: their futures died with it. With several replicas on one
database (``shared``), the holder renews its leases every ``lease_s / 3`` seconds and every
replica marks failed the jobs whose lease has run out (their replica died): a job is never
submitted twice. An abort reaching another replica ends the job in the database; its holder
sees the lease gone at the next renewal and cancels the Dask work without writing.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.dataset_service import DatasetService
from ..core.errors import MLHubError, conflict, invalid, quoted
from ..core.model_service import ModelService
from ..core.models import Job, ModelVersion
from ..core.service import Registry
from .clusters import ClusterProvider, LocalClusterProvider
from .mlflow.registry import MLFLOW_MODEL_TYPE
from ..train.sweep import Sweep, check_metric, submit_sweep, trial_point
from ..train.jobs import TrainJob, submit_evaluate, submit_train
from ..train.specs import TORCH_KINDS, TORCH_ONLY_FIELDS, ModelSpec
from .job_inputs import check_evaluation, check_table, resolve_dataset, spec_from_body
from .model_format import SKLEARN, SKLEARN_PICKLE, skops_to_pickle, to_skops

log = logging.getLogger("mlhub.jobs")
POLL_S = 0.5
RESTART_MESSAGE = "the ML Hub server stopped while this job was running; submit it again"
EXPIRED_MESSAGE = ("the ML Hub replica that ran this job stopped (its lease expired); the job was not "
                   "restarted: submit it again")


class _Lost(Exception):
    """The job is no longer held by this runner (ended or failed by another replica)."""


@dataclass
class Active:
    """A job the runner follows: one training, one evaluation future, or a sweep."""

    job: Job
    user: str
    train: TrainJob | None = None
    future: Any = None
    sweep: Sweep | None = None
    children: list[Job] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    aborted: bool = False


class JobRunner:
    """Submits training, sweeps and evaluations for users and follows them to their end.

    ``cluster`` hands out the Dask client of each user's jobs (default: a LocalCluster);
    ``allow_custom``: custom (pickled) estimators may run, in local mode only. Building a
    runner marks the jobs an earlier server process left queued or running as failed.
    """

    def __init__(self, registry: Registry, models: ModelService, datasets: DatasetService,
                 cluster: ClusterProvider | None = None, allow_custom: bool = False, *,
                 shared: bool = False, lease_s: float = 30.0, replica: str | None = None) -> None:
        self.registry = registry
        self.models = models
        self.datasets = datasets
        self.cluster = cluster if cluster is not None else LocalClusterProvider()
        self.allow_custom = allow_custom
        self._lock = threading.RLock()
        self._active: dict[str, Active] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.replica = replica or uuid.uuid4().hex
        self.shared, self.lease_s = shared, float(lease_s)
        if lease_s <= 0:
            raise ValueError(f"lease_s must be positive seconds, not {lease_s}")
        self._lease_thread: threading.Thread | None = None
        self._lost: set[str] = set()
        if not shared:
            n = models.store.fail_unfinished_jobs(RESTART_MESSAGE)
            if n:
                log.warning("marked %d job(s) of an earlier server process failed", n)
        else:
            self.sweep_expired()
            self._lease_thread = threading.Thread(target=self._lease_loop, name="mlhub-job-leases", daemon=True)
            self._lease_thread.start()

    # the cluster
    @property
    def local_cluster(self) -> bool:
        """Whether the workers run on this machine (and read dataset files by path)."""
        return self.cluster.local

    def client(self, user: str, token: str | None = None) -> Any:
        """The Dask client of ``user``'s jobs (``token``: the caller's hub token, if any)."""
        return self.cluster.client(user, token)

    def close(self) -> None:
        """Stop following jobs, abort those still running; the cluster provider is closed by
        its owner (:meth:`Services.close <mlhub_ext.services.container.Services.close>`).

        With several replicas, the jobs it held are recorded failed now (no other replica
        waits for their lease to run out); with one process the next start does it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._lease_thread is not None:
            self._lease_thread.join(timeout=5)
        with self._lock:
            for a in list(self._active.values()):
                self._abort_active(a)
                if self.shared:
                    try:
                        self._finish(a.job, a.user, "failed", error=RESTART_MESSAGE)
                    except Exception:  # the database gone too: the lease runs out instead
                        log.exception("job %s could not be recorded failed at shutdown", a.job.id)
            self._active.clear()

    # submission
    def _create_job(self, user: str, kind: str, **fields: Any) -> Job:
        job = self.models.create_job(user, kind, **fields)
        self.models.store.claim_job(job.id, self.replica, self._until())
        return job

    def _until(self) -> Any:
        from datetime import timedelta

        from ..core.service import now
        return now() + timedelta(seconds=self.lease_s)

    # leases (several replicas)
    def _lease_loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                self.renew_leases()
                self.sweep_expired()
            except Exception:  # the database away for a moment: try again next round
                log.exception("job leases could not be renewed or swept")

    def renew_leases(self) -> None:
        """Extend this runner's leases; stop following (cancelling the Dask work, writing
        nothing) the jobs another replica ended meanwhile (an abort sent to it)."""
        held = self.models.store.renew_job_leases(self.replica, self._until())
        # Never waits for the runner's lock (a step may hold it for a while, registering a
        # model): the poller drops the lost jobs at their next step.
        self._lost.update(job_id for job_id in list(self._active) if job_id not in held)

    def sweep_expired(self) -> list[Job]:
        """Mark failed the jobs whose replica stopped renewing their lease; close their runs."""
        from datetime import timedelta

        from ..core.service import now
        t = now()
        jobs = self.models.store.fail_expired_jobs(EXPIRED_MESSAGE, t, t - timedelta(seconds=self.lease_s))
        for job in jobs:
            log.warning("job %s: its replica stopped renewing the lease; marked failed", job.id)
            if job.run_id and job.kind == "train":
                try:
                    self.registry.update_run(job.owner, job.run_id, {"status": "failed"})
                except MLHubError as e:
                    log.warning("run %s of an expired job could not be closed: %s", job.run_id, e.message)
            self._emit(job)
        return jobs

    def _drop_lost(self, a: Active) -> None:
        log.warning("job %s was ended by another replica; its Dask work is cancelled here", a.job.id)
        self._abort_active(a)
        self._active.pop(a.job.id, None)
        fresh = self.models.store.get_job(a.job.id)
        if fresh is not None:
            a.job.__dict__.update(fresh.__dict__)

    def _blob_root(self) -> Path:
        # A local folder of the blob store (its root, or a remote store's cache) for job inputs.
        return Path(getattr(self.registry.blobs, "local_dir"))

    def _data(self, user: str, name: Any, version: Any) -> Any:
        return resolve_dataset(self.datasets, user, name, version, self._blob_root(), self.local_cluster)

    def _prepare(self, user: str, body: dict[str, Any], extra: tuple[str, ...] = ()) -> tuple[ModelSpec, Any, str, str]:
        name = body.get("name")
        if name is None:
            raise invalid("'name' (the model to register the result as) is required")
        self.models.check_can_register(user, name)
        spec = spec_from_body(body, self.allow_custom, extra)
        data = self._data(user, body.get("dataset"), body.get("version"))
        check_table(data, body.get("target"), spec)
        project = body.get("project") or f"models-{name}"
        return spec, data, name, project

    def submit_train(self, user: str, body: dict[str, Any], token: str | None = None) -> Job:
        """Validate everything, then record the job, open its run and queue it on Dask.

        ``token``: the caller's hub token, with which a per-user cluster is opened."""
        spec, data, name, project = self._prepare(user, body)
        run = self.registry.create_run(user, project, name=f"train {name}", config=_run_config(spec, data, body),
                                       tags=["train", name])
        job = self._create_job(user, "train", model=name, dataset=data.name, dataset_version=data.version,
                                     target=body["target"], spec=_public_spec(spec), run_id=run.id, project=project)
        try:
            tj = submit_train(self.client(user, token), spec, data.source, body["target"], job_id=job.id,
                              allow_custom=self.allow_custom)
        except BaseException as e:
            self._finish(job, user, "failed", error=_message(e))
            raise
        self._follow(Active(job=job, user=user, train=tj, meta=_meta(body)))
        return job

    def submit_sweep(self, user: str, body: dict[str, Any], token: str | None = None) -> Job:
        """Every trial is a child job with its own run; the best one is registered."""
        space, metric = body.get("space"), body.get("metric")
        spec, data, name, project = self._prepare(user, body, extra=("space", "metric"))
        if not isinstance(metric, str):
            raise invalid("'metric' must name the metric to rank trials by, e.g. 'f1_macro' or 'rmse'")
        check_metric(metric, spec)
        job = self._create_job(user, "sweep", model=name, dataset=data.name, dataset_version=data.version,
                                     target=body["target"], spec=_public_spec(spec), project=project)
        try:
            sweep = submit_sweep(self.client(user, token), spec, data.source, body["target"], space or {}, metric,
                                 sweep_id=job.id[:12], allow_custom=self.allow_custom)
        except BaseException as e:
            self._finish(job, user, "failed", error=_message(e))
            raise
        children = []
        for i, (trial, tj) in enumerate(zip(sweep.trials, sweep.jobs)):
            point = trial_point(trial, sweep.space)
            run = self.registry.create_run(user, project, name=f"sweep {name} #{i}",
                                           config={**_run_config(trial, data, body), "sweep": job.id, **point},
                                           tags=["sweep", name])
            child = self._create_job(user, "train", model=name, dataset=data.name,
                                           dataset_version=data.version, target=body["target"],
                                           spec=_public_spec(trial), parent=job.id, run_id=run.id, project=project)
            children.append(child)
        self._follow(Active(job=job, user=user, sweep=sweep, children=children,
                            meta={**_meta(body), "metric": metric}))
        return job

    def submit_evaluate(self, user: str, name: str, version: Any, body: dict[str, Any],
                        token: str | None = None) -> Job:
        """Evaluate version ``version`` of model ``name`` on a dataset version, on the cluster."""
        unknown = sorted(set(body) - {"dataset", "version", "target"})
        if unknown:
            raise invalid(f"unknown field(s) {unknown}; an evaluation takes dataset, version and target")
        mv = self.models.get_version(user, name, version, with_evaluation=False)
        self.models.check_can_register(user, name)
        self.models.require_weights(mv)
        if mv.model_type == MLFLOW_MODEL_TYPE:
            why = (mv.spec.get("mlflow") or {}).get("not_served") or "it is not in a format ML Hub loads"
            raise conflict(f"version {mv.version} of model {quoted(name)} was registered through MLflow and ML Hub "
                           f"does not load it: {why}; evaluate it in a kernel with "
                           f"mlflow.pyfunc.load_model('models:/{name}/{mv.version}') and mlflow.models.evaluate")
        target = body.get("target") or mv.target
        data = self._data(user, body.get("dataset"), body.get("version"))
        check_evaluation(data, target, mv.input_schema)
        job = self._create_job(user, "evaluate", model=name, version=mv.version, dataset=data.name,
                                     dataset_version=data.version, target=target, spec=mv.spec)
        try:
            client = self.client(user, token)
            model_bytes: Any = self.models.model_bytes(mv)
            model_type = mv.model_type
            if model_type == SKLEARN:  # the worker turns the skops file back into what the train layer loads
                model_bytes = client.submit(skops_to_pickle, model_bytes, pure=False)
            elif model_type == SKLEARN_PICKLE:
                model_type = SKLEARN
            future = submit_evaluate(client, model_bytes, model_type, data.source, target, mv.input_schema,
                                     mv.classes, allow_custom=self.allow_custom)
        except BaseException as e:
            self._finish(job, user, "failed", error=_message(e))
            raise
        self._follow(Active(job=job, user=user, future=future))
        return job

    def abort(self, user: str, job_id: str) -> Job:
        """Abort a job of this process (a sweep with its trials); one no process follows is
        recorded as aborted."""
        job = self.models.check_abort(user, job_id)
        if job.parent:
            raise invalid(f"job {job_id} is a trial of sweep {job.parent}; abort the sweep")
        with self._lock:
            active = self._active.get(job.id)
        if active is None:  # followed by another replica (which then cancels it) or by none
            ended = self.models.store.end_unheld_job(job.id, self._end_fields(job, "aborted", "aborted"))
            if ended is None:
                return self.models.store.get_job(job.id) or job
            job.__dict__.update(ended.__dict__)
            if job.run_id and job.kind == "train":
                self._close_run(user, job.run_id, "aborted", None)
            self._emit(job)
            return job
        self._abort_active(active)
        self._step(active)
        return self.models.store.get_job(job.id) or job

    def _abort_active(self, a: Active) -> None:
        a.aborted = True
        if a.train is not None:
            a.train.abort()
        elif a.sweep is not None:
            a.sweep.abort()
        elif a.future is not None:
            a.future.cancel()

    # following
    def _follow(self, active: Active) -> None:
        with self._lock:
            self._active[active.job.id] = active
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="mlhub-jobs", daemon=True)
                self._thread.start()
        self._emit(active.job)

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                active = list(self._active.values())
                if not active:  # nothing to follow: the thread ends, the next job starts another
                    self._thread = None
                    return
            for a in active:
                try:
                    self._step(a)
                except Exception:  # one job's bookkeeping failing must not stop the others
                    log.exception("job %s: could not record progress", a.job.id)
            self._stop.wait(POLL_S)

    def _step(self, a: Active) -> None:
        with self._lock:
            if a.job.id not in self._active:
                return
            if a.job.id in self._lost:
                self._lost.discard(a.job.id)
                self._drop_lost(a)
                return
            try:
                if a.train is not None:
                    done = self._step_train(a, a.job, a.train, register=True)
                elif a.sweep is not None:
                    done = self._step_sweep(a)
                else:
                    done = self._step_evaluate(a)
            except _Lost:
                self._drop_lost(a)
                return
            if done:
                self._active.pop(a.job.id, None)

    def _step_train(self, a: Active, job: Job, tj: TrainJob, register: bool) -> bool:
        events = tj.poll()
        epochs = [e for e in events if e.get("type") == "epoch"]
        if epochs and job.run_id:
            self._log_epochs(a, job.run_id, epochs)
        state = tj.state()
        if state in ("queued", "running"):
            message = next((e.get("message") for e in reversed(events) if e.get("message")), None)
            if epochs:
                message = f"epoch {epochs[-1]['epoch']}/{epochs[-1].get('epochs')}"
            if events or state != job.state:
                self._update(job, a.user, state=state, progress=tj.progress, message=message or job.message)
            return False
        if state == "finished":
            result = tj.result()
            tj.close()
            if register:
                self._register(a, job, result)
            else:
                self._finish(job, a.user, "finished", result={"metrics": result["metrics"]}, run_summary=result)
            return True
        error = tj.error() if state == "failed" else "aborted"
        tj.close()
        self._finish(job, a.user, state, error=error)
        return True

    def _servable(self, user: str, result: dict[str, Any]) -> dict[str, Any]:
        """Re-save a scikit-learn pickle as skops on a worker (see :mod:`.model_format`)."""
        if result.get("model_type") != SKLEARN:
            return result
        try:
            data = self.client(user).submit(to_skops, result["model_bytes"], pure=False).result(timeout=120)
        except Exception as e:  # an estimator skops cannot save: kept as a pickle (local mode serves it)
            log.warning("model kept as a pickle, skops could not save it: %s", e)
            return {**result, "model_type": SKLEARN_PICKLE}
        return {**result, "model_bytes": data}

    def _register(self, a: Active, job: Job, result: dict[str, Any]) -> ModelVersion | None:
        result = self._servable(a.user, result)
        try:
            mv = self.models.register_version(
                a.user, job.model or "", result, dataset=job.dataset_name, dataset_version=job.dataset_version,
                target=job.target, run_id=job.run_id, project=job.project, job_id=job.id,
                description=a.meta.get("description", ""), tags=a.meta.get("tags"),
                visibility=a.meta.get("visibility", "private"))
        except MLHubError as e:
            self._finish(job, a.user, "failed", error=f"training finished but the version was not registered: "
                                                      f"{e.message}")
            return None
        self._finish(job, a.user, "finished", version=mv.version, result={"metrics": result["metrics"]},
                     run_summary=result)
        return mv

    def _step_sweep(self, a: Active) -> bool:
        assert a.sweep is not None
        pending = False
        for child, tj in zip(a.children, a.sweep.jobs):
            if child.done:
                continue
            if a.aborted and not tj.future.done():
                tj.abort()
            if not self._step_train(a, child, tj, register=False):
                pending = True
        done = sum(1 for c in a.children if c.done)
        if pending:
            self._update(a.job, a.user, state="running", progress=done / max(1, len(a.children)),
                         message=f"{done}/{len(a.children)} trials done")
            return False
        a.sweep.results = [tj.result() if c.state == "finished" else None for c, tj in zip(a.children, a.sweep.jobs)]
        summary = a.sweep.summary()
        best = summary["best"]
        result = {k: summary[k] for k in ("metric", "higher_is_better", "best", "trials")}
        if a.aborted:
            self._finish(a.job, a.user, "aborted", error="aborted", result=result)
        elif best is None:
            self._finish(a.job, a.user, "failed", error="no trial finished", result=result)
        else:
            self._register_sweep(a, a.children[best], a.sweep.results[best], result)
        return True

    def _register_sweep(self, a: Active, trial: Job, best: dict[str, Any], summary: dict[str, Any]) -> None:
        """The best trial becomes the next version, linked to that trial's run."""
        best = self._servable(a.user, best)
        try:
            mv = self.models.register_version(
                a.user, trial.model or "", best, dataset=trial.dataset_name, dataset_version=trial.dataset_version,
                target=trial.target, run_id=trial.run_id, project=trial.project, job_id=a.job.id,
                description=a.meta.get("description", ""), tags=a.meta.get("tags"),
                visibility=a.meta.get("visibility", "private"))
        except MLHubError as e:
            self._finish(a.job, a.user, "failed", error=f"the best trial was not registered: {e.message}",
                         result=summary)
            return
        self._finish(a.job, a.user, "finished", version=mv.version, result=summary, run_id=trial.run_id)

    def _step_evaluate(self, a: Active) -> bool:
        f = a.future
        if not f.done():
            if a.job.state == "queued":
                self._update(a.job, a.user, state="running", progress=0.1, message="evaluating")
            return False
        if f.status == "finished":
            evaluation = f.result()
            job = a.job
            try:
                rec = self.models.add_evaluation(a.user, job.model or "", job.version or 0, job.dataset_name or "",
                                                 job.dataset_version, evaluation, job_id=job.id)
            except MLHubError as e:
                self._finish(job, a.user, "failed", error=e.message)
                return True
            self._finish(job, a.user, "finished", result={"evaluation": evaluation, "evaluation_id": rec.id})
        elif f.status == "cancelled" or a.aborted:
            self._finish(a.job, a.user, "aborted", error="aborted")
        else:
            exc = f.exception()
            self._finish(a.job, a.user, "failed", error=getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
        return True

    # records
    def _log_epochs(self, a: Active, run_id: str, epochs: list[dict[str, Any]]) -> None:
        batch: dict[str, dict[str, list[Any]]] = {}
        for e in epochs:
            for k, v in (e.get("metrics") or {}).items():
                col = batch.setdefault(k, {"steps": [], "values": [], "timestamps": []})
                col["steps"].append(int(e["epoch"]))
                col["values"].append(_finite(v))
                col["timestamps"].append(float(e.get("time") or time.time()))
        if batch:
            a.seq += 1
            self.registry.append_metrics(a.user, run_id, a.seq, batch)

    def _write(self, job: Job, fields: dict[str, Any]) -> Job:
        updated = self.models.store.update_held_job(job.id, self.replica, fields)
        if updated is None:
            raise _Lost(job.id)
        job.__dict__.update(updated.__dict__)
        return job

    def _update(self, job: Job, user: str, **fields: Any) -> None:
        self._write(job, fields)
        self._emit(job)

    def _finish(self, job: Job, user: str, state: str, *, error: str | None = None, version: int | None = None,
                result: dict[str, Any] | None = None, run_summary: dict[str, Any] | None = None,
                run_id: str | None = None) -> Job:
        fields = self._end_fields(job, state, error)
        fields["message"] = _end_message(job, state, error, version)
        if state == "finished":
            fields["progress"] = 1.0
        if version is not None:
            fields["version"] = version
        if result is not None:
            fields["result"] = result
        if run_id is not None:
            fields["run_id"] = run_id
        try:
            self._write(job, fields)
        except _Lost:  # ended elsewhere (an abort through another replica): that end stands
            fresh = self.models.store.get_job(job.id)
            if fresh is not None:
                job.__dict__.update(fresh.__dict__)
            return job
        if job.run_id and job.kind == "train":
            self._close_run(user, job.run_id, state, run_summary)
        self._emit(job)
        return job

    @staticmethod
    def _end_fields(job: Job, state: str, error: str | None) -> dict[str, Any]:
        from ..core.service import now

        return {"state": state, "finished_at": now(), "error": error,
                "message": _end_message(job, state, error, None)}

    def _close_run(self, user: str, run_id: str, state: str, result: dict[str, Any] | None) -> None:
        status = {"finished": "finished", "aborted": "killed"}.get(state, "failed")
        patch: dict[str, Any] = {"status": status}
        if result is not None:
            patch["summary"] = {k: _finite(v) for k, v in (result.get("metrics") or {}).items()}
            self._log_evaluation(user, run_id, result.get("metrics") or {})
        try:
            self.registry.update_run(user, run_id, patch)
        except MLHubError as e:
            log.warning("run %s of a job could not be closed: %s", run_id, e.message)

    def _log_evaluation(self, user: str, run_id: str, metrics: dict[str, Any]) -> None:
        """The held-out metrics as series too (the run's charts and compare tables read series):
        one point at the last step the epochs logged (a torch model's last epoch), at step 0 when
        none were. A key the epochs already logged as a series (a torch model's ``loss``) keeps
        that series as it is."""
        now_s = time.time()
        try:
            infos = self.registry.list_metrics(user, run_id)
            logged = {m.key for m in infos}
            step = max((m.last_step for m in infos), default=0)
            batch = {k: {"steps": [step], "values": [_finite(v)], "timestamps": [now_s]}
                     for k, v in metrics.items()
                     if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in logged}
            if batch:
                self.registry.append_metrics(user, run_id, None, batch)
        except MLHubError as e:
            log.warning("the metrics of run %s of a job could not be logged: %s", run_id, e.message)

    def _emit(self, job: Job) -> None:
        payload = {"job": job.to_json(), "run": {"id": job.run_id or "", "project": job.project or ""}}
        for listener in list(self.registry.listeners):
            listener("job", payload)


def _finite(v: Any) -> Any:
    f = float(v)
    return f if f == f and f not in (float("inf"), float("-inf")) else str(f).replace("inf", "Infinity").replace("nan", "NaN")


def _end_message(job: Job, state: str, error: str | None, version: int | None) -> str:
    """The message of an ended job: what came of it, never its state again (the lab shows the
    state next to the message, and ``job.wait()`` prints both)."""
    if error and error != state:
        return error[:500]
    if state == "finished" and version is not None:
        return f"registered as v{version}"
    if state == "finished" and job.kind == "evaluate":
        return "evaluation stored"
    return ""


def _message(e: BaseException) -> str:
    return e.message if isinstance(e, MLHubError) else f"{type(e).__name__}: {e}"


def _public_spec(spec: ModelSpec) -> dict[str, Any]:
    """The spec as stored on the job and the run (a custom pickle is left out)."""
    d = spec.to_dict()
    if d.get("estimator_pickle"):
        d["estimator_pickle"] = "<cloudpickle>"
    return d


def _run_config(spec: ModelSpec, data: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The run's params: the estimator's own under their names (``max_depth``), then the spec fields
    that apply to this kind of model (epochs, lr, batch size... only for torch models), the data.

    A parameter whose name a spec field already takes (BaggingClassifier's ``estimator``) is kept
    as ``params.<name>``.
    """
    d = _public_spec(spec)
    params = d.pop("params", {}) or {}
    if spec.kind not in TORCH_KINDS:
        for k in TORCH_ONLY_FIELDS:
            d.pop(k, None)
    fields = {k: v for k, v in d.items() if v is not None}
    fields.update({"dataset": data.name, "dataset_version": data.version, "target": body.get("target")})
    flat = {(f"params.{k}" if k in fields else k): v for k, v in params.items()}
    return {**flat, **fields}


def _meta(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("description", "tags", "visibility") if k in body}

