"""Every export variation the importer meets, on fixtures written for these tests."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.importer import ImportOptions, import_document
from articles.models import Article
from articles.parsing import ImportFormatError, parse_document, split_footer
from articles.rendering import render_markdown

FIXTURES = Path(__file__).parent / "fixtures"
SOURCE = "http://mp.weixin.qq.com/s?__biz=MzA5OTAwMDAwMQ==&mid=2650000009&idx=1&sn=feed#rd"


def export(title="测试文章", *, header=None, body="正文第一段。\n", newline="\n", bom=False):
    """A document in the seed's format; ``header`` replaces the default header lines."""
    if header is None:
        header = [
            "文章作者: 测试科技评论",
            "发布时间: 2024-05-17 12:58",
            "发布地: 上海",
            f"原文链接: {SOURCE}",
            "",
            "封面图链接: https://mmbiz.qpic.cn/cover/0",
        ]
    text = "\n".join([f"# {title}", "", *header, "", body])
    return (("\ufeff" if bom else "") + text.replace("\n", newline)).encode()


# The seed's format in its real variations


@pytest.mark.parametrize(
    "title",
    [
        "A | B 两家公司",
        "对话｜一位研究员",
        "“引号”里的‘标题’",
        "反斜杠 C:\\Users\\path",
        "发布时间: 这不是一个字段",
        "原文链接: https://example.com/ 也不是",
    ],
)
def test_the_title_line_is_never_read_as_a_field(title):
    parsed = parse_document(export(title), "t.md")
    assert parsed.title == title
    assert parsed.source_url == SOURCE


def test_missing_cover_and_location_lines():
    parsed = parse_document(
        export(header=["文章作者: 号", "发布时间: 2024-05-17 12:58", f"原文链接: {SOURCE}"]), "t.md"
    )
    assert parsed.cover_url == "" and parsed.location == ""


def test_unknown_location_is_stored_empty():
    header = ["文章作者: 号", "发布时间: 2024-05-17 12:58", "发布地: 未知地区", f"原文链接: {SOURCE}"]
    assert parse_document(export(header=header), "t.md").location == ""


def test_headings_in_the_body_stay_in_the_body():
    parsed = parse_document(export(body="# 正文里的标题\n\n段落。\n"), "t.md")
    assert parsed.title == "测试文章"
    assert parsed.body.startswith("# 正文里的标题")


@pytest.mark.parametrize(("newline", "bom"), [("\r\n", False), ("\n", True), ("\r\n", True), ("\r", False)])
def test_line_ends_and_byte_order_marks(newline, bom):
    parsed = parse_document(export(newline=newline, bom=bom), "t.md")
    assert parsed.title == "测试文章"
    assert parsed.published_at == datetime(2024, 5, 17, 4, 58, tzinfo=UTC)
    assert parsed.body == "正文第一段。\n"


def test_hard_breaks_adjacent_bold_and_empty_links_render_cleanly():
    html = render_markdown("第一行  \n第二行 **加入 Memo****Pro****会员** 和 **** 空 [没有地址]() 的链接")
    assert "第一行<br>" in html
    assert "<strong>加入 MemoPro会员</strong>" in html
    assert "****" not in html and "<a" not in html and "没有地址" in html


def test_images_glued_to_text_and_wrapped_image_urls():
    body = (
        "文字![](https://mmbiz.qpic.cn/sz_mmbiz_png/abc/640?wx_fmt=png)紧跟文字\n\n"
        "![](https://mmbiz.qpic.cn/sz_mmbiz_gif/xyzAB\nCDE/640?wx_fmt=gif)\n\n"
        "表情![](https://res.wx.qq.com/mpres/htmledition/images/icon/emotion/\n0.gif)结束\n"
    )
    parsed = parse_document(export(body=body), "t.md")
    assert parsed.images == [
        "https://mmbiz.qpic.cn/sz_mmbiz_png/abc/640?wx_fmt=png",
        "https://mmbiz.qpic.cn/sz_mmbiz_gif/xyzABCDE/640?wx_fmt=gif",
        "https://res.wx.qq.com/mpres/htmledition/images/icon/emotion/0.gif",
    ]
    html = render_markdown(body)
    assert "文字<img" in html and ">紧跟文字" in html


# Footers


@pytest.mark.parametrize(
    "marker",
    [
        "**·END****·******",
        "·END·",
        "-END-",
        "--END--",
        "** _\\--END--_**",
        "— 完 —",
        "— **完** —",
        "© THE END",
        "© THE END 转载请联系原公众号获得授权",
        "\\- END -",
    ],
)
def test_footer_markers_of_the_big_accounts(marker):
    body, footer = split_footer(f"正文第一段。\n\n正文第二段。\n\n{marker}\n\n扫码关注我们\n")
    assert body == "正文第一段。\n\n正文第二段。\n"
    assert footer.startswith(marker) and footer.rstrip().endswith("扫码关注我们")


def test_a_tail_of_promotion_without_a_marker_is_the_footer():
    text = (
        "正文第一段，讲了很多事情。\n\n正文第二段，也讲了很多事情，而且讲得比较长。\n\n"
        "![](https://mmbiz.qpic.cn/qr/0)\n\n长按识别二维码，关注我们\n\n点个在看，分享给朋友\n"
    )
    body, footer = split_footer(text)
    assert body.rstrip().endswith("讲得比较长。")
    assert footer.startswith("![](https://mmbiz.qpic.cn/qr/0)") and "点个在看" in footer


def test_a_tail_of_related_article_cards_without_a_marker_is_the_footer():
    text = (
        "正文第一段，讲了很多事情，足够长的一段正文内容。\n\n正文第二段，也讲了很多事情。\n\n**往期推荐**\n\n"
        "[![](https://mmbiz.qpic.cn/a/0)第一篇](https://mp.weixin.qq.com/s?__biz=X&mid=1&idx=1)  \n"
        "[![](https://mmbiz.qpic.cn/b/0)第二篇](https://mp.weixin.qq.com/s?__biz=X&mid=2&idx=1)\n"
    )
    body, footer = split_footer(text)
    assert body.rstrip().endswith("也讲了很多事情。")
    assert footer.startswith("**往期推荐**")


@pytest.mark.parametrize(
    "ending",
    [
        "![](https://mmbiz.qpic.cn/last-photo/0)",  # an article may end with a picture
        "参考资料：\n\n- [论文](https://arxiv.org/abs/1)\n- [博客](https://openai.com/blog)",  # and with references
        "本文提到 END 和 完 两个字，但不是结尾标记。",
    ],
)
def test_an_ordinary_ending_is_not_mistaken_for_a_footer(ending):
    body, footer = split_footer(f"正文第一段。\n\n{ending}\n")
    assert footer == "" and ending.split("\n")[0] in body


def test_the_footer_is_never_more_than_half_of_a_marker_less_article():
    text = "短正文。\n\n" + "\n\n".join(["扫码关注我们，点个在看"] * 5) + "\n"
    body, footer = split_footer(text)
    assert footer == "" and "扫码" in body


# Web clippers (YAML front matter) and plain Markdown


def test_front_matter_with_english_keys():
    parsed = parse_document((FIXTURES / "clipper-english-keys.md").read_bytes(), "clip.md")
    assert parsed.format == "front-matter"
    assert parsed.title == "“对齐”之后：一位研究员的 | 离职笔记: 第二部分"
    assert parsed.account == "测试科技评论"
    assert parsed.published_at == datetime(2024, 6, 1, 0, 30, tzinfo=UTC)
    # &amp; unescaped, the reader's session parameters gone, the rest as written
    assert parsed.source_url == "https://mp.weixin.qq.com/s?__biz=MzA5OTAwMDAwMQ==&mid=2650000001&idx=2&sn=abc#rd"
    assert parsed.source_key == "wechat:MzA5OTAwMDAwMQ==:2650000001:2"
    assert parsed.body.startswith("这是一篇由网页剪藏工具保存的文章。")
    assert not parsed.needs_review


def test_front_matter_with_chinese_keys():
    parsed = parse_document((FIXTURES / "clipper-chinese-keys.md").read_bytes(), "clip.md")
    assert parsed.title == "中文键名的剪藏"
    assert parsed.account == "某作者"
    assert parsed.published_at == datetime(2024, 6, 2, 1, 15, tzinfo=UTC)
    assert parsed.location == ""
    assert parsed.source_key == "https://example.com/posts/42"


def test_front_matter_falls_back_to_the_clip_time_and_says_so():
    document = b"---\ntitle: T\ncreated: 2024-06-03 10:11\nsource: https://example.com/a\n---\nbody\n"
    parsed = parse_document(document, "clip.md")
    assert parsed.published_at == datetime(2024, 6, 3, 2, 11, tzinfo=UTC)
    assert any("created" in warning for warning in parsed.warnings)


@pytest.mark.parametrize(
    ("document", "line", "problem"),
    [
        (b"---\ntitle: [unclosed\n---\nbody\n", 2, "not valid YAML"),
        (b"---\ntitle: T\nbody without a closing fence\n", 1, "never closed"),
        (b"---\n- a\n- b\n---\nbody\n", 2, "must be `key: value`"),
        (b"---\nsource: https://example.com/\n---\n\nno title anywhere\n", 4, "no `title:`"),
        (b"---\ntitle: T\npublished: someday\n---\nbody\n", 3, "'someday' is not a date"),
        (b"---\ntitle: T\nsource: javascript:alert(1)\n---\nbody\n", 3, "is not an http(s) URL"),
        (b"---\ntitle: T\nsource: http://example.com:99999/a\n---\nbody\n", 3, "is not an http(s) URL"),
        (b"---\ntitle: T\npublished: 2024-02-30\n---\nbody\n", 2, "cannot be read (day is out of range"),
        (b"---\ntitle: T\npublished: 0001-01-01 00:00\n---\nbody\n", 3, "is not a plausible publication date"),
        (b"---\ntitle: " + b"[" * 3000 + b"]" * 3000 + b"\n---\nbody\n", 2, "cannot be read"),
    ],
)
def test_broken_front_matter_fails_clearly(document, line, problem):
    with pytest.raises(ImportFormatError) as raised:
        parse_document(document, "clip.md")
    assert raised.value.line == line and problem in raised.value.problem


def test_plain_markdown_is_a_draft_with_a_warning(db):
    result = import_document((FIXTURES / "plain-note.md").read_bytes(), filename="plain-note.md")
    assert result.outcome == "created"
    article = result.article
    assert article.title == "一份没有元数据的笔记"
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert "# 这是正文里的一级标题" in article.body
    assert any("plain Markdown" in warning for warning in result.warnings)
    again = import_document((FIXTURES / "plain-note.md").read_bytes(), filename="plain-note.md")
    assert again.outcome == "unchanged" and Article.objects.count() == 1


def test_format_is_sniffed_and_can_be_forced():
    seed_like = export()
    assert parse_document(seed_like, "t.md").format == "wechat"
    forced = parse_document(seed_like, "t.md", format_name="markdown")
    assert forced.format == "markdown" and forced.body.startswith("文章作者: 测试科技评论")


# Encodings


def test_gb18030_is_detected_and_said():
    parsed = parse_document((FIXTURES / "gbk-crlf.md").read_bytes(), "gbk.md")
    assert parsed.title == "GBK 编码的文章"
    assert parsed.account == "旧账号"
    assert parsed.body == "这篇文章用 GBK 保存，换行是 CRLF。\n"
    assert any("GB18030" in warning for warning in parsed.warnings)


def test_an_encoding_can_be_named():
    data = (FIXTURES / "gbk-crlf.md").read_bytes()
    assert parse_document(data, "gbk.md", encoding="gbk").title == "GBK 编码的文章"
    with pytest.raises(ImportFormatError, match=r"gbk.md, line \d+: not valid utf-8 \(byte 0x"):
        parse_document(data, "gbk.md", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="unknown encoding 'klingon'"):
        parse_document(data, "gbk.md", encoding="klingon")


def test_utf16_with_a_bom():
    parsed = parse_document(export().decode().encode("utf-16"), "t.md")
    assert parsed.title == "测试文章"


def test_import_options_reach_the_parser(db):
    data = (FIXTURES / "gbk-crlf.md").read_bytes()
    result = import_document(data, filename="gbk.md", options=ImportOptions(encoding="gb18030"))
    assert result.outcome == "created" and result.article.title == "GBK 编码的文章"
