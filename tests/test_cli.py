"""`mlhub token create/list/revoke` (in process, on a SQLite registry)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mlhub_ext.cli import main
from mlhub_ext.store import open_registry


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_token_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    rc, out, err = run(capsys, "token", "create", "--user", "alice", "--name", "ci", "--expires", "12h",
                       "--read-only", "--db-url", db)
    token = out.strip()
    assert rc == 0 and token.startswith("mlh_") and "'ci'" in err and "read" in err and "shown once" in err
    rc, out, _ = run(capsys, "token", "list", "--user", "alice", "--db-url", db)
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert token not in out and listed["name"] == "ci" and listed["scope"] == "read"
    expires = datetime.fromisoformat(listed["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=11.9) < expires - datetime.now(timezone.utc) <= timedelta(hours=12)
    reg = open_registry(db)
    rec = reg.check_token(token)
    assert rec is not None and rec.scope.value == "read"
    # bob may not revoke alice's token; alice may.
    assert run(capsys, "token", "revoke", str(listed["id"]), "--user", "bob", "--db-url", db)[0] == 2
    assert run(capsys, "token", "revoke", str(listed["id"]), "--user", "alice", "--db-url", db)[0] == 0
    # The CLI revoked it through its own registry, as another process would: a registry that
    # opens the database now refuses it; one that checked it before may keep its cached record
    # for the token cache's TTL (core/token_cache.py), then refuses it too.
    assert open_registry(db).check_token(token) is None
    reg.token_cache.clear()   # what the TTL's expiry does
    assert reg.check_token(token) is None
    rc, out, _ = run(capsys, "token", "list", "--user", "alice", "--db-url", db)
    assert out == ""
    rc, out, _ = run(capsys, "token", "list", "--user", "alice", "--all", "--db-url", db)
    assert json.loads(out)["revoked_at"] is not None
    reg.store.close()


@pytest.mark.parametrize("expires", ["soon", "-3d", "0", "inf"])
def test_token_create_refuses_bad_expiry(expires: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "token", "create", "--user", "alice", f"--expires={expires}",
                       "--db-url", f"sqlite:///{tmp_path / 'r.db'}")
    assert rc == 2 and out == "" and "--expires" in err


def test_token_never_expires_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    rc, out, err = run(capsys, "token", "create", "--user", "carol", "--db-url", db)
    assert rc == 0 and "never expires" in err
    rc, out, _ = run(capsys, "token", "list", "--user", "carol", "--db-url", db)
    assert json.loads(out)["expires_at"] is None and json.loads(out)["scope"] == "write"
