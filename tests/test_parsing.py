"""The parser on the real seed and on broken documents. No database."""

from datetime import UTC, datetime

import pytest

from articles.parsing import ImportFormatError, parse_document, split_footer

SEED_NAME = "000_5ed6fe22a0f5a53e.txt"
BIZ = "MzIyMDA3MjMwNw=="


@pytest.fixture
def parsed(seed_bytes):
    return parse_document(seed_bytes, SEED_NAME)


def test_header_fields(parsed):
    assert parsed.title == "OpenAI 联创 IIya 是谁，为什么要离开 OpenAI？"
    assert parsed.account == "投资实习所"
    assert parsed.published_at == datetime(2024, 5, 17, 4, 58, tzinfo=UTC)
    assert parsed.location == "河北"
    assert parsed.source_url.startswith("http://mp.weixin.qq.com/s?__biz=MzIyMDA3MjMwNw==&mid=2455853887&idx=1")
    assert parsed.source_url.endswith("#rd")
    assert parsed.source_key == f"wechat:{BIZ}:2455853887:1"
    assert parsed.wechat_biz == BIZ
    assert parsed.cover_url == (
        "https://mmbiz.qpic.cn/sz_mmbiz_jpg/sBQys0vjP4p2ZUuNwgDUZlm3Ed51SBZZsnHyLF1mgWdVXVE5O7q7KAI5aGEC2NIu6m"
        "q3TciczLxcFud5RYzl1TQ/300"
    )
    assert parsed.warnings == []


def test_body_starts_after_the_header_and_ends_before_the_footer(parsed):
    assert parsed.body.startswith("前天，OpenAI 联合创始人兼首席科学家 [IIya Sutskever\n宣布离职]")
    assert parsed.body.rstrip().endswith("> IIya：变化是唯一的不变。")
    assert "·END" not in parsed.body
    assert "Memo" not in parsed.body.split("参见 Memo 网站快讯")[1]


def test_footer_keeps_the_boilerplate_from_the_end_marker_on(parsed):
    assert parsed.footer.startswith("**·END****·******")
    for boilerplate in ("加入 Memo", "Memo: Signal, not noise!", "限时 599", "这个给\nVC 用的"):
        assert boilerplate in parsed.footer


def test_nothing_of_the_document_is_thrown_away(parsed, seed_text):
    def words(text):
        return "".join(text.split())

    header_end = seed_text.index("前天，OpenAI")
    assert words(seed_text[header_end:]) == words(parsed.body + parsed.footer)


def _links_by_kind(parsed, kind):
    return [(link.target_key, link.text) for link in parsed.links if link.kind == kind]


def test_inline_links_with_their_target_keys(parsed):
    inline = _links_by_kind(parsed, "inline")
    assert inline == [
        (f"wechat:{BIZ}:2455853860:1", "IIya Sutskever 宣布离职"),
        (
            "https://www.linkedin.com/pulse/story-ilya-sutskever-before-during-after-co-founding-openai-joshi-xhc9f/",
            "https://www.linkedin.com/pulse/story-ilya-sutskever-before-during-after-co-founding-openai-joshi-xhc9f/",
        ),
        (
            "https://github.com/clint-kristopher-morris/Tutorials/blob/main/mixture-of-experts/MoE-Paper-Review.ipynb",
            "https://github.com/clint-kristopher-morris/Tutorials/blob/main/mixture-of-experts/MoE-Paper-Review.ipynb",
        ),
        (f"wechat:{BIZ}:2455852256:1", "技术乐观主义宣言"),
        ("http://vcsmemo.com/", "vcsmemo.com"),
        (f"wechat:{BIZ}:2455853781:1", "邮件订阅功能"),
    ]


def test_related_article_cards_keep_title_and_image(parsed):
    cards = [link for link in parsed.links if link.kind == "related"]
    assert [(card.target_key, card.text) for card in cards] == [
        (f"wechat:{BIZ}:2455853860:1", "OpenAI 联创 IIya 离职创业，首款实时交互式 AI 播客来了"),
        (f"wechat:{BIZ}:2455852256:1", "Marc Andreessen 发布技术乐观主义者宣言：AI 是我们的炼金术"),
        (f"wechat:{BIZ}:2455853839:1", "这个给 VC 用的 AI，可能要取代投资经理了"),
    ]
    assert all(card.image_url.startswith("https://mmbiz.qpic.cn/sz_mmbiz_jpg/") for card in cards)


def test_images_are_found_in_body_and_footer(parsed):
    assert len(parsed.images) == 7
    assert all(src.startswith("https://mmbiz.qpic.cn/") for src in parsed.images)


def test_same_document_gives_same_hash_and_different_document_another(seed_bytes):
    assert parse_document(seed_bytes, "a").sha256 == parse_document(seed_bytes, "b").sha256
    assert parse_document(seed_bytes + b"\n", "a").sha256 != parse_document(seed_bytes, "a").sha256


@pytest.mark.parametrize(
    "marker",
    ["**·END****·******  ", "·END·", "-END-", "— 完 —", "— **完** —", "\\- END -", "© THE END"],
)
def test_footer_markers(marker):
    body, footer = split_footer(f"正文第一段。\n\n{marker}\n\n扫码关注我们")
    assert body == "正文第一段。\n"
    assert footer.startswith(marker.strip()[:3]) and footer.rstrip().endswith("扫码关注我们")


def test_without_a_marker_everything_is_body():
    body, footer = split_footer("一段话，提到 END 这个词。\n\n第二段")
    assert footer == "" and "第二段" in body


def _header(**overrides):
    fields = {
        "title": "# 标题",
        "account": "文章作者: 某公众号",
        "date": "发布时间: 2024-05-17 12:58",
        "source": "原文链接: https://mp.weixin.qq.com/s/abc",
    }
    fields.update(overrides)
    lines = [fields["title"], ""] + [value for key, value in fields.items() if key != "title" and value]
    return "\n".join(lines) + "\n\n正文。\n"


@pytest.mark.parametrize(
    ("document", "line", "problem"),
    [
        (b"", 1, "the file is empty"),
        (b"  \n\t\n", 1, "the file is empty"),
        (b"# title\n\x00\x01\x02binary", 2, "binary data"),
        (b"# title\n\n\xff\xff\xff", 3, "invalid UTF-8 (byte 0xff) and not GB18030 either"),
        (_header(title="标题没有井号").encode(), 1, "expected the title"),
        (_header(title="# ").encode(), 1, "expected the title"),
        (_header(date="发布时间: 2024-13-45 25:61").encode(), 4, "is not a date"),
        (_header(date="发布时间: yesterday").encode(), 4, "is not a date"),
        (_header(source="原文链接: not a url").encode(), 5, "is not an http(s) URL"),
        (_header(source="原文链接: javascript:alert(1)").encode(), 5, "is not an http(s) URL"),
    ],
)
def test_bad_documents_fail_with_file_line_and_problem(document, line, problem):
    with pytest.raises(ImportFormatError) as raised:
        parse_document(document, "bad.md")
    assert raised.value.filename == "bad.md"
    assert raised.value.line == line
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"bad.md, line {line}: ")


def test_oversized_files_are_refused(seed_bytes):
    with pytest.raises(ImportFormatError, match="over the limit"):
        parse_document(seed_bytes, "big.md", max_bytes=1000)


def test_crlf_bom_and_optional_fields():
    document = "\ufeff" + _header(account="文章作者: 号", date="发布时间: 2024-05-17 12:58:09") + ""
    document = document.replace("原文链接", "发布地: 未知地区\n原文链接").replace("\n", "\r\n")
    parsed = parse_document(document.encode("utf-8"), "x.md")
    assert parsed.title == "标题"
    assert parsed.location == ""
    assert parsed.cover_url == ""
    assert parsed.published_at == datetime(2024, 5, 17, 4, 58, 9, tzinfo=UTC)
    assert parsed.body == "正文。\n"


@pytest.mark.parametrize(
    ("missing", "warning"), [("date", "no publication date"), ("source", "no link to the original")]
)
def test_a_missing_date_or_source_makes_a_draft_with_a_warning(missing, warning):
    parsed = parse_document(_header(**{missing: ""}).encode(), "half.md")
    assert parsed.needs_review
    assert any(warning in text for text in parsed.warnings)
