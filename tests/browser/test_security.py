"""The Content-Security-Policy in Chromium: it refuses injected scripts, and our own pages —
public and admin, the Markdown editor's live preview included — never trip it."""

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from playwright.sync_api import expect

from articles.importer import import_document
from people.models import Person

from ..conftest import SEED_PATH

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
TABLE = "| 左 | 右 |\n|:-|-:|\n| 1 | 2 |"
# Every violation of the policy, as the page itself sees it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI || "inline"}`);
});
"""

INJECT = """() => new Promise(resolve => {
  const script = document.createElement("script");
  script.textContent = "window.__xss = 1";
  document.body.append(script);
  const holder = document.createElement("div");
  holder.innerHTML = '<img src="/no-such-image.png" onerror="window.__xss = 2">';
  document.body.append(holder);
  setTimeout(() => resolve(window.__xss === undefined ? null : window.__xss), 500);
})"""


@pytest.fixture
def watched(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page


def violations(page) -> list[str]:
    return page.evaluate("() => window.__violations")


def log_in(page, live_server, password=PASSWORD):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_the_policy_refuses_an_injected_script_and_handler(watched, live_server):
    watched.goto(live_server.url + "/")
    assert watched.evaluate(INJECT) is None
    assert sorted(directive.split()[0] for directive in violations(watched)) == ["script-src-attr", "script-src-elem"]


def test_public_pages_and_every_admin_page_keep_to_the_policy(watched, live_server, transactional_db):
    page = watched
    article = import_document(SEED_PATH.read_bytes(), filename=SEED_PATH.name).article
    article.body = f"{article.body}\n\n{TABLE}\n"
    article.save()
    Person.objects.create(name="Ilya Sutskever")
    Person.objects.create(name="Ilya S.")
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)

    page.goto(live_server.url + article.get_absolute_url())
    # Table alignment comes from the stylesheet (a class), not from a refused style attribute.
    expect(page.locator(".prose td").last).to_have_css("text-align", "right")
    seen = {article.get_absolute_url(): violations(page)}

    log_in(page, live_server)
    for path in [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/import/",
        "/admin/articles/article/wanted/",
        "/admin/articles/article/duplicates/",
        "/admin/people/mention/",
        "/admin/people/namecandidate/",
    ]:
        page.goto(live_server.url + path)
        seen[path] = violations(page)

    # The bulk actions' own pages: tags for articles, merging people.
    for path, action in [("/admin/articles/article/", "change_tags"), ("/admin/people/person/", "merge")]:
        page.goto(live_server.url + path)
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option(action)
        page.locator("button[name=index]").click()
        expect(page.locator("#content form")).to_be_visible()
        seen[action] = violations(page)

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.locator("textarea#id_body").fill(f"## 表格\n\n{TABLE}")
    expect(page.locator(".markdownx-preview td").last).to_have_text("2")
    seen["markdown preview"] = violations(page)

    assert {where: found for where, found in seen.items() if found} == {}
    assert page.console_errors == []


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_locked_out_editor_sees_when_to_try_again(watched, live_server, transactional_db):
    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    log_in(watched, live_server, password="wrong")
    expect(watched.locator(".errornote")).to_be_visible()
    log_in(watched, live_server, password="wrong")
    expect(watched.locator(".errornote")).to_contain_text("登录失败次数过多")
    expect(watched.locator(".errornote")).to_contain_text("15 分钟")
    log_in(watched, live_server)
    expect(watched.locator(".errornote")).to_contain_text("登录失败次数过多")
    assert violations(watched) == []
