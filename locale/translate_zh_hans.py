"""Fill the zh-Hans catalogue from the table below, then compile it.

    .venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete
    .venv/bin/python locale/translate_zh_hans.py   # needs `pip install polib`

Keeping the translations in one reviewable table makes a missing string fail loudly
(tests/test_i18n.py checks that every message has a translation).
"""

from pathlib import Path

import polib

CATALOGUE = Path(__file__).parent / "zh_Hans" / "LC_MESSAGES" / "django.po"

ZH_HANS = {
    "articles": "文章",
    "Articles": "文章",
    "article": "文章",
    "Content": "内容",
    "Source": "来源",
    "published": "已发布",
    "Published": "已发布",
    "Draft": "草稿",
    "links": "链接",
    "link": "链接",
    "Publish the selected articles": "发布所选文章",
    "%d article published.": "已发布 %d 篇文章。",
    "%d article has no publication date and stays a draft.": "%d 篇文章没有发布时间，仍为草稿。",
    "Return the selected articles to draft": "将所选文章改回草稿",
    "%d article is a draft now.": "%d 篇文章已改为草稿。",
    "name": "名称",
    "slug": "网址名",
    "WeChat __biz": "微信 __biz",
    "The account's id in WeChat article links (the __biz parameter), when known.": "公众号在微信文章链接中的标识（__biz 参数），已知时填写。",
    "description": "简介",
    "publication": "公众号",
    "publications": "公众号",
    "title": "标题",
    "The last part of the article's address. Chinese characters are fine.": "文章网址的最后一段，可以使用中文。",
    "status": "状态",
    "published at": "发布时间",
    "When the original was published.": "原文的发布时间。",
    "location": "发布地",
    "发布地, when known.": "发布地（已知时）。",
    "original link": "原文链接",
    "source identity": "来源标识",
    "Canonical identity of the original link; re-imports of the same article match on it.": "原文链接的规范标识；再次导入同一篇文章时据此匹配。",
    "cover image": "封面图",
    "body": "正文",
    "Markdown.": "Markdown 格式。",
    "excerpt": "摘要",
    "A sentence or two for lists and sharing. Left empty, the body's opening is used.": "用于列表和分享的一两句话。留空时使用正文开头。",
    "footer": "文末内容",
    "The original's closing boilerplate (promotion, subscription pitch, related cards), kept as Markdown.": "原文末尾的固定内容（推广、订阅介绍、相关文章卡片），以 Markdown 保存。",
    "source file SHA-256": "源文件 SHA-256",
    "imported at": "导入时间",
    "created at": "创建时间",
    "updated at": "更新时间",
    "tags": "标签",
    "Tags": "标签",
    "A published article needs a publication date.": "已发布的文章必须有发布时间。",
    "In the text": "正文链接",
    "Related article card": "相关文章卡片",
    "Added by an editor": "编辑添加",
    "URL": "网址",
    "As written in the article.": "文章中的原样写法。",
    "target identity": "目标标识",
    "archived target": "已存档的目标文章",
    "text": "文字",
    "Anchor text or card title.": "链接文字或卡片标题。",
    "card image": "卡片图片",
    "kind": "类型",
    "position": "位置",
    "Enter an absolute http(s) address.": "请输入完整的 http(s) 网址。",
    "confirmed mentions": "已确认的提及",
    "People": "人物",
    "people": "人物",
    "person": "人物",
    "The name readers know, e.g. Ilya Sutskever.": "读者熟知的名字，例如 Ilya Sutskever。",
    "native name": "本名",
    "The name in its own script, e.g. 吴恩达.": "以其母语文字书写的名字，例如 吴恩达。",
    "headline": "一句话介绍",
    "One line: who they are, e.g. OpenAI co-founder.": "一句话说明此人是谁，例如 OpenAI 联合创始人。",
    "biography": "生平简介",
    "Full name": "全名",
    "Given name": "名",
    "Family name": "姓",
    "Nickname": "昵称",
    "Transliteration": "音译名",
    "As written, e.g. 马斯克 or Ilya.": "原样写法，例如 马斯克 或 Ilya。",
    "match key": "匹配键",
    "language": "语言",
    "e.g. en, zh.": "例如 en、zh。",
    "ambiguous on its own": "单独出现时有歧义",
    "A first name like Satya or Demis: counts only next to an unambiguous mention or once confirmed.": "像 Satya 或 Demis 这样的名字：只有在同文有明确提及或经编辑确认后才计数。",
    "alias": "别名",
    "aliases": "别名",
    "Suggested": "待确认",
    "Confirmed": "已确认",
    "Rejected": "已否决",
    "Detected": "自动识别",
    "origin": "来源",
    "count": "次数",
    "spans": "位置",
    "[start, end] offsets into the body, for highlighting.": "正文中的 [起, 止] 偏移量，用于高亮。",
    "context": "上下文",
    "A short excerpt around the first match.": "首次出现处附近的简短摘录。",
    "mention": "提及",
    "mentions": "提及",
    "Page not found": "找不到这个页面",
    "There is no page at this address. It may have moved, or the article may not be published.": "这个网址没有对应的页面。它可能已经移动，或者文章尚未发布。",
    "Go to the latest articles": "去看最新文章",
    "Draft: only editors can see this page.": "草稿：只有编辑能看到这个页面。",
    "Read the original": "阅读原文",
    "Links in this article": "文中链接",
    "not archived yet": "尚未存档",
    "Latest articles": "最新文章",
    "No articles have been published yet.": "还没有发布任何文章。",
    "No published articles from this publication yet.": "这个公众号还没有已发布的文章。",
    "Tagged “%(name)s”": "标签“%(name)s”",
    "No published articles have this tag yet.": "还没有带这个标签的已发布文章。",
    "Article archive": "文章档案馆",
    "An archive of articles from WeChat official accounts, and the people they talk about.": "微信公众号文章档案馆，以及文章中谈到的人物。",
    "Skip to content": "跳到正文",
    "Editors' desk": "编辑部",
    "Articles are archived from their original publications; every article links to its original.": "文章存档自原公众号，每篇文章都附有原文链接。",
    "Published from %(location)s": "发布于%(location)s",
    "Pages": "分页",
    "Newer": "较新",
    "Page %(number)s of %(total)s": "第 %(number)s 页，共 %(total)s 页",
    "Older": "较早",
    "No published article mentions this person yet.": "还没有提到此人的已发布文章。",
    "Import articles": "导入文章",
    "These uploads are gone; upload the files again.": "上传的文件已失效，请重新上传。",
    "Exported articles": "导出的文章",
    "One or more Markdown files (.md, .markdown, .txt), as exported from WeChat or a web clipper.": "一个或多个 Markdown 文件（.md、.markdown、.txt），由公众号导出工具或网页剪藏工具生成。",
    "Keep new articles as drafts": "新文章保存为草稿",
    "Take the source's body even where an editor changed it": "即使编辑改过正文，也使用源文件的正文",
    "mirrored cover": "本地封面",
    "imported body SHA-256": "导入正文 SHA-256",
    "Mirrored": "已保存",
    "Failed": "失败",
    "original URL": "原始网址",
    "file": "文件",
    "SHA-256": "SHA-256",
    "content type": "内容类型",
    "size in bytes": "大小（字节）",
    "error": "错误",
    "fetched at": "下载时间",
    "mirrored image": "本地图片",
    "mirrored images": "本地图片",
    "Home": "首页",
    "Nothing has been written yet. This is what importing these files would do:": "还没有写入任何内容。导入这些文件将会：",
    "File": "文件",
    "Result": "结果",
    "Article": "文章",
    "Footer": "文末内容",
    "Links": "链接",
    "Warnings": "提示",
    "no date": "无日期",
    "Already archived as": "已存档为",
    "Import these files": "导入这些文件",
    "Start over": "重新开始",
    "Preview": "预览",
}


def main():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = []
    for entry in catalogue:
        translation = ZH_HANS.get(entry.msgid)
        if translation is None:
            missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: translation}
        else:
            entry.msgstr = translation
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.metadata["Language"] = "zh_Hans"
    catalogue.save()
    catalogue.save_as_mofile(str(CATALOGUE.with_suffix(".mo")))
    if missing:
        raise SystemExit("untranslated:\n" + "\n".join(missing))


if __name__ == "__main__":
    main()
