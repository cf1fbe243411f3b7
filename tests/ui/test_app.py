"""Flags and settings of ``python app.py``."""

from __future__ import annotations

from pathlib import Path

from app import parse_settings


def test_defaults_bind_to_loopback_7860(monkeypatch):
    monkeypatch.delenv("GUIDES_APP__PORT", raising=False)
    settings, verbose = parse_settings([])
    assert (settings.app.host, settings.app.port, settings.app.uploads_enabled, verbose) == ("127.0.0.1", 7860, True, False)


def test_flags_override_the_settings(tmp_path):
    settings, _ = parse_settings(
        ["--host", "0.0.0.0", "--port", "8001", "--generator", "extractive", "--data-dir", str(tmp_path), "--no-uploads", "-v"]
    )
    assert (settings.app.host, settings.app.port, settings.app.uploads_enabled) == ("0.0.0.0", 8001, False)
    assert settings.generator.kind == "extractive"
    assert settings.data_dir == Path(tmp_path).resolve()


def test_environment_still_applies_where_no_flag_is_given(monkeypatch):
    monkeypatch.setenv("GUIDES_APP__PORT", "9123")
    monkeypatch.setenv("GUIDES_APP__UPLOADS_ENABLED", "false")
    settings, _ = parse_settings(["--host", "127.0.0.2"])
    assert (settings.app.host, settings.app.port, settings.app.uploads_enabled) == ("127.0.0.2", 9123, False)
