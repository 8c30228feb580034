from __future__ import annotations

import json
import logging
import os

import pytest

from iotpay_desk.api.rules import BrokenRule, RuleCode
from iotpay_desk.core.paths import AppPaths
from iotpay_desk.core.settings import (
    ALL_SETTINGS,
    CARD_PAGE_RELEASE_MINUTES,
    CONFIRM_ABOVE_THRESHOLD,
    DESK_NAME,
    LANGUAGE,
    LOG_LEVEL,
    RECENT_LOOKUPS,
    SETTINGS_BY_KEY,
    THEME,
    TRANSLATION_CONTEXT,
    Settings,
    SettingValueError,
    default_desk_name,
)


def test_declarations_are_complete_and_consistent() -> None:
    keys = [s.key for s in ALL_SETTINGS]
    assert len(set(keys)) == len(keys)
    assert set(SETTINGS_BY_KEY) == set(keys)
    for s in ALL_SETTINGS:
        assert s.check(s.default) is None, s.key
        assert s.label.strip()
        assert s.help.strip()
        assert s.context == TRANSLATION_CONTEXT
        assert all(c.label.strip() for c in s.choices)
    assert [c.value for c in LANGUAGE.choices] == ["system", "en", "fr"]
    assert [c.value for c in THEME.choices] == ["system", "light", "dark"]


def test_defaults_without_a_file(paths: AppPaths) -> None:
    s = Settings(paths.config_dir)
    assert s.get(LANGUAGE) == "system"
    assert s.get(CONFIRM_ABOVE_THRESHOLD) is True
    assert s.get(RECENT_LOOKUPS) == 20
    assert s.is_default(THEME)
    assert not paths.settings_file.exists()  # reading creates nothing
    assert dict((k.key, v) for k, v in s) == {x.key: x.default for x in ALL_SETTINGS}


def test_set_persists_atomically(paths: AppPaths) -> None:
    s = Settings(paths.config_dir)
    s.set(LANGUAGE, "fr")
    s.set(RECENT_LOOKUPS, 0)
    s.set_value("theme", "dark")
    again = Settings(paths.config_dir)
    assert again.get(LANGUAGE) == "fr"
    assert again.get(RECENT_LOOKUPS) == 0
    assert again.value("theme") == "dark"
    assert os.stat(paths.settings_file).st_mode & 0o077 == 0
    again.reset(THEME)
    assert Settings(paths.config_dir).get(THEME) == "system"


@pytest.mark.parametrize(
    ("setting", "value", "rule"),
    [
        (LANGUAGE, "de", BrokenRule(RuleCode.ONE_OF, choices=("system", "en", "fr"))),
        (RECENT_LOOKUPS, -1, BrokenRule(RuleCode.AT_LEAST, min=0)),
        (RECENT_LOOKUPS, 201, BrokenRule(RuleCode.AT_MOST, max=200)),
        (RECENT_LOOKUPS, True, BrokenRule(RuleCode.WHOLE_NUMBER)),
        (CONFIRM_ABOVE_THRESHOLD, "yes", BrokenRule(RuleCode.ON_OR_OFF)),
        (LOG_LEVEL, 10, BrokenRule(RuleCode.TEXT)),
        (DESK_NAME, "", BrokenRule(RuleCode.NOT_BLANK)),
        (DESK_NAME, "   ", BrokenRule(RuleCode.NOT_BLANK)),
        (DESK_NAME, "Front\ndesk", BrokenRule(RuleCode.NO_CONTROL_CHARS)),
        (DESK_NAME, "Front\x7f", BrokenRule(RuleCode.NO_CONTROL_CHARS)),
        (DESK_NAME, "Front\u200bdesk", BrokenRule(RuleCode.NO_CONTROL_CHARS)),
        (DESK_NAME, " Front desk", BrokenRule(RuleCode.NO_EDGE_SPACES)),
        (DESK_NAME, "x" * 41, BrokenRule(RuleCode.MAX_CHARS, max=40)),
        (CARD_PAGE_RELEASE_MINUTES, -1, BrokenRule(RuleCode.AT_LEAST, min=0)),
        (CARD_PAGE_RELEASE_MINUTES, 1441, BrokenRule(RuleCode.AT_MOST, max=1440)),
        (CARD_PAGE_RELEASE_MINUTES, 2.5, BrokenRule(RuleCode.WHOLE_NUMBER)),
        (DESK_NAME, 7, BrokenRule(RuleCode.TEXT)),
    ],
)
def test_bad_value_refused_with_label(
    paths: AppPaths, setting: object, value: object, rule: BrokenRule
) -> None:
    s = Settings(paths.config_dir)
    with pytest.raises(SettingValueError) as info:
        s.set(setting, value)  # type: ignore[arg-type]
    assert info.value.rule == rule
    assert info.value.rule.code is rule.code
    assert str(info.value) == f"{info.value.setting.label}: {rule}"
    assert not paths.settings_file.exists()


def test_bad_values_in_file_fall_back_with_warning(
    paths: AppPaths, caplog: pytest.LogCaptureFixture
) -> None:
    paths.ensure_config_dir()
    paths.settings_file.write_text(
        json.dumps(
            {
                "schema": 1,
                "values": {
                    "language": "klingon",
                    "theme": "dark",
                    "recent_lookups": "many",
                    "future_option": {"x": [1, 2]},
                },
            }
        )
    )
    with caplog.at_level(logging.WARNING, logger="iotpay_desk.core.settings"):
        s = Settings(paths.config_dir)
    assert s.get(LANGUAGE) == "system"
    assert s.get(THEME) == "dark"
    assert s.get(RECENT_LOOKUPS) == 20
    assert "setting language must be system or en or fr" in caplog.text
    assert "setting recent_lookups must be a whole number" in caplog.text
    # Unknown keys (a newer version's) survive a save by this version.
    s.set(LOG_LEVEL, "DEBUG")
    saved = json.loads(paths.settings_file.read_text())["values"]
    assert saved["future_option"] == {"x": [1, 2]}
    assert saved["log_level"] == "DEBUG"
    assert saved["theme"] == "dark"


def test_corrupt_file_kept_aside_and_defaults_used(
    paths: AppPaths, caplog: pytest.LogCaptureFixture
) -> None:
    paths.ensure_config_dir()
    paths.settings_file.write_bytes(b'{"values": {"theme": "da')
    with caplog.at_level(logging.WARNING):
        s = Settings(paths.config_dir)
    assert s.get(THEME) == "system"
    (kept,) = paths.config_dir.glob("settings.json.corrupt-*")
    assert kept.read_bytes() == b'{"values": {"theme": "da'
    assert "settings.json could not be read (not valid JSON)" in caplog.text
    s.set(THEME, "light")
    assert Settings(paths.config_dir).get(THEME) == "light"


def test_failed_save_keeps_previous_value(paths: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings(paths.config_dir)
    s.set(THEME, "light")

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        s.set(THEME, "dark")
    monkeypatch.undo()
    assert s.get(THEME) == "light"
    assert Settings(paths.config_dir).get(THEME) == "light"


def test_desk_name_defaults_to_the_host_name(paths: AppPaths) -> None:
    s = Settings(paths.config_dir)
    assert s.get(DESK_NAME) == default_desk_name()
    assert DESK_NAME.check(s.get(DESK_NAME)) is None
    assert default_desk_name("caisse-1.local") == "caisse-1.local"
    assert default_desk_name("a\x00b\tc ") == "abc"
    assert default_desk_name("n" * 80) == "n" * 40
    assert default_desk_name("\x01\x02") == "Desk"
    s.set(DESK_NAME, "Caisse avant — Montréal")
    s.set(DESK_NAME, "x" * 40)
    assert Settings(paths.config_dir).get(DESK_NAME) == "x" * 40


def test_the_card_pages_are_released_after_five_idle_minutes_by_default(paths: AppPaths) -> None:
    s = Settings(paths.config_dir)
    assert s.get(CARD_PAGE_RELEASE_MINUTES) == 5
    s.set(CARD_PAGE_RELEASE_MINUTES, 0)  # kept ready until the desk quits
    assert Settings(paths.config_dir).get(CARD_PAGE_RELEASE_MINUTES) == 0
    assert CARD_PAGE_RELEASE_MINUTES.zero_label
    with pytest.raises(SettingValueError) as info:
        s.set(CARD_PAGE_RELEASE_MINUTES, 24 * 60 + 1)
    assert str(info.value) == ("Free card page memory after (minutes): must be at most 1440")
    assert Settings(paths.config_dir).get(CARD_PAGE_RELEASE_MINUTES) == 0
