"""The hostile corpus in Chromium: on the pages it reaches, nothing runs — no dialog opens,
``window.__xss`` stays unset, and the live DOM holds no handler, no script and no URL a click
would run.

The Content-Security-Policy is bypassed here, so the sanitiser and the templates must hold on
their own; tests/browser/test_security.py shows the policy stopping whatever would get through.
"""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from ..hostile import CONTEXT_BREAKERS, PAYLOADS, build_hostile_archive, import_anthology
from .conftest import open_tab

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
END_OF_PAYLOADS = "所有载荷到此为止"

# What the browser made of the page: handlers, scripts that are not files or data, embedding
# elements, <base>, <meta> refresh, and any link, source or form target that is not http(s) or
# mailto once the browser has resolved it.
LIVE_DOM_PROBLEMS = """() => {
  const problems = [];
  const safe = new Set(["http:", "https:", "mailto:"]);
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"];
  for (const element of document.querySelectorAll("*")) {
    for (const name of element.getAttributeNames()) {
      if (name.startsWith("on") || name === "srcdoc") problems.push(`${element.tagName} ${name}`);
    }
    for (const name of urlAttributes) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      let url;
      try { url = new URL(value, document.baseURI); } catch { continue; }
      if (!safe.has(url.protocol)) problems.push(`${element.tagName} ${name}=${value}`);
    }
  }
  const forbidden = "iframe, frame, object, embed, base, meta[http-equiv], "
    + "script:not([src]):not([type='application/ld+json']):not([type='application/json'])";
  for (const element of document.querySelectorAll(forbidden)) problems.push(element.outerHTML.slice(0, 100));
  return problems;
}"""


@pytest.fixture
def unprotected_tab(browser, live_server):
    """A tab that ignores the Content-Security-Policy, and counts the dialogs anything opens."""
    tab = open_tab(browser, live_server, bypass_csp=True)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    tab.context.close()


def problems_on_page(tab, where: str) -> list[str]:
    problems = tab.evaluate(LIVE_DOM_PROBLEMS)
    if tab.evaluate("() => window.__xss !== undefined"):
        problems.append("window.__xss was set")
    return [f"{where}: {problem}" for problem in problems]


def visit(tab, url: str) -> list[str]:
    tab.goto(url)
    return problems_on_page(tab, url)


def test_readers_and_editors_meet_every_payload_and_nothing_runs(unprotected_tab, live_server, transactional_db):
    """Every payload in an article body (all on one page: each page of its own is checked as
    HTML in tests/test_hostile_input.py), and as titles, names and tags on the lists, on the
    article pages of the payloads that try to break out of their context, in admin and in the
    editor's live preview."""
    archive = dict(zip([payload.id for payload in PAYLOADS], build_hostile_archive(), strict=True))
    anthology = import_anthology()
    tab = unprotected_tab
    polyglot = archive["md-polyglot"]
    urls = [anthology.get_absolute_url(), "/people/", "/tags/"]
    urls += [f"/?page={number}" for number in range(1, len(archive) // 20 + 2)]
    urls += [archive[name].get_absolute_url() for name in CONTEXT_BREAKERS]
    urls += [polyglot.publication.get_absolute_url(), f"/tags/{polyglot.tags.get().slug}/"]
    urls += [mention.person.get_absolute_url() for mention in polyglot.mentions.all()]
    problems = [problem for url in urls for problem in visit(tab, live_server.url + url)]

    User.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    tab.goto(live_server.url + "/admin/login/")
    tab.get_by_label("用户名").fill("editor")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab.locator("#user-tools")).to_contain_text("editor")
    for path in [
        "/admin/articles/article/",
        "/admin/people/mention/",
        "/admin/people/person/",
        "/admin/taggit/tag/",
        "/admin/people/namecandidate/",
        f"/admin/people/person/{polyglot.mentions.get().person_id}/change/",
        f"/admin/articles/article/{polyglot.pk}/change/",
    ]:
        problems += visit(tab, live_server.url + path)

    # The editor types every payload into the Markdown editor; its live preview shows them.
    everything = "\n\n".join(payload.text for payload in PAYLOADS) + f"\n\n{END_OF_PAYLOADS}"
    tab.locator("textarea#id_body").fill(everything)
    expect(tab.locator(".markdownx-preview")).to_contain_text(END_OF_PAYLOADS)
    problems += problems_on_page(tab, "live preview")

    assert problems == []
    assert tab.dialogs == []
    assert tab.console_errors == []
