"""Hostile and pathological documents: each must import or fail cleanly, and quickly.

Shared by the test suite (outcome) and `make bench` (time per file).
"""

HEADER = "# 病态文档\n\n文章作者: 压力测试号\n发布时间: 2024-01-01 10:00\n原文链接: https://example.com/pathological/{name}\n\n"

BODIES = {
    "deep-blockquote": ">" * 50_000 + " 深",
    "nested-brackets": "[" * 50_000 + "x" + "]" * 50_000,
    "unclosed-brackets": "[" * 100_000,
    "nested-parentheses": "[a](" + "(" * 50_000,
    "nested-list-markers": "- " * 5_000 + "x",
    "nested-ordered-lists": "1. " * 5_000 + "x",
    "indented-lists": "\n".join("  " * (i % 200) + "- x" for i in range(5_000)),
    "divs": "<div>" * 20_000 + "x" + "</div>" * 20_000,
    "backticks": "`" * 100_000,
    "asterisks": "*" * 100_000,
    "underscores": "_" * 100_000,
    "emphasis-words": "*a " * 50_000,
    "emphasis-nesting": "*a **b " * 20_000,
    "link-references": "[a]: /u\n" * 10_000 + "[a]" * 10_000,
    "images": "![" * 50_000,
    "autolink": "<http://example.com/" + "a" * 100_000 + ">",
    "bare-urls": "http://example.com/ " * 20_000,
    "table": "|a|b|\n|-|-|\n" + "|x|y|\n" * 20_000,
    "long-line": "字" * 1_000_000,
    "many-lines": "行\n" * 200_000,
    "entities": "&amp;" * 100_000,
    "nul-bytes": "正文\x00正文",
    # Found in review: each of these once made a regex restart at every match (quadratic time).
    "urls-on-one-line": "http://a.com/&amp;" * 20_000,
    "open-link-destinations": "[a](" * 20_000,
    "paragraphs-of-unclosed-brackets": ("[" * 31 + "x\n\n") * 2_000,
}


def documents():
    """(name, bytes) for every case."""
    for name, body in BODIES.items():
        yield name, (HEADER.format(name=name) + body + "\n").encode()
