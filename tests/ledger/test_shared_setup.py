"""The README's set-up of a shared ledger, done as written against a real server: a user
with a password and a database it owns (``createuser``, ``createdb --owner``); then two
desks pointed at it with that password from the keychain. The first creates the tables,
the second finds them, and both write to one ledger."""

from __future__ import annotations

from pathlib import Path

from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.profiles import Environment, LedgerLocation, Profile
from iotpay_desk.journal import ActionKind, DeskIdentity, new_mch_no
from iotpay_desk.ledger import current_revision, head
from iotpay_desk.ledger.place import merchant_file, profile_ledger_opener
from tests.ledger.test_connect import SECRET, server  # noqa: F401
from tests.plugins.memkeyring import MemoryKeyring
from tests.plugins.postgres import PostgresServer

MCH = "10000701"
PAY = "PC20240101215009579871439079"


def test_the_readme_setup_gives_one_ledger_to_two_desks(
    server: PostgresServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    n = next(server.databases)
    user, database = f"iotpay_desk_{n}", f"iotpay_ledger_{n}"
    where = ("-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres")
    made = server.run(str(server.bin_dir / "createuser"), *where, user)
    assert made.returncode == 0, made.stderr
    with server.admin() as conn:
        # What --pwprompt asks for; the test role must also log in with it (pg_hba).
        conn.execute(f"ALTER ROLE {user} PASSWORD '{SECRET}'")  # type: ignore[arg-type]
        conn.execute(f"GRANT ledger_pw TO {user}")  # type: ignore[arg-type]
    made = server.run(str(server.bin_dir / "createdb"), *where, "--owner", user, database)
    assert made.returncode == 0, made.stderr

    location = LedgerLocation.postgresql(
        "127.0.0.1", database, user, port=server.port, tls="prefer"
    )
    journals = []
    for desk in ("Front counter", "Back office"):
        home = tmp_path / desk.replace(" ", "-")
        paths = AppPaths(
            config_dir=home / "config", data_dir=home / "data", log_dir=home, cache_dir=home
        )
        credentials = CredentialStore(backend=MemoryKeyring())
        profile = Profile.new(
            "Shop",
            Environment.CUSTOM,
            MCH,
            operators=["jack"],
            custom_url="http://127.0.0.1:9",
            ledger=location,
        )
        credentials.set_ledger_password(profile.id, SECRET)
        opener = profile_ledger_opener(
            profile, paths=paths, credentials=credentials, desk=DeskIdentity.here(desk)
        )
        journals.append(opener())
        assert not merchant_file(paths.data_dir, "custom", MCH).exists()
    front, back = journals
    try:
        assert current_revision(front.engine) == head()
        intent = front.create_intent(
            kind=ActionKind.REFUND,
            mch_id=MCH,
            mch_no=new_mch_no("R"),
            operator="jack",
            target_pay_order_id=PAY,
            amount_cents=500,
        )
        (seen,) = back.open_actions(MCH)
        assert (seen.id, seen.desk, seen.lease_desk) == (
            intent.id,
            "Front counter",
            "Front counter",
        )
    finally:
        for j in journals:
            j.close()
