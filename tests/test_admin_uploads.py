"""The Markdown editor's image upload and live preview, as markdownx's script calls them."""

import hashlib
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .desk import make_editor

pytestmark = pytest.mark.django_db

UPLOAD = "/markdownx/upload/"
PREVIEW = "/markdownx/markdownify/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def editor(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(make_editor())
    return client


def picture(kind: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def upload(client, name: str, data: bytes, content_type: str):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, data, content_type=content_type)}, **AJAX)


@pytest.mark.parametrize(("kind", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")])
def test_raster_images_are_stored_under_their_content_hash(editor, settings, kind, extension):
    data = picture(kind)
    digest = hashlib.sha256(data).hexdigest()
    # The declared name and type do not matter; the bytes do.
    response = upload(editor, "photo.bin", data, "application/octet-stream")
    assert response.status_code == 200
    url = f"/media/images/{digest[:2]}/{digest}.{extension}"
    assert response.json() == {"image_code": f"![]({url})"}
    assert (Path(settings.MEDIA_ROOT) / url.removeprefix("/media/")).read_bytes() == data
    # The same picture again is the same file.
    assert upload(editor, "again.png", data, "image/png").json() == {"image_code": f"![]({url})"}
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.*"))) == 1


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("evil.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        ("page.png", b"<!doctype html><script>alert(1)</script>", "image/png"),
        ("fake.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "image/png"),
        ("page.html", b"GIF89a<script>window.__xss=1</script>", "image/gif"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/gif"),
        ("empty.png", b"", "image/png"),
    ],
)
def test_anything_but_a_real_raster_image_is_refused(editor, settings, name, data, content_type):
    response = upload(editor, name, data, content_type)
    assert response.status_code == 400 and "image" in response.json()
    assert not Path(settings.MEDIA_ROOT).exists() or not list(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_images_over_the_size_cap_are_refused(editor, settings):
    data = picture("PNG")
    settings.ARCHIVE_UPLOAD_MAX_BYTES = len(data) - 1
    response = upload(editor, "big.png", data, "image/png")
    assert response.status_code == 400 and "图片大于" in response.json()["image"][0]
    settings.ARCHIVE_UPLOAD_MAX_BYTES = len(data)
    assert upload(editor, "big.png", data, "image/png").status_code == 200


HOSTILE = """# 标题

<script>alert(1)</script>
<img src=x onerror=alert(1)>
[点我](javascript:alert(1))
<a href="javascript:alert(2)">也点我</a>
![x](javascript:alert(3))
<iframe src="https://evil.example/"></iframe>
<div style="background:url(javascript:alert(4))" onclick="alert(5)">块</div>
"""


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_the_preview_is_the_public_renderer_and_hostile_markdown_stays_harmless(editor):
    response = editor.post(PREVIEW, {"content": HOSTILE})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>标题</h1>" in html and "点我" in html
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in {"script", "iframe", "object", "embed", "style"}, tag
        assert not [name for name in attrs if name.startswith("on") or name == "style"], (tag, attrs)
        for name in ("href", "src"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript"), (tag, attrs)


def test_the_preview_joins_hard_wrapped_chinese_as_the_article_page_does(editor):
    html = editor.post(PREVIEW, {"content": "多伦多大学\n师从 **Geoff Hinton**"}).content.decode()
    assert "多伦多大学师从 <strong>Geoff Hinton</strong>" in html
