"""The W&B-style shim (``import mlhub_ext.wandb as wandb``) against a real `mlhub serve`:
a typical training script in its own process, W&B's step/commit rules, config, summary,
define_metric, resume, finish, and the errors for what is not supported."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from typing import Any
from urllib.parse import quote

import pytest

import mlhub_ext.wandb as wandb
from mlhub_ext.core.errors import ErrorCode, MLHubError


def _run(server: Any, run_id: str) -> dict[str, Any]:
    resp = server.api("GET", f"runs/{run_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()


def _points(server: Any, run_id: str, key: str) -> list[tuple[int, float]]:
    resp = server.api("GET", f"runs/{run_id}/metrics/{quote(key, safe='')}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return list(zip(body["steps"], body["values"]))


def _keys(server: Any, run_id: str) -> set[str]:
    return {m["key"] for m in server.api("GET", f"runs/{run_id}/metrics").json()["metrics"]}


TRAINING_SCRIPT = textwrap.dedent("""
    import argparse, sys
    import mlhub_ext.wandb as wandb

    args = argparse.Namespace(lr=0.01, batch_size=32, optimizer="adam")
    run = wandb.init(project="wandb-shim", name="resnet-small", config=args,
                     tags=["baseline", "cifar"], notes="first try", group="sweep-1")
    wandb.config.update({"epochs": 3})
    wandb.config.dropout = 0.1
    assert wandb.config.lr == 0.01 and wandb.config["batch_size"] == 32
    wandb.define_metric("epoch")
    wandb.define_metric("val/*", step_metric="epoch")
    wandb.define_metric("val/loss", step_metric="epoch", summary="min,max")
    wandb.define_metric("val/acc", step_metric="epoch", summary="best", goal="maximize")
    step = 0
    for epoch in range(wandb.config.epochs):
        for batch in range(4):
            loss = 1.0 / (1 + step)
            wandb.log({"train/loss": loss}, commit=False)
            wandb.log({"train/lr": wandb.config.lr})
            step += 1
        wandb.log({"val/loss": [0.9, 0.5, 0.7][epoch], "val/acc": [0.5, 0.8, 0.7][epoch],
                   "epoch": epoch})
    wandb.summary["test/acc"] = 0.77
    print(run.id, run.url, flush=True)
    wandb.finish(exit_code=int(sys.argv[1]))
    assert wandb.run is None
""")


@pytest.mark.parametrize("exit_code, status, reason", [(0, "finished", ""), (2, "failed", "exit code 2")])
def test_a_typical_training_script(tracking, exit_code: int, status: str, reason: str) -> None:
    env = {**os.environ, "MLHUB_SYSTEM_METRICS": "0"}
    out = subprocess.run([sys.executable, "-c", TRAINING_SCRIPT, str(exit_code)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    run_id, url = out.stdout.split()
    assert url == f"{tracking.url}lab?mlhub-run={run_id}"
    got = _run(tracking, run_id)
    assert (got["project"], got["name"], got["status"], got["status_reason"]) == \
        ("wandb-shim", "resnet-small", status, reason)
    assert got["params"] == {"lr": 0.01, "batch_size": 32, "optimizer": "adam", "epochs": 3, "dropout": 0.1}
    assert got["tags"] == ["baseline", "cifar", "group:sweep-1"]
    assert got["notes"] == "first try"
    # commit=False put train/loss and train/lr on one step; each epoch's validation row
    # took the next step, so a W&B step per log call that commits.
    train_steps = [s for s, _ in _points(tracking, run_id, "train/loss")]
    assert train_steps == [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13]
    assert [s for s, _ in _points(tracking, run_id, "train/lr")] == train_steps
    assert _points(tracking, run_id, "train/loss")[4] == (5, pytest.approx(1 / 5))
    # val/* are stored at their step metric, the epoch.
    assert _points(tracking, run_id, "val/loss") == [(0, 0.9), (1, 0.5), (2, 0.7)]
    assert _points(tracking, run_id, "epoch") == [(4, 0), (9, 1), (14, 2)]
    assert got["summary"] == {
        "test/acc": 0.77,                          # set explicitly
        "train/loss": pytest.approx(1 / 12), "train/lr": 0.01, "epoch": 2,   # last values
        "val/loss.min": 0.5, "val/loss.max": 0.9,  # define_metric(summary="min,max")
        "val/acc.best": 0.8,                       # goal="maximize"
    }


def test_commit_and_step_rules(tracking, caplog) -> None:
    run = wandb.init(project="wandb-shim", name="steps")
    assert wandb.run is run and run.step == 0
    wandb.log({"a": 1.0}, commit=False)
    wandb.log({"b": 2.0}, commit=False)
    wandb.log({"c": 3.0})                  # commits step 0 with a, b and c
    wandb.log({"a": 4.0}, step=5)          # opens step 5, not written yet
    wandb.log({"b": 5.0}, step=5)          # same step
    wandb.log({"a": 6.0}, step=7)          # moving on writes step 5
    with caplog.at_level(logging.WARNING, logger="mlhub_ext.client"):
        wandb.log({"a": 99.0}, step=3)     # below the current step: dropped, as W&B does
    assert "step 3 is below the current step 7" in caplog.text
    wandb.log({"c": 7.0}, step=7, commit=True)   # writes step 7
    wandb.log({"a": 8.0})                  # the next step is 8
    run.mlhub_run.flush(20)
    assert _points(tracking, run.id, "a") == [(0, 1.0), (5, 4.0), (7, 6.0), (8, 8.0)]
    assert _points(tracking, run.id, "b") == [(0, 2.0), (5, 5.0)]
    assert _points(tracking, run.id, "c") == [(0, 3.0), (7, 7.0)]
    wandb.log({"d": 1.0}, commit=False)    # pending at finish is written, not lost
    assert wandb.summary["a"] == 8.0
    wandb.finish()
    assert _points(tracking, run.id, "d") == [(9, 1.0)]
    assert wandb.run is None


def test_config_and_summary(tracking) -> None:
    run = wandb.init(project="wandb-shim", config={"lr": 0.1})
    assert dict(wandb.config.items()) == {"lr": 0.1} and "lr" in wandb.config
    with pytest.raises(MLHubError, match="allow_val_change=True"):
        wandb.config.lr = 0.2
    wandb.config.update({"lr": 0.2}, allow_val_change=True)
    wandb.config.setdefaults({"lr": 9.0, "wd": 1e-4})
    with pytest.raises(AttributeError, match="'missing'"):
        _ = wandb.config.missing
    wandb.log({"loss": 3.0})
    wandb.log({"loss": 2.0})
    wandb.summary["loss"] = 0.5            # an explicit value wins over the last one
    wandb.summary.update({"note": "ok"})
    assert wandb.summary["loss"] == 0.5 and wandb.summary["note"] == "ok"
    wandb.finish()
    got = _run(tracking, run.id)
    assert got["params"] == {"lr": 0.2, "wd": 1e-4}
    assert got["summary"] == {"loss": 0.5, "note": "ok"}


def test_with_block_and_an_exception(tracking) -> None:
    with pytest.raises(ZeroDivisionError):
        with wandb.init(project="wandb-shim", name="crash") as run:
            wandb.log({"x": 1.0})
            1 / 0
    got = _run(tracking, run.id)
    assert (got["status"], got["status_reason"]) == ("failed", "ZeroDivisionError: division by zero")
    assert got["summary"] == {"x": 1.0}
    assert "Traceback" in got["notes"]


def test_resume_continues_the_steps(tracking) -> None:
    first = wandb.init(project="wandb-shim", name="long")
    for i in range(3):
        wandb.log({"loss": float(i)})
    first.mlhub_run.flush(20)
    run_id = first.id
    # A second process resumes the run (the first one is still going, as a preempted job
    # whose run was never finished would be).
    script = ("import mlhub_ext.wandb as wandb\n"
              f"r = wandb.init(project='wandb-shim', id={run_id!r}, resume='must')\n"
              "assert r.id == " + repr(run_id) + " and r.step == 3, r.step\n"
              "wandb.log({'loss': 3.0})\nwandb.finish()\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=dict(os.environ), timeout=60)
    assert out.returncode == 0, out.stderr
    first.finish()
    assert _points(tracking, run_id, "loss") == [(0, 0.0), (1, 1.0), (2, 2.0), (3, 3.0)]
    with pytest.raises(MLHubError) as err:
        wandb.init(project="wandb-shim", id="0" * 32, resume="must")
    assert err.value.code == ErrorCode.NOT_FOUND and "0" * 32 in err.value.message
    fresh = wandb.init(project="wandb-shim", id="0" * 32, resume="allow")   # none: a new run
    assert fresh.id != "0" * 32
    fresh.finish()


@pytest.mark.parametrize("name, hint", [
    ("Table", "run.log_artifact"), ("Artifact", "mh.datasets.upload"), ("Image", "run.log_artifact"),
    ("watch", "wandb.log"), ("sweep", "mh.models"), ("agent", "mh.models"),
    ("use_artifact", "mh.datasets.get"), ("login", "mh.login"), ("save", "log_artifact"),
])
def test_unsupported_features_name_themselves(name: str, hint: str) -> None:
    with pytest.raises(wandb.WandbNotSupported) as err:
        getattr(wandb, name)("anything")
    assert isinstance(err.value, NotImplementedError) and isinstance(err.value, MLHubError)
    assert f"wandb.{name} is not supported" in str(err.value) and hint in str(err.value)
    assert err.value.feature == name


def test_unsupported_init_arguments_and_unknown_names(tracking) -> None:
    with pytest.raises(wandb.WandbNotSupported, match=r"wandb.init\(mode=...\)"):
        wandb.init(project="wandb-shim", mode="disabled")
    with pytest.raises(wandb.WandbNotSupported, match="sync_tensorboard"):
        wandb.init(project="wandb-shim", sync_tensorboard=True)
    with pytest.raises(TypeError, match="'colour'"):
        wandb.init(project="wandb-shim", colour="red")
    with pytest.raises(AttributeError, match="docs/wandb.md"):
        _ = wandb.no_such_thing
    with pytest.raises(MLHubError, match="call wandb.init"):
        wandb.log({"x": 1.0})
    assert wandb.run is None
    run = wandb.init(project="wandb-shim", entity="my-team", mode="offline")   # accepted
    with pytest.raises(wandb.WandbNotSupported, match="Artifact"):
        run.log_artifact(object())
    with pytest.raises(MLHubError, match="summary 'median'"):
        wandb.define_metric("loss", summary="median")
    with pytest.raises(TypeError, match="'acc'"):
        wandb.log({"acc": "high"})
    wandb.finish()


def test_a_wandb_run_records_system_metrics(tracking, monkeypatch) -> None:
    monkeypatch.setenv("MLHUB_SYSTEM_METRICS_INTERVAL", "0.1")
    monkeypatch.delenv("MLHUB_SYSTEM_METRICS", raising=False)
    run = wandb.init(project="wandb-shim")
    import time

    time.sleep(0.5)
    wandb.finish()
    assert "system/cpu_utilization_percentage" in _keys(tracking, run.id)
