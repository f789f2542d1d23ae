"""Unsafe values at the edges: URLs with unsafe schemes are refused at import (naming the file
and the line), control characters are dropped, feed summaries are text even to readers that
render them as HTML."""

import html
import re

import pytest

from articles.importer import import_document
from articles.models import Article
from articles.parsing import ImportFormatError, parse_document

from .hostile import executable_parts

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]


def wechat_export(source: str = "https://example.com/a", cover: str = "https://example.com/c.png") -> bytes:
    return (
        f"# 标题\n\n文章作者: 号\n发布时间: 2024-01-01 12:00\n原文链接: {source}\n\n封面图链接: {cover}\n\n正文。\n"
    ).encode()


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_an_unsafe_original_link_is_refused_naming_file_and_line(url):
    with pytest.raises(ImportFormatError) as refused:
        parse_document(wechat_export(source=url), "evil.md")
    assert str(refused.value).startswith("evil.md, line 5: 原文链接")
    assert "is not an http(s) URL" in str(refused.value)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_an_unsafe_cover_is_refused_naming_file_and_line(url):
    with pytest.raises(ImportFormatError) as refused:
        parse_document(wechat_export(cover=url), "evil.md")
    assert str(refused.value).startswith("evil.md, line 7: 封面图链接")
    assert "a cover must be an http(s) image URL" in str(refused.value)


@pytest.mark.parametrize(("key", "line"), [("source", 3), ("cover", 4)])
def test_unsafe_urls_in_front_matter_are_refused_too(key, line):
    document = "---\ntitle: T\nsource: https://example.com/a\ncover: https://example.com/c.png\n---\nbody\n"
    document = re.sub(rf"(?m)^{key}: .*$", f"{key}: ' JaVaScript:alert(1)'", document)
    with pytest.raises(ImportFormatError) as refused:
        parse_document(document.encode(), "clip.md")
    assert refused.value.line == line


@pytest.mark.django_db
def test_a_refused_document_writes_nothing():
    result = import_document(wechat_export(cover="javascript:alert(1)"), filename="evil.md")
    assert result.outcome == "failed" and "evil.md, line 7" in result.error
    assert not Article.objects.exists()


def test_a_cover_that_is_merely_not_a_url_is_left_out_with_a_warning():
    parsed = parse_document(wechat_export(cover="见文末"), "odd.md")
    assert parsed.cover_url == ""
    assert any("封面图链接 '见文末' is not an http(s) URL" in warning for warning in parsed.warnings)


@pytest.mark.django_db
def test_control_characters_are_dropped_at_import_and_never_break_a_feed(client, make_article):
    document = "# 标\x01题\x7f\n\n文章作者: 号\x0b\n原文链接: https://example.com/a\n\n正\x1b文。\n"
    parsed = parse_document(document.encode(), "c.md")
    assert (parsed.title, parsed.account, parsed.body.strip()) == ("标题", "号", "正文。")
    assert any("line 1: 4 control character(s) removed" in warning for warning in parsed.warnings)
    # An editor can still paste one into a title in admin: the feed leaves it out.
    make_article(title="粘贴\x08的标题", excerpt="摘\x1f要")
    page = client.get("/feed/").content.decode()
    assert "<title>粘贴的标题</title>" in page and ">摘要</summary>" in page


@pytest.mark.django_db
def test_a_feed_summary_is_text_even_in_readers_that_render_it_as_html(client, make_article):
    make_article(body="正文 &lt;img src=x onerror=alert(1)&gt; 和 <b>粗</b>")
    summary = re.search(r"<summary type=\"html\">(.*?)</summary>", client.get("/feed/").content.decode()).group(1)
    # The feed reader decodes the XML once and renders the result as HTML: that must be text.
    assert executable_parts(html.unescape(summary)) == []
    assert html.unescape(html.unescape(summary)) == "正文 <img src=x onerror=alert(1)> 和 <b>粗</b>"
