"""Secure by default: headers on every response, HTTPS in production (and plain HTTP for a
local run), admin logins throttled against guessing, the Markdown endpoints for staff only,
and templates with nothing inline for the Content-Security-Policy to refuse."""

import json
import os
import re
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from config.security import client_ip

LOGIN = "/admin/login/"
PASSWORD = "a-long-test-password"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_protected(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == policy["object-src"] == policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def editor(db):
    return User.objects.create_superuser("editor", "editor@example.com", PASSWORD)


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_security_headers(client, make_article, editor):
    article = make_article(title="标题")
    article.tags.add("人工智能")
    anonymous = {
        "/": 200,
        article.get_absolute_url(): 200,
        "/tags/": 200,
        "/tags/人工智能/": 200,
        "/people/": 200,
        "/feed/": 200,
        "/tags/人工智能/feed/": 200,
        "/healthz": 200,
        "/static/css/site.css": 200,
        "/no-such-page/": 404,
        LOGIN: 200,
        "/admin/": 302,
        "/markdownx/markdownify/": 302,
    }
    for url, status in anonymous.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert_protected(response)
    client.force_login(editor)
    for url in ["/admin/", "/admin/articles/article/", f"/admin/articles/article/{article.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response)


PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import override_settings

# A deployment serves collected static files; the probe has none to collect and does not need them.
override_settings(
    STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()

client = Client(HTTP_HOST="archive.example.com")

def probe(path, **headers):
    response = client.get(path, **headers)
    return {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "hsts": response.get("Strict-Transport-Security", ""),
        "csp": response.get("Content-Security-Policy", ""),
        "secure_cookies": sorted(name for name, cookie in response.cookies.items() if cookie["secure"]),
        "cookies": sorted(response.cookies),
    }

print(json.dumps({
    "http": probe("/admin/login/"),
    "healthz": probe("/healthz"),
    "forwarded": probe("/admin/login/", HTTP_X_FORWARDED_PROTO="https"),
}))
"""

PRODUCTION = {
    "DJANGO_SECRET_KEY": "production-like-secret-key-that-is-long-and-random-enough-0123456789",
    "DJANGO_ALLOWED_HOSTS": "archive.example.com",
}


def run(args: list[str], env_overrides: dict[str, str], var_dir) -> subprocess.CompletedProcess:
    """A fresh process on the real settings (not the tests'), with only the variables given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "ARCHIVE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        ARCHIVE_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir}/db.sqlite3",
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def probe(env_overrides, var_dir) -> dict:
    result = run(["-c", PROBE], env_overrides, var_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_documented_production_environment_passes_the_deployment_checks(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deployment_checks_fail_when_https_is_turned_off(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, "DJANGO_HTTPS": "0"}, tmp_path
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W004" in result.stderr


def test_production_sends_plain_http_to_https_but_not_the_health_check(tmp_path):
    seen = probe(PRODUCTION, tmp_path)
    assert seen["http"]["status"] == 301
    assert seen["http"]["location"] == "https://archive.example.com/admin/login/"
    assert seen["healthz"]["status"] == 200
    # X-Forwarded-Proto is only believed when the operator says a proxy sets it.
    assert seen["forwarded"]["status"] == 301


def test_behind_a_tls_proxy_production_sends_hsts_and_secure_cookies(tmp_path):
    seen = probe({**PRODUCTION, "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, tmp_path)["forwarded"]
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookies"] == seen["secure_cookies"] == ["csrftoken"]
    assert "upgrade-insecure-requests" in seen["csp"]


def test_a_local_run_stays_on_plain_http(tmp_path):
    (tmp_path / "secret_key").write_text("generated-by-make-run")
    seen = probe({"DJANGO_ALLOWED_HOSTS": "archive.example.com"}, tmp_path)["http"]
    assert seen["status"] == 200
    assert seen["hsts"] == "" and seen["secure_cookies"] == [] and seen["cookies"] == ["csrftoken"]
    assert "upgrade-insecure-requests" not in seen["csp"]


def log_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def fail_until_locked(client: Client, username: str = "editor", **extra):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, username, "wrong-password", **extra)
        assert response.status_code == 200 and "errornote" in response.content.decode()
    return log_in(client, username, "wrong-password", **extra)


def test_repeated_failures_lock_that_user_name_from_that_address(client, editor):
    locked = fail_until_locked(client)
    assert locked.status_code == 429
    assert_protected(locked)
    assert "登录失败次数过多" in locked.content.decode() and "15 分钟" in locked.content.decode()

    # Even the right password is refused now, and no session was opened.
    assert log_in(client, "editor", PASSWORD).status_code == 429
    assert client.get("/admin/").status_code == 302

    # Nobody else is locked out: another user at this address, this user at another.
    User.objects.create_superuser("colleague", "colleague@example.com", PASSWORD)
    assert log_in(Client(), "colleague", PASSWORD).status_code == 302
    assert log_in(Client(), "editor", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302


def test_the_lock_lifts_after_the_cooloff(client, editor):
    assert fail_until_locked(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "editor", "wrong-password")
    assert log_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "editor", "wrong-password").status_code == 200


def test_behind_a_proxy_the_forwarded_client_address_counts(client, editor, settings):
    settings.ARCHIVE_PROXY_COUNT = 1
    assert fail_until_locked(client, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Another reader behind the same proxy is not locked out…
    assert log_in(Client(), "editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    # …and the locked-out one cannot pose as someone else: the proxy's own entry is the one believed.
    spoofed = log_in(Client(), "editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert spoofed.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", "127.0.0.1"),  # no proxy: the header is the client's invention
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.1, 198.51.100.7", "198.51.100.7"),
        (2, "198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.2", "127.0.0.1"),  # fewer entries than proxies: not from our proxies
        (1, "not-an-address", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded_for, expected):
    settings.ARCHIVE_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_the_markdown_endpoints_refuse_anonymous_and_non_staff_users(client, path):
    response = client.post(path, {"content": "**秘密**"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    client.force_login(User.objects.create_user("reader", "reader@example.com", PASSWORD))
    response = client.post(path, {"content": "**秘密**"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "<strong>" not in response.content.decode()


def test_staff_get_the_markdown_preview(client, editor):
    client.force_login(editor)
    response = client.post("/markdownx/markdownify/", {"content": "**秘密**"})
    assert response.status_code == 200 and "<strong>秘密</strong>" in response.content.decode()


def test_templates_carry_nothing_the_content_security_policy_would_refuse():
    """No <style> blocks, style="" or on…="" attributes, javascript: URLs or inline scripts;
    a <script> loads a file, or is data (JSON-LD)."""
    offences = []
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        offences += [f"{path.name}: {m.group()}" for m in re.finditer(r"<style|\sstyle=|\son[a-z]+=|javascript:", text)]
        for script in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in script.group() and "application/ld+json" not in script.group():
                offences.append(f"{path.name}: {script.group()}")
    assert offences == []
