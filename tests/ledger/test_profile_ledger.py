"""A profile's ledger as the desk and the notify receiver open it
(``ledger.place.profile_ledger_opener``): one per merchant, the per-profile journal files of
earlier versions merged into it on the first start, and never a ledger of another
environment."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import make_url

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Environment, LedgerLocation, Profile
from iotpay_desk.journal import DeskIdentity
from iotpay_desk.ledger.place import LedgerMismatch, merchant_file, profile_ledger_opener
from tests.ledger.test_copy import MCH, counts, journal_file
from tests.plugins.memkeyring import MemoryKeyring

DESK = DeskIdentity.here("Front")


def _profile(name: str, mch_id: str = MCH, **kw: object) -> Profile:
    return Profile.new(
        name,
        Environment.CUSTOM,
        mch_id,
        operators=["jack"],
        custom_url="http://127.0.0.1:9",
        **kw,
    )


def _paths(tmp: Path) -> AppPaths:
    return AppPaths(
        config_dir=tmp / "config", data_dir=tmp / "data", log_dir=tmp / "log", cache_dir=tmp
    )


def test_two_profiles_of_one_merchant_get_one_ledger_with_both_files_merged(
    tmp_path: Path,
) -> None:
    paths = _paths(tmp_path)
    front, office, other = _profile("Front"), _profile("Office"), _profile("Other", "10000999")
    files = {}
    for profile, version in ((front, 3), (office, 6), (other, 6)):
        path = paths.profile_dir(profile.id) / "journal.sqlite3"
        files[profile.id] = (path, journal_file(path, version, tag=profile.name[0].lower()))
    everyone = [front, office, other]
    store = CredentialStore(backend=MemoryKeyring())

    journal = profile_ledger_opener(
        front, paths=paths, credentials=store, desk=DESK, profiles=everyone
    )()
    try:
        assert journal.path == merchant_file(paths.data_dir, "custom", MCH)
        got = counts(journal.engine)
    finally:
        journal.close()
    for table in ("actions", "audit", "vault_cards"):
        expected = files[front.id][1].get(table, 0) + files[office.id][1].get(table, 0)
        assert got[table] == expected, table
    # The merged files are kept beside, renamed; the other merchant's is left alone.
    for profile in (front, office):
        path = files[profile.id][0]
        assert not path.exists()
        assert path.with_name(path.name + ".merged").is_file()
    assert files[other.id][0].exists()

    # The other profile of the merchant opens the same ledger; nothing is merged again.
    again = profile_ledger_opener(
        office, paths=paths, credentials=store, desk=DESK, profiles=everyone
    )()
    try:
        assert again.path == journal.path
        assert counts(again.engine) == got
    finally:
        again.close()


def test_a_ledger_of_another_environment_is_refused_untouched(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    where = merchant_file(paths.data_dir, "custom", MCH)
    store = CredentialStore(backend=MemoryKeyring())
    profile = _profile("Front")
    profile_ledger_opener(profile, paths=paths, credentials=store, desk=DESK)().close()
    # A sandbox merchant's ledger file, copied where a custom one is looked for.
    with sqlite3.connect(where) as db:
        db.execute("UPDATE ledger_meta SET value = 'sandbox' WHERE key = 'environment'")
    db.close()
    before = where.read_bytes()
    with pytest.raises(LedgerMismatch, match="holds sandbox payments; the profile is custom"):
        profile_ledger_opener(profile, paths=paths, credentials=store, desk=DESK)()
    assert where.read_bytes() == before


def test_a_shared_ledger_records_its_environment_once(tmp_path: Path, pg_url: str) -> None:
    url = make_url(pg_url)
    assert url.host is not None
    assert url.database is not None
    assert url.username is not None
    location = LedgerLocation.postgresql(
        url.host, url.database, url.username, port=url.port or 5432, tls="prefer"
    )
    paths = _paths(tmp_path)
    store = CredentialStore(backend=MemoryKeyring())
    custom = _profile("Front", ledger=location)
    journal = profile_ledger_opener(custom, paths=paths, credentials=store, desk=DESK)()
    journal.close()
    # No local file was made for a shared ledger.
    assert not merchant_file(paths.data_dir, "custom", MCH).exists()
    sandbox = Profile.new("Sandbox", Environment.SANDBOX, MCH, operators=["jack"], ledger=location)
    with pytest.raises(LedgerMismatch):
        profile_ledger_opener(sandbox, paths=paths, credentials=store, desk=DESK)()
