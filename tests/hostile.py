"""The hostile-input corpus (tests/fixtures/xss/payloads.txt), an archive built from it, and a
strict check of HTML and feeds for anything a browser could execute.

Shared by tests/test_hostile_input.py (the HTML as our server sends it) and
tests/browser/test_hostile_input.py (the same pages in Chromium).
"""

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from articles.importer import import_document
from articles.models import Article
from articles.wechat import url_scheme
from people.models import Alias, Mention, NameCandidate, Person

PAYLOADS_FILE = Path(__file__).resolve().parent / "fixtures" / "xss" / "payloads.txt"
SAFE_SCHEMES = {"", "http", "https", "mailto"}
# Attributes whose value a browser loads, follows or submits to.
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster", "background", "cite",
    "ping", "longdesc", "usemap", "manifest", "codebase", "dynsrc", "lowsrc", "icon", "profile", "archive",
    "classid",
}  # fmt: skip
# Elements that run, embed or redirect whatever their attributes say; none belongs on our pages.
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "template", "noscript",
    "animate", "set", "animatemotion", "animatetransform", "foreignobject", "handler", "listener",
}  # fmt: skip
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}

# Payloads that try to leave an attribute value or an element (quotes, </title>, </textarea>,
# </script>, comments): checked in every template context, where the rest are checked in the renderer's.
CONTEXT_BREAKERS = [
    "html-textarea-title-breakout",
    "md-polyglot",
    "md-image-alt-breakout",
    "md-link-title-breakout",
    "html-noscript-mutation",
    "html-comment-attribute-trick",
    "html-a-javascript-newline-and-tab",
    "md-link-control-char-before-scheme",
]


@dataclass(frozen=True)
class Payload:
    id: str
    text: str

    @property
    def one_line(self) -> str:
        """For fields that hold one line: titles, names, tags."""
        return " ".join(self.text.split())


def load_payloads() -> list[Payload]:
    found: list[tuple[str, list[str]]] = []
    for line in PAYLOADS_FILE.read_text(encoding="utf-8").split("\n"):
        if line.startswith("=== "):
            found.append((line[4:].strip(), []))
        elif found:  # lines before the first payload are comments
            found[-1][1].append(line)
    return [Payload(name, "\n".join(lines).rstrip("\n")) for name, lines in found]


PAYLOADS = load_payloads()


def export(payload: Payload, number: int) -> bytes:
    """An export whose title, account, location and body all carry the payload."""
    name = payload.one_line
    lines = [
        f"# {name[:250]}",
        "",
        f"文章作者: {name[:190]}",
        "发布时间: 2024-01-01 12:00",
        f"发布地: {name[:90]}",
        f"原文链接: https://example.com/hostile/{number}",
        "",
        payload.text,
        "",
        "正文到此为止。",
        "",
    ]
    return "\n".join(lines).encode()


def build_hostile_archive() -> list[Article]:
    """One published article per payload, with a tag, a confirmed person (name, alias, headline,
    biography) and a name candidate made of the same payload."""
    articles = []
    for number, payload in enumerate(PAYLOADS):
        result = import_document(export(payload, number), filename=f"{payload.id}.md")
        assert result.article is not None, result.error
        article = result.article
        article.tags.add(payload.one_line[:100])
        person = Person.objects.create(
            name=payload.one_line[:200],
            native_name=payload.one_line[:200],
            headline=payload.one_line[:300],
            bio=payload.text,
        )
        Alias.objects.create(person=person, text=payload.one_line[:200])
        Mention.objects.update_or_create(
            article=article,
            person=person,
            defaults={
                "status": Mention.Status.CONFIRMED,
                "count": 1,
                "context": f"前文{payload.one_line}后文",
                "matched_text": payload.one_line[:200],
            },
        )
        NameCandidate.objects.get_or_create(key=f"hostile-{number}", defaults={"text": payload.one_line[:200]})
        articles.append(article)
    return articles


def import_anthology() -> Article:
    """One published article whose body holds every payload: the whole corpus on one page."""
    body = "\n\n".join(payload.text for payload in PAYLOADS)
    document = (
        f"# 全部载荷\n\n文章作者: 测试号\n发布时间: 2024-01-02 12:00\n原文链接: https://example.com/all\n\n{body}\n"
    )
    result = import_document(document.encode(), filename="anthology.md")
    assert result.article is not None, result.error
    return result.article


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and attributes.get("http-equiv", "").lower() not in {"", "content-type", "x-ua-compatible"}:
            self.problems.append(f"<meta http-equiv={attributes['http-equiv']!r}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            elif name in {"style", "srcdoc"}:
                self.problems.append(f"<{tag} {name}=…>")
            elif name in URL_ATTRIBUTES:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                for url in urls:
                    if url_scheme(url) not in SAFE_SCHEMES:
                        self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = (attributes, [])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag):
        if tag != "script" or self._script is None:
            return
        attributes, content = self._script[0], "".join(self._script[1])
        self._script = None
        kind = attributes.get("type", "").lower()
        if kind in DATA_SCRIPT_TYPES:
            try:
                json.loads(content)
            except ValueError:
                self.problems.append(f"<script type={kind!r}> that is not JSON: {content[:80]!r}")
        elif "src" not in attributes or content.strip():
            self.problems.append(f"inline <script>: {content[:80]!r}")
        elif url_scheme(attributes["src"]) or attributes["src"].startswith("//"):
            self.problems.append(f"<script src={attributes['src']!r}> from another site")


def executable_parts(html: str) -> list[str]:
    """What in ``html`` a browser could run, embed or be redirected by; [] when nothing.

    Same-origin <script src> (the admin's own) and JSON data blocks are allowed; inline
    scripts, event handlers, style attributes, embedding elements, <base>, <meta> refresh
    and URLs with any scheme but http(s) and mailto are not.
    """
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def feed_problems(xml: bytes) -> list[str]:
    """An Atom feed must parse, and what it marks as HTML must pass ``executable_parts``."""
    problems = []
    for element in ElementTree.fromstring(xml).iter():
        if element.get("type") == "html":
            problems += executable_parts(element.text or "")
        if re.sub(r"^\{.*\}", "", element.tag) == "link" and url_scheme(element.get("href", "")) not in SAFE_SCHEMES:
            problems.append(f"feed link {element.get('href')!r}")
    return problems
