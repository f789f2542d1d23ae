"""Production refuses to start half-configured; a local run needs nothing but `make run`."""

import os
import subprocess
import sys

from django.conf import settings

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"


def start(env_overrides, var_dir):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", ARCHIVE_VAR_DIR=str(var_dir), **env_overrides)
    return subprocess.run(
        [sys.executable, "-c", CHECK], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = start({"DJANGO_ALLOWED_HOSTS": "archive.example.com"}, tmp_path)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    result = start({"DJANGO_SECRET_KEY": "x" * 50}, tmp_path)
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_production_with_both_starts(tmp_path):
    result = start({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "archive.example.com"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "['archive.example.com']" in result.stdout


def test_a_local_run_uses_the_generated_key_and_serves_localhost(tmp_path):
    (tmp_path / "secret_key").write_text("generated-by-make-run")
    result = start({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "127.0.0.1" in result.stdout


def test_a_fresh_checkout_generates_its_local_key_once_and_keeps_it(tmp_path):
    assert start({}, tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50 and key_file.stat().st_mode & 0o777 == 0o600
    assert start({}, tmp_path).returncode == 0
    assert key_file.read_text().strip() == key
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind
