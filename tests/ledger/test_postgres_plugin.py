"""The test server's plugin: the highest installed version is used, and without one the
PostgreSQL tests skip locally but fail under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins import postgres


def test_the_highest_version_is_chosen(tmp_path: Path) -> None:
    for version in ("9.6", "13", "16", "not-a-version"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "pg_ctl").touch()
    (tmp_path / "17" / "bin").mkdir(parents=True)  # no pg_ctl: not installed
    assert postgres.find_bin_dir(tmp_path) == tmp_path / "16" / "bin"
    assert postgres.find_bin_dir(tmp_path / "missing") is None


def test_missing_binaries_skip_locally_and_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        postgres._unavailable("not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is required under CI"):
        postgres._unavailable("not installed")


def test_the_server_listens_on_loopback_only(postgres_server: postgres.PostgresServer) -> None:
    with postgres_server.admin() as conn:
        row = conn.execute("SHOW listen_addresses").fetchone()
        assert row == ("127.0.0.1",)
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
    assert postgres_server.data.is_dir()
