"""Where the desk keeps its files, from platformdirs (XDG on Linux).

* config dir — ``profiles.json``, ``settings.json``
* data dir — one sub-directory per profile id (``profiles/<id>/journal.sqlite3`` …), so
  switching profiles never mixes their data
* log dir — the rotating log file

Paths are resolved when :meth:`AppPaths.default` is called (so the XDG variables in effect
then count) and directories are created only when asked for, with owner-only permissions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

__all__ = ["APP_NAME", "AppPaths", "ensure_dir"]

APP_NAME = "iotpay-desk"
_PROFILE_ID = re.compile(r"[0-9a-f]{32}")


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing, readable by the owner only; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        """The platform's per-user directories for the desk (nothing is created)."""
        dirs = PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            config_dir=Path(dirs.user_config_dir),
            data_dir=Path(dirs.user_data_dir),
            log_dir=Path(dirs.user_log_dir),
            cache_dir=Path(dirs.user_cache_dir),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        """All directories below one root (portable installs, tests)."""
        return cls(root / "config", root / "data", root / "log", root / "cache")

    @property
    def profiles_file(self) -> Path:
        return self.config_dir / "profiles.json"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    def profile_dir(self, profile_id: str, *, create: bool = True) -> Path:
        """The data directory owned by one profile (``<data>/profiles/<id>``)."""
        if not isinstance(profile_id, str) or not _PROFILE_ID.fullmatch(profile_id):
            raise ValueError("profile id must be 32 lowercase hex characters")
        path = self.data_dir / "profiles" / profile_id
        return ensure_dir(path) if create else path

    def journal_path(self, profile_id: str) -> Path:
        return self.profile_dir(profile_id) / "journal.sqlite3"

    def vault_dir(self, profile_id: str) -> Path:
        return ensure_dir(self.profile_dir(profile_id) / "vault")

    def ensure_config_dir(self) -> Path:
        return ensure_dir(self.config_dir)

    def ensure_log_dir(self) -> Path:
        return ensure_dir(self.log_dir)
