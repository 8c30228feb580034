from __future__ import annotations

import stat
from pathlib import Path

import pytest

from iotpay_desk.core.paths import AppPaths


def test_default_paths_follow_xdg(hermetic_home: Path) -> None:
    p = AppPaths.default()
    assert p.config_dir == hermetic_home / ".config" / "iotpay-desk"
    assert p.data_dir == hermetic_home / ".local/share" / "iotpay-desk"
    assert p.log_dir.is_relative_to(hermetic_home / ".local/state" / "iotpay-desk")
    assert p.profiles_file == p.config_dir / "profiles.json"
    assert p.settings_file == p.config_dir / "settings.json"


def test_nothing_created_until_asked(paths: AppPaths) -> None:
    assert not paths.config_dir.exists()
    assert not paths.data_dir.exists()
    assert not paths.log_dir.exists()
    paths.ensure_config_dir()
    assert paths.config_dir.is_dir()
    assert stat.S_IMODE(paths.config_dir.stat().st_mode) == 0o700


def test_profile_dirs_are_separate_and_private(paths: AppPaths) -> None:
    a, b = "a" * 32, "b" * 32
    assert paths.profile_dir(a, create=False) != paths.profile_dir(b, create=False)
    assert not paths.profile_dir(a, create=False).exists()
    journal = paths.journal_path(a)
    assert journal.parent == paths.data_dir / "profiles" / a
    assert journal.parent.is_dir()
    assert stat.S_IMODE(journal.parent.stat().st_mode) == 0o700
    assert paths.vault_dir(b).is_dir()
    assert paths.vault_dir(b).parent == paths.data_dir / "profiles" / b


@pytest.mark.parametrize("bad", ["", "../" + "a" * 29, "A" * 32, "a" * 31, "/etc/passwd"])
def test_profile_dir_rejects_non_ids(paths: AppPaths, bad: str) -> None:
    with pytest.raises(ValueError, match="32 lowercase hex"):
        paths.profile_dir(bad)


def test_under_root(tmp_path: Path) -> None:
    p = AppPaths.under(tmp_path / "portable")
    assert p.config_dir == tmp_path / "portable" / "config"
    assert p.log_dir == tmp_path / "portable" / "log"
