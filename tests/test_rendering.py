"""render_markdown: one pure function for the public page and the admin preview."""

import re
from html.parser import HTMLParser

import pytest

from articles.rendering import plain_text, render_markdown


def test_hard_wrapped_chinese_lines_are_joined_without_spaces():
    html = render_markdown("他曾在多伦多大学师从\n博士攻读博士学位，\n然后去了斯坦福。")
    assert "<p>他曾在多伦多大学师从博士攻读博士学位，然后去了斯坦福。</p>" in html


def test_wrapped_lines_between_latin_words_keep_their_space():
    assert "<p>而 Harrison Kinsley 则是</p>" in render_markdown("而 Harrison\nKinsley 则是")


def test_a_url_wrapped_after_a_hyphen_becomes_one_link():
    html = render_markdown("原文（https://www.linkedin.com/pulse/story-\nilya-sutskever/）：后文")
    assert '<a href="https://www.linkedin.com/pulse/story-ilya-sutskever/" rel="nofollow noopener">' in html
    assert "</a>）：后文" in html


def test_images_load_lazily_and_send_no_referrer():
    html = render_markdown("![](https://mmbiz.qpic.cn/a/640?wx_fmt=png)")
    img = re.search(r"<img [^>]+>", html).group(0)
    assert 'src="https://mmbiz.qpic.cn/a/640?wx_fmt=png"' in img
    assert 'loading="lazy"' in img and 'referrerpolicy="no-referrer"' in img


def test_external_links_are_nofollow_and_local_links_are_not():
    html = render_markdown("[out](https://example.com/) [home](/articles/x/)")
    assert '<a href="https://example.com/" rel="nofollow noopener">out</a>' in html
    assert '<a href="/articles/x/">home</a>' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click]( javascript:alert(1))",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](data:text/html,<script>alert(1)</script>)",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=//evil.example>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "[x](vbscript:msgbox(1))",
        "<<script>script>alert(1)<</script>/script>",
    ],
)
def test_hostile_markdown_renders_harmless(hostile):
    for tag, attributes in elements(render_markdown(hostile)):
        assert tag in {"p", "a", "img", "em", "strong"}, tag
        for name, value in attributes:
            assert not name.startswith("on") and name != "style", name
            if name in {"href", "src"}:
                assert re.match(r"^(https?:|mailto:|/|#|[\w.-]+$)", value or ""), value


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The real elements of ``html`` (escaped text does not count), as the browser parses them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_the_seed_renders_with_its_structure(seed_text):
    html = render_markdown(seed_text.split("\n", 9)[-1])
    assert html.count("<blockquote>") >= 10
    assert "<strong>年轻时代的 IIya</strong>" in html
    assert "<ol>" in html and "<ul>" in html
    assert "Sam Altman 说上话。" in html  # a quote wrapped across two "> " lines joins up
    assert html.count("<img ") == 7


def test_empty_input_renders_empty():
    assert render_markdown("") == ""


def test_plain_text_for_excerpts():
    html = render_markdown("第一段，**重点**。\n\n第二段 <b>x</b> &amp; [链接](https://example.com/)。")
    assert plain_text(html) == "第一段，重点。第二段 <b>x</b> & 链接。"


def test_relinking_stored_html_gives_what_rendering_again_gives(seed_text):
    from articles.rendering import relink
    from articles.wechat import canonical_key

    body = seed_text.split("\n\n", 3)[3]
    linked = "http://mp.weixin.qq.com/s?__biz=MzIyMDA3MjMwNw==&mid=2455853860&idx=1&sn=8b69224cab296d654551c85c8c89f91e"
    local = {canonical_key(linked): "/articles/%E7%AC%AC-2/", "wechat-short:none": "/articles/x/"}
    relinked = relink(render_markdown(body), local)
    assert relinked == render_markdown(body, local_links=local)
    assert relinked.count('href="/articles/%E7%AC%AC-2/"') >= 1
    assert relink(relinked, local) == relinked  # our own pages are left alone
