from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from iotpay_desk.api.redact import register_secret
from iotpay_desk.core.credentials import CredentialStore
from iotpay_desk.core.logging_setup import (
    LOG_FILENAME,
    current_log_file,
    setup_logging,
    teardown_logging,
)
from iotpay_desk.core.paths import AppPaths
from tests.core.conftest import files_containing

CARD = "4242424242424242"
MC = "5555 5555 5555 4444"
CVV_LINE = "cvv=737"
SIGN = "95ACAA13931D00EFE27607F607FA3C48"


@pytest.fixture
def logdir(paths: AppPaths) -> Iterator[Path]:
    yield paths.log_dir
    teardown_logging()


def read_all(log_dir: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(log_dir.iterdir()))


def test_file_and_stderr_are_redacted(logdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = "merchant-key-" + os.urandom(6).hex()
    creds = CredentialStore()
    creds.set_key("p1", key)  # registers the key for redaction
    log_file = setup_logging(logdir, "DEBUG")
    assert log_file == logdir / LOG_FILENAME
    assert current_log_file() == log_file
    log = logging.getLogger("iotpay_desk.test")
    log.info("charging card %s for %d cents", CARD, 1500)
    log.debug("request body {'cardNum': '%s', 'cvv': '123', 'sign': '%s'}", MC, SIGN)
    log.warning("the key is %s and %s", key, CVV_LINE)
    try:
        raise ValueError(f"card {CARD} refused with key {key}")
    except ValueError:
        log.exception("refund failed")
    for h in logging.getLogger().handlers:
        h.flush()
    text = log_file.read_text("utf-8")
    err = capsys.readouterr().err
    for out in (text, err):
        assert "charging card 424242******4242 for 1500 cents" in out
        assert "555555******4444" in out
        assert "refund failed" in out
        assert "Traceback" in out
        assert "ValueError: card 424242******4242 refused" in out
        for secret in (CARD, "5555555555554444", MC, key, SIGN, "737", "'123'"):
            assert secret not in out, secret
    assert os.stat(log_file).st_mode & 0o077 == 0


def test_uncaught_exceptions_are_logged_redacted(logdir: Path) -> None:
    log_file = setup_logging(logdir, "INFO", stderr=False)
    try:
        raise RuntimeError(f"boom with {CARD}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # what the interpreter calls for an uncaught one

    def worker() -> None:
        raise KeyError(f"thread boom {MC}")

    t = threading.Thread(target=worker, name="refund-worker")
    t.start()
    t.join()
    text = log_file.read_text("utf-8")
    assert "Uncaught exception" in text
    assert "RuntimeError: boom with 424242******4242" in text
    assert "Uncaught exception in thread refund-worker" in text
    assert "thread boom 555555******4444" in text
    assert CARD not in text
    assert "5555 5555 5555 4444" not in text


def test_handler_added_later_sees_redacted_records(logdir: Path) -> None:
    setup_logging(logdir, "INFO", stderr=False)
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    late = Collect()
    logging.getLogger().addHandler(late)
    try:
        logging.getLogger("third.party").warning("card %s", CARD)
    finally:
        logging.getLogger().removeHandler(late)
    assert seen == ["card 424242******4242"]


def test_rotation_keeps_five_redacted_backups(logdir: Path) -> None:
    setup_logging(logdir, "INFO", stderr=False, max_bytes=4_000)
    log = logging.getLogger("iotpay_desk.volume")
    for i in range(400):
        log.info("line %d card %s", i, CARD)
    names = sorted(p.name for p in logdir.iterdir())
    assert names == [LOG_FILENAME] + [f"{LOG_FILENAME}.{i}" for i in range(1, 6)]
    for p in logdir.iterdir():
        assert p.stat().st_size <= 4_000
        assert os.stat(p).st_mode & 0o077 == 0
    assert "line 399 card 424242******4242" in (logdir / LOG_FILENAME).read_text()
    assert files_containing(logdir, CARD) == []


def test_default_size_is_one_megabyte_times_five(logdir: Path) -> None:
    setup_logging(logdir, "INFO", stderr=False)
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    )
    assert handler.maxBytes == 1_000_000
    assert handler.backupCount == 5


def test_teardown_restores_everything(logdir: Path) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level, sys.excepthook, threading.excepthook)
    factory = logging.getLogRecordFactory()
    setup_logging(logdir, "DEBUG")
    setup_logging(logdir, "WARNING")  # set up twice: still one file handler
    files = [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(files) == 1
    assert root.level == logging.WARNING
    teardown_logging()
    teardown_logging()
    assert (list(root.handlers), root.level, sys.excepthook, threading.excepthook) == before
    assert logging.getLogRecordFactory() is factory
    assert current_log_file() is None


def test_key_registered_later_is_redacted_too(logdir: Path) -> None:
    log_file = setup_logging(logdir, "INFO", stderr=False)
    key = "late-key-" + os.urandom(5).hex()
    register_secret(key)
    logging.getLogger("x").error("signing with %s", key)
    assert key not in log_file.read_text()
    assert "[redacted]" in log_file.read_text()


def test_unknown_level_refused(logdir: Path) -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        setup_logging(logdir, "CHATTY")
