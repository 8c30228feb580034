from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.core.atomic import CorruptFileError
from iotpay_desk.core.credentials import CredentialStore, KeychainError, KeychainState
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import (
    FIELD_LABELS,
    LEDGER_KINDS,
    SCHEMA_VERSION,
    TLS_MODES,
    Environment,
    LedgerLocation,
    PciAck,
    Profile,
    ProfileInvalid,
    ProfileNotFound,
    ProfileStore,
    ProfileStoreError,
    is_loopback_host,
    suggested_tls,
)
from tests.core.conftest import LockedKeyring, files_containing
from tests.plugins.memkeyring import MemoryKeyring

KEY = "Kx9-merchant-key-7f2a"


def make(name: str = "Main store", **kw: object) -> Profile:
    kw.setdefault("operators", ["jack123", "amy"])
    return Profile.new(name, kw.pop("environment", Environment.PRODUCTION), "10000701", **kw)  # type: ignore[arg-type]


@pytest.fixture
def store(paths: AppPaths, creds: CredentialStore) -> ProfileStore:
    return ProfileStore(paths.config_dir, credentials=creds, data_dir=paths.data_dir)


# -- the profile value ---------------------------------------------------------------------------


def test_new_profile_defaults() -> None:
    p = make()
    assert len(p.id) == 32
    assert int(p.id, 16) >= 0
    assert p.cutoff == "21:00"
    assert p.timezone == "America/Toronto"
    assert p.retype_threshold_cents == 50_000
    assert p.direct_add_enabled is False
    assert p.pci_ack is None
    assert p.created_at.tzinfo is not None
    assert p.validate() == []
    assert make().id != p.id


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        (Environment.PRODUCTION, None, "https://ccapi.iotpaycloud.com"),
        (Environment.TEST, None, "https://ccdev.iotpaycloud.com"),
        (Environment.CUSTOM, "https://pay.example.com/", "https://pay.example.com"),
        (Environment.SANDBOX, "http://127.0.0.1:50123", "http://127.0.0.1:50123"),
    ],
)
def test_base_url(env: Environment, url: str | None, expected: str) -> None:
    p = make(environment=env, custom_url=url)
    assert p.validate() == []
    assert p.base_url == expected
    assert p.is_sandbox is (env is Environment.SANDBOX)


def test_every_problem_names_field_and_rule() -> None:
    bad = Profile(
        id="not-an-id",
        name="",
        environment=Environment.CUSTOM,
        custom_url="ftp://example.com",
        mch_id="x" * 31,
        operators=("jack123", "operator_name_too_long", "jack123", ""),
        default_operator="nobody",
        cutoff="24:00",
        timezone="Mars/Olympus",
        retype_threshold_cents=-1,
        direct_add_enabled=True,
        pci_ack=None,
        notify_url="not-a-url",
    )
    problems = bad.validate()
    by_field = {p.field: p for p in problems}
    expected = {
        "id": BrokenRule(RuleCode.PROFILE_ID),
        "name": BrokenRule(RuleCode.NOT_BLANK),
        "custom_url": BrokenRule(RuleCode.URL),
        "mch_id": BrokenRule(RuleCode.MAX_CHARS, max=30),
        "operators[1]": BrokenRule(RuleCode.MAX_CHARS, max=12),
        "operators[2]": BrokenRule(RuleCode.LISTED_TWICE),
        "operators[3]": BrokenRule(RuleCode.NOT_BLANK),
        "default_operator": BrokenRule(RuleCode.DEFAULT_OPERATOR),
        "cutoff": BrokenRule(RuleCode.CUTOFF_TIME),
        "timezone": BrokenRule(RuleCode.TIME_ZONE),
        "retype_threshold_cents": BrokenRule(RuleCode.NOT_NEGATIVE),
        "direct_add_enabled": BrokenRule(RuleCode.PCI_FIRST),
        "notify_url": BrokenRule(RuleCode.URL),
    }
    assert {f: p.rule for f, p in by_field.items()} == expected
    for p in problems:
        assert p.message == f"{p.label}: {p.rule}"
        base = p.field.split("[")[0]
        if base == "operators":
            assert p.label == f"Operator login name {int(p.field[10:-1]) + 1}"
        else:
            assert p.label == FIELD_LABELS[base]
    assert by_field["operators[1]"].message == "Operator login name 2: at most 12 characters"
    assert by_field["mch_id"].message == "Merchant ID (mchId): at most 30 characters"
    # What was typed is all still there for the form to show.
    assert bad.operators[1] == "operator_name_too_long"
    assert bad.mch_id == "x" * 31


@pytest.mark.parametrize(
    ("env", "url", "rule"),
    [
        (Environment.CUSTOM, None, RuleCode.NOT_BLANK),
        (Environment.CUSTOM, "http://pay.example.com", RuleCode.URL_HTTPS),
        (Environment.CUSTOM, "https://pay.example.com/?a=1", RuleCode.URL_NO_QUERY),
        (Environment.SANDBOX, "http://10.0.0.5:8080", RuleCode.URL_LOOPBACK),
        (Environment.PRODUCTION, "https://elsewhere.example", RuleCode.URL_NOT_USED),
    ],
)
def test_url_rules(env: Environment, url: str | None, rule: RuleCode) -> None:
    problems = make(environment=env, custom_url=url).validate()
    assert len(problems) == 1
    assert problems[0].field == "custom_url"
    assert problems[0].label == "Server URL"
    assert BrokenRule.of(problems[0].rule).code is rule


@pytest.mark.parametrize("url", ["http://localhost:9000", "http://[::1]:9000", "http://127.0.0.2"])
def test_loopback_custom_url_may_be_http(url: str) -> None:
    assert make(environment=Environment.CUSTOM, custom_url=url).validate() == []


def test_operator_login_names() -> None:
    assert make(operators=["a" * 12]).validate() == []
    (p,) = make(operators=["a" * 13]).validate()
    assert (p.field, p.rule) == ("operators[0]", BrokenRule(RuleCode.MAX_CHARS, max=12))
    (p,) = make(operators=[]).validate()
    assert p.message == "Operator login names: must list at least one login name"
    (p,) = make(operators=[" jack"]).validate()
    assert p.rule == BrokenRule(RuleCode.NO_EDGE_SPACES)
    assert make(operators=["jack", "amy"], default_operator="amy").login_name == "amy"
    assert make(operators=["jack", "amy"]).login_name == "jack"


def test_direct_add_needs_pci_ack() -> None:
    p = make()
    (problem,) = p.with_changes(direct_add_enabled=True).validate()
    assert problem.field == "direct_add_enabled"
    when = datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
    on = p.enable_direct_add("Jack Chen (owner)", when)
    assert on.validate() == []
    assert on.direct_add_enabled
    assert on.pci_ack == PciAck("Jack Chen (owner)", when)
    off = on.disable_direct_add()
    assert not off.direct_add_enabled
    assert off.pci_ack == on.pci_ack  # the record of who confirmed stays
    (problem,) = p.enable_direct_add("  ").validate()
    assert problem.field == "pci_ack"
    assert problem.message.startswith("PCI DSS confirmation: name of the person")


def test_threshold_and_cutoff_rules() -> None:
    assert make(retype_threshold_cents=0, cutoff="00:00").validate() == []
    assert make(cutoff="23:59").validate() == []
    for bad in ("9:00", "21:60", "21h00", ""):
        (p,) = make(cutoff=bad).validate()
        assert p.field == "cutoff"
    (p,) = make(retype_threshold_cents=True).validate()
    assert p.rule == BrokenRule(RuleCode.WHOLE_CENTS)


# -- JSON -----------------------------------------------------------------------------------------

_login = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(min_size=0, max_size=80),
    env=st.sampled_from(list(Environment)),
    url=st.none() | st.text(max_size=40),
    mch=st.text(max_size=35),
    ops=st.lists(_login, max_size=4),
    threshold=st.integers(min_value=-10, max_value=10**12),
    direct=st.booleans(),
    who=st.none() | st.text(max_size=20),
    ledger=st.just(LedgerLocation.local())
    | st.builds(
        LedgerLocation,
        kind=st.just("postgresql"),
        host=st.text(max_size=30),
        port=st.integers(min_value=-5, max_value=70_000),
        database=st.text(max_size=70),
        user=st.text(max_size=70),
        tls=st.sampled_from([*TLS_MODES, "bogus"]),
    ),
)
def test_json_round_trip_keeps_everything(
    name: str,
    env: Environment,
    url: str | None,
    mch: str,
    ops: list[str],
    threshold: int,
    direct: bool,
    who: str | None,
    ledger: LedgerLocation,
) -> None:
    p = Profile.new(
        name,
        env,
        mch,
        operators=ops,
        custom_url=url,
        retype_threshold_cents=threshold,
        direct_add_enabled=direct,
        pci_ack=PciAck(who, datetime(2025, 1, 1, tzinfo=UTC)) if who is not None else None,
        default_operator=ops[0] if ops else None,
        ledger=ledger,
    )
    again = Profile.from_json(json.loads(json.dumps(p.to_json())))
    assert again == p


# -- the store ------------------------------------------------------------------------------------


def test_round_trip_through_the_file(store: ProfileStore, paths: AppPaths) -> None:
    a = store.add(make("Main store", operators=["jack123"], notify_url="https://n.example/cb"))
    b = store.add(
        make(
            "Test host",
            environment=Environment.TEST,
            cutoff="18:30",
            retype_threshold_cents=12_345,
        ).enable_direct_add("Amy", datetime(2025, 2, 2, 2, 2, tzinfo=UTC))
    )
    assert store.active_id == a.id  # the first profile becomes active
    store.set_active(b.id)
    fresh = ProfileStore(paths.config_dir)
    fresh.load()
    assert fresh.profiles() == [a, b]
    assert fresh.active_id == b.id
    assert fresh.active() == b
    raw = json.loads(paths.profiles_file.read_text())
    assert raw["schema"] == SCHEMA_VERSION
    assert raw["active"] == b.id
    assert os.stat(paths.profiles_file).st_mode & 0o077 == 0


def test_unique_names_case_insensitive(store: ProfileStore) -> None:
    first = store.add(make("Main Store"))
    with pytest.raises(ProfileInvalid) as info:
        store.add(make("  main store "))
    assert [p.message for p in info.value.problems] == [
        "Profile name: is already used by another profile"
    ]
    # Renaming a profile to its own name (other case) is fine.
    store.update(first.with_changes(name="MAIN STORE"))
    assert store.get(first.id).name == "MAIN STORE"


def test_invalid_profile_is_not_saved(store: ProfileStore, paths: AppPaths) -> None:
    store.add(make("Main"))
    before = paths.profiles_file.read_bytes()
    bad = make("Other", operators=["way_too_long_login"])
    with pytest.raises(ProfileInvalid, match="Operator login name 1: at most 12 characters"):
        store.add(bad)
    assert paths.profiles_file.read_bytes() == before
    assert len(store) == 1


def test_update_keeps_id_and_creation_time(store: ProfileStore) -> None:
    p = store.add(make())
    changed = store.update(
        p.with_changes(cutoff="22:15", created_at=datetime(2000, 1, 1, tzinfo=UTC))
    )
    assert changed.created_at == p.created_at
    assert store.get(p.id).cutoff == "22:15"
    with pytest.raises(ProfileNotFound):
        store.update(make("Ghost"))


def test_remove_deletes_key_keeps_data(
    store: ProfileStore, paths: AppPaths, creds: CredentialStore
) -> None:
    a, b = store.add(make("A")), store.add(make("B"))
    creds.set_key(a.id, KEY + "a")
    creds.set_key(b.id, KEY + "b")
    journal = paths.journal_path(a.id)
    journal.write_bytes(b"journal")
    store.remove(a.id)
    assert creds.get_key(a.id) is None
    assert creds.get_key(b.id) == KEY + "b"
    assert journal.read_bytes() == b"journal"
    assert store.active_id is None  # the active profile was removed
    assert [p.id for p in store.profiles()] == [b.id]
    store.remove(b.id, delete_data=True)
    assert not paths.profile_dir(b.id, create=False).exists()
    assert paths.profile_dir(a.id, create=False).exists()
    with pytest.raises(ProfileNotFound):
        store.remove(b.id)


def test_remove_with_locked_keychain_changes_nothing(paths: AppPaths) -> None:
    store = ProfileStore(paths.config_dir, credentials=CredentialStore(backend=LockedKeyring()))
    p = store.add(make())
    with pytest.raises(KeychainError) as info:
        store.remove(p.id)
    assert info.value.state is KeychainState.LOCKED
    assert ProfileStore(paths.config_dir).profiles() == [p]
    store.remove(p.id, delete_key=False)  # the user chose to remove it anyway
    assert ProfileStore(paths.config_dir).profiles() == []


def test_switching_profiles_never_mixes_data(
    store: ProfileStore, paths: AppPaths, creds: CredentialStore
) -> None:
    shop = store.add(make("Shop", operators=["shop1"]))
    cafe = store.add(make("Cafe", environment=Environment.TEST, operators=["cafe1"]))
    creds.set_key(shop.id, "shop-key-0001")
    creds.set_key(cafe.id, "cafe-key-0002")
    for p in (shop, cafe):
        store.set_active(p.id)
        active = store.active()
        assert active is not None
        paths.journal_path(active.id).write_text(f"journal of {active.name}")
        paths.vault_dir(active.id).joinpath("cards").write_text(f"vault of {active.name}")
    assert paths.journal_path(shop.id) != paths.journal_path(cafe.id)
    assert paths.journal_path(shop.id).read_text() == "journal of Shop"
    assert paths.journal_path(cafe.id).read_text() == "journal of Cafe"
    assert (paths.vault_dir(shop.id) / "cards").read_text() == "vault of Shop"
    store.set_active(shop.id)
    assert creds.get_key(store.active_id or "") == "shop-key-0001"
    store.set_active(cafe.id)
    assert creds.get_key(store.active_id or "") == "cafe-key-0002"
    assert sorted(MemoryKeyring.store) == sorted(
        [("iotpay-desk", shop.id), ("iotpay-desk", cafe.id)]
    )


def test_key_never_in_any_file(
    store: ProfileStore, paths: AppPaths, creds: CredentialStore, hermetic_home: Path
) -> None:
    p = store.add(make())
    creds.set_key(p.id, KEY)
    store.update(p.with_changes(cutoff="20:00"))
    store.ensure_sandbox_profile("http://127.0.0.1:40001", "10000701", key=KEY + "-sb")
    paths.journal_path(p.id).write_text("x")
    assert paths.profiles_file.exists()
    assert files_containing(hermetic_home, KEY) == []
    assert "key" not in json.dumps(json.loads(paths.profiles_file.read_text())).lower()


def test_ensure_sandbox_profile_creates_then_reuses(
    store: ProfileStore, creds: CredentialStore
) -> None:
    main = store.add(make("Main"))
    sb = store.ensure_sandbox_profile("http://127.0.0.1:40001", "90000001", key="sandbox-key-1")
    assert sb.name == "Sandbox"
    assert sb.environment is Environment.SANDBOX
    assert sb.base_url == "http://127.0.0.1:40001"
    assert sb.operators
    assert store.active_id == sb.id
    assert creds.get_key(sb.id) == "sandbox-key-1"
    store.set_active(main.id)
    again = store.ensure_sandbox_profile("http://127.0.0.1:40555", "90000001")
    assert again.id == sb.id
    assert again.custom_url == "http://127.0.0.1:40555"
    assert again.created_at == sb.created_at
    assert store.active_id == sb.id
    assert len(store) == 2
    assert creds.get_key(sb.id) == "sandbox-key-1"


def test_sandbox_name_taken_by_a_real_profile(store: ProfileStore) -> None:
    store.add(make("Sandbox"))
    sb = store.ensure_sandbox_profile("http://localhost:5000", "90000001", activate=False)
    assert sb.name == "Sandbox 2"
    assert store.ensure_sandbox_profile("http://localhost:5001", "90000001").id == sb.id


def test_sandbox_profile_without_keychain_is_still_saved(paths: AppPaths) -> None:
    store = ProfileStore(paths.config_dir, credentials=CredentialStore(backend=LockedKeyring()))
    with pytest.raises(KeychainError):
        store.ensure_sandbox_profile("http://127.0.0.1:1234", "90000001", key="sandbox-key")
    assert [p.name for p in ProfileStore(paths.config_dir).profiles()] == ["Sandbox"]


# -- the file on disk -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'"a string"',
        b'{"schema": 1, "profiles": {"a": 1}}',
        b'{"schema": 1, "profiles": [{"id": 5}]}',
        b'{"schema": 1, "profiles": [{"id": "a", "name": "x", "environment": "moon"}]}',
        b'{"profiles": []}',
    ],
)
def test_corrupt_file_kept_aside_never_overwritten(
    store: ProfileStore, paths: AppPaths, content: bytes
) -> None:
    paths.ensure_config_dir()
    paths.profiles_file.write_bytes(content)
    with pytest.raises(CorruptFileError) as info:
        store.load()
    kept = info.value.kept_as
    assert kept is not None
    assert kept.parent == paths.config_dir
    assert kept.name.startswith("profiles.json.corrupt-")
    assert kept.read_bytes() == content
    assert "profiles.json could not be read" in str(info.value)
    # The desk goes on with no profiles; a new one is written fresh, the old bytes stay aside.
    assert store.profiles() == []
    store.add(make())
    assert kept.read_bytes() == content
    assert len(ProfileStore(paths.config_dir).profiles()) == 1


def test_file_from_a_newer_version_is_left_alone(store: ProfileStore, paths: AppPaths) -> None:
    paths.ensure_config_dir()
    newer = b'{"schema": 99, "profiles": [{"future": true}]}'
    paths.profiles_file.write_bytes(newer)
    with pytest.raises(ProfileStoreError, match="newer version"):
        store.load()
    with pytest.raises(ProfileStoreError, match="was not changed"):
        store.add(make())
    assert paths.profiles_file.read_bytes() == newer


def test_save_failing_mid_write_keeps_file_and_memory(
    store: ProfileStore, paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = store.add(make("A"))
    before = paths.profiles_file.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="Input/output"):
        store.add(make("B"))
    with pytest.raises(OSError, match="Input/output"):
        store.set_active(None)
    monkeypatch.undo()
    assert paths.profiles_file.read_bytes() == before
    assert [p.name for p in store.profiles()] == ["A"]  # memory matches the file
    assert store.active_id == a.id
    assert sorted(f.name for f in paths.config_dir.iterdir()) == ["profiles.json"]


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from iotpay_desk.core.profiles import Environment, Profile, ProfileStore

    store = ProfileStore(Path(sys.argv[1]))
    store.load()
    os.replace = lambda *a: os._exit(9)  # killed between writing and renaming
    store.add(Profile.new("Second", Environment.TEST, "10000702", operators=["amy"]))
    """
)


def test_killed_writer_leaves_previous_profiles(store: ProfileStore, paths: AppPaths) -> None:
    first = store.add(make("First"))
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(paths.config_dir)],
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        check=False,
    )
    assert proc.returncode == 9
    assert len(list(paths.config_dir.glob(".profiles.json.*"))) == 1  # the half-done temp
    again = ProfileStore(paths.config_dir)
    assert again.profiles() == [first]
    assert list(paths.config_dir.glob(".profiles.json.*")) == []  # cleaned on load


# -- the ledger's location ---------------------------------------------------------------------

LEDGER_PW = "Sh4red-Ledger-PW-" + "81c3"


def shared(**kw: object) -> LedgerLocation:
    base: dict[str, object] = {
        "host": "db.example.ca",
        "database": "iotpay_ledger",
        "user": "desk",
    }
    base.update(kw)
    return LedgerLocation.postgresql(**base)  # type: ignore[arg-type]


def test_ledger_defaults_to_this_computer() -> None:
    p = make()
    assert p.ledger == LedgerLocation.local()
    assert p.ledger.is_local
    assert not p.ledger.is_shared
    assert p.to_json()["ledger"] == {"kind": "local"}


def test_tls_suggested_by_host() -> None:
    assert shared().tls == "verify-full"
    assert shared(host="localhost").tls == "prefer"
    assert shared(host="127.0.0.1").tls == "prefer"
    assert shared(host="::1").tls == "prefer"
    assert shared(host="10.0.0.5").tls == "verify-full"
    assert shared(host="localhost", tls="require").tls == "require"
    assert suggested_tls("db.example.ca") == "verify-full"
    assert is_loopback_host("LOCALHOST")
    assert not is_loopback_host("localhost.example.ca")
    assert shared(port=6543).display() == "desk@db.example.ca:6543/iotpay_ledger"
    assert shared(host="fd00::5").display() == "desk@[fd00::5]:5432/iotpay_ledger"


def test_tls_modes_are_libpq_sslmodes_the_ledger_takes() -> None:
    from iotpay_desk.ledger.connect import SSL_MODES

    assert TLS_MODES == SSL_MODES


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"host": ""}, "ledger_host", BrokenRule(RuleCode.NOT_BLANK)),
        ({"host": "   "}, "ledger_host", BrokenRule(RuleCode.NOT_BLANK)),
        ({"host": "db example"}, "ledger_host", BrokenRule(RuleCode.NO_SPACES)),
        ({"host": "db.example.ca:5432"}, "ledger_host", BrokenRule(RuleCode.CARD_ID_CHARS)),
        ({"host": "u@db"}, "ledger_host", BrokenRule(RuleCode.CARD_ID_CHARS)),
        ({"host": "a,b"}, "ledger_host", BrokenRule(RuleCode.CARD_ID_CHARS)),
        ({"host": "x" * 254}, "ledger_host", BrokenRule(RuleCode.MAX_CHARS, max=253)),
        ({"port": 0}, "ledger_port", BrokenRule(RuleCode.AT_LEAST, min=1)),
        ({"port": 65536}, "ledger_port", BrokenRule(RuleCode.AT_MOST, max=65535)),
        ({"port": "5432"}, "ledger_port", BrokenRule(RuleCode.WHOLE_NUMBER)),
        ({"port": True}, "ledger_port", BrokenRule(RuleCode.WHOLE_NUMBER)),
        ({"database": ""}, "ledger_database", BrokenRule(RuleCode.NOT_BLANK)),
        ({"database": " ledger"}, "ledger_database", BrokenRule(RuleCode.NO_EDGE_SPACES)),
        ({"database": "led\nger"}, "ledger_database", BrokenRule(RuleCode.NO_CONTROL_CHARS)),
        ({"database": "l" * 64}, "ledger_database", BrokenRule(RuleCode.MAX_CHARS, max=63)),
        # 63 bytes is the limit, not 63 characters: "é" is two bytes in UTF-8.
        ({"database": "é" * 32}, "ledger_database", BrokenRule(RuleCode.MAX_CHARS, max=63)),
        ({"user": ""}, "ledger_user", BrokenRule(RuleCode.NOT_BLANK)),
        ({"user": "desk "}, "ledger_user", BrokenRule(RuleCode.NO_EDGE_SPACES)),
        ({"user": "u" * 64}, "ledger_user", BrokenRule(RuleCode.MAX_CHARS, max=63)),
        ({"tls": "maybe"}, "ledger_tls", BrokenRule(RuleCode.ONE_OF, choices=TLS_MODES)),
        ({"kind": "mysql"}, "ledger", BrokenRule(RuleCode.ONE_OF, choices=LEDGER_KINDS)),
    ],
)
def test_ledger_rules(change: dict[str, object], field: str, rule: BrokenRule) -> None:
    p = make(ledger=dataclasses.replace(shared(), **change))
    problems = p.validate()
    assert [(x.field, x.rule) for x in problems] == [(field, rule)]
    assert problems[0].label == FIELD_LABELS[field]


@pytest.mark.parametrize(
    "location",
    [
        shared(),
        shared(host="127.0.0.1", port=1),
        shared(host="::1", port=65535),
        shared(host="pg-01.internal_lan", database="é" * 31, user="caisse-1"),
        shared(database="l" * 63, user="Desk User"),  # spaces inside a name are fine
    ],
)
def test_ledger_names_postgresql_accepts(location: LedgerLocation) -> None:
    assert make(ledger=location).validate() == []


def test_a_local_ledger_checks_nothing_else() -> None:
    # Fields left over from a server that was chosen and then unchosen are not checked
    # and not saved.
    location = dataclasses.replace(shared(host="", port=0), kind="local")
    p = make(ledger=location)
    assert p.validate() == []
    assert p.to_json()["ledger"] == {"kind": "local"}
    assert Profile.from_json(p.to_json()).ledger == LedgerLocation.local()


def test_shared_ledger_round_trip_through_the_file(
    store: ProfileStore, paths: AppPaths, creds: CredentialStore
) -> None:
    location = shared(port=6432, tls="require")
    a = store.add(make("Front", ledger=location))
    b = store.add(make("Back"))
    creds.set_ledger_password(a.id, LEDGER_PW)
    raw = json.loads(paths.profiles_file.read_text())
    assert raw["profiles"][0]["ledger"] == {
        "kind": "postgresql",
        "host": "db.example.ca",
        "port": 6432,
        "database": "iotpay_ledger",
        "user": "desk",
        "tls": "require",
    }
    fresh = ProfileStore(paths.config_dir)
    fresh.load()
    assert fresh.profiles() == [a, b]
    assert fresh.get(a.id).ledger == location
    assert fresh.get(b.id).ledger.is_local
    # The password is in the keychain only: not in the file, not in any repr.
    assert LEDGER_PW not in paths.profiles_file.read_text()
    assert files_containing(paths.config_dir.parent.parent, LEDGER_PW) == []
    for shown in (repr(a), repr(a.ledger), str(a.to_json()), repr(store), repr(creds)):
        assert LEDGER_PW not in shown


def test_file_from_before_ledgers_loads_as_local(store: ProfileStore, paths: AppPaths) -> None:
    old = make("Old store")
    record = old.to_json()
    del record["ledger"]
    paths.profiles_file.parent.mkdir(parents=True, exist_ok=True)
    paths.profiles_file.write_text(
        json.dumps({"schema": 1, "active": old.id, "profiles": [record]})
    )
    store.load()
    loaded = store.get(old.id)
    assert loaded.ledger == LedgerLocation.local()
    assert loaded == old
    store.update(loaded.with_changes(cutoff="20:00"))  # saved again, now with its ledger
    assert json.loads(paths.profiles_file.read_text())["profiles"][0]["ledger"] == {"kind": "local"}


@pytest.mark.parametrize(
    "bad",
    [
        "postgresql",
        ["local"],
        {"kind": 3},
        {"kind": "postgresql", "port": "5432"},
        {"kind": "postgresql", "host": None},
    ],
)
def test_malformed_ledger_in_the_file_is_a_corrupt_file(
    store: ProfileStore, paths: AppPaths, bad: object
) -> None:
    record = make().to_json()
    record["ledger"] = bad
    paths.profiles_file.parent.mkdir(parents=True, exist_ok=True)
    paths.profiles_file.write_text(json.dumps({"schema": 1, "profiles": [record]}))
    with pytest.raises(CorruptFileError):
        store.load()


def test_shared_ledger_that_breaks_a_rule_is_not_saved(
    store: ProfileStore, paths: AppPaths
) -> None:
    with pytest.raises(ProfileInvalid) as info:
        store.add(make(ledger=shared(host="", port=70000)))
    assert [p.message for p in info.value.problems] == [
        "Ledger server host: must not be blank",
        "Ledger server port: must be at most 65535",
    ]
    assert not paths.profiles_file.exists()


def test_remove_deletes_the_ledger_password_too(
    store: ProfileStore, creds: CredentialStore
) -> None:
    a = store.add(make("A", ledger=shared()))
    b = store.add(make("B", ledger=shared()))
    creds.set_key(a.id, KEY)
    creds.set_ledger_password(a.id, LEDGER_PW)
    creds.set_ledger_password(b.id, LEDGER_PW + "b")
    store.remove(a.id)
    assert creds.get_ledger_password(a.id) is None
    assert creds.get_key(a.id) is None
    assert creds.get_ledger_password(b.id) == LEDGER_PW + "b"
    assert LEDGER_PW not in str(MemoryKeyring.store.get(("iotpay-desk", a.id)))
    # Asked to leave the keychain alone, it does.
    store.remove(b.id, delete_key=False)
    assert creds.get_ledger_password(b.id) == LEDGER_PW + "b"
