"""Articles written back out: in the seed's export format, or as JSON.

Importing an export into an empty archive reproduces the article (title, times, location,
source identity, body, footer and links); tests/test_export.py holds us to that.
"""

from django.utils import timezone

from .models import Article
from .parsing.document import BEIJING
from .parsing.footer import EXPORT_SEPARATOR


def as_markdown(article: Article) -> str:
    header = [f"文章作者: {article.publication.name}" if article.publication else ""]
    if article.published_at:
        local = timezone.localtime(article.published_at, BEIJING)
        header.append(f"发布时间: {local:%Y-%m-%d %H:%M:%S}" if local.second else f"发布时间: {local:%Y-%m-%d %H:%M}")
    if article.location:
        header.append(f"发布地: {article.location}")
    if article.source_url:
        header.append(f"原文链接: {article.source_url}")
    parts = [f"# {article.title}", "", *[line for line in header if line]]
    if article.cover_url:
        parts += ["", f"封面图链接: {article.cover_url}"]
    parts += ["", article.body.rstrip("\n")]
    if article.footer.strip():
        parts += ["", EXPORT_SEPARATOR, "", article.footer.rstrip("\n")]
    return "\n".join(parts) + "\n"


def as_json(article: Article) -> dict:
    return {
        "title": article.title,
        "slug": article.slug,
        "status": article.status,
        "publication": article.publication.name if article.publication else None,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "location": article.location,
        "source_url": article.source_url,
        "source_key": article.source_key,
        "cover_url": article.cover_url,
        "excerpt": article.excerpt,
        "body": article.body,
        "footer": article.footer,
        "tags": sorted(tag.name for tag in article.tags.all()),
        "links": [
            {
                "url": link.url,
                "target_key": link.target_key,
                "text": link.text,
                "image_url": link.image_url,
                "kind": link.kind,
                "position": link.position,
            }
            for link in article.links.all()
        ],
    }
