"""Image mirroring against a real HTTP server on 127.0.0.1."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articles.images import download, sniff_image_type
from articles.importer import ImportOptions, import_document
from articles.models import MirroredImage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


class ImageHost(BaseHTTPRequestHandler):
    """Serves a few images, fails on purpose on others, and remembers every request's headers."""

    requests: list = []
    flaky_failures: dict = {}

    def do_GET(self):
        self.requests.append((self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        if path == "/flaky.png" and self.flaky_failures.get(path, 0) < 1:
            self.flaky_failures[path] = self.flaky_failures.get(path, 0) + 1
            return self.answer(503, b"try again", "text/plain")
        if path == "/slow.png":
            time.sleep(1)
        body, content_type = {
            "/cover.jpg": (JPEG, "image/jpeg"),
            "/a.png": (PNG, "image/png"),
            "/same-as-a.png": (PNG, "image/png"),
            "/flaky.png": (PNG, "image/png"),
            "/slow.png": (PNG, "image/png"),
            "/evil.svg": (SVG, "image/svg+xml"),
            "/lying.png": (SVG, "image/png"),
            "/huge.png": (PNG + b"\x00" * 5000, "image/png"),
        }.get(path, (None, None))
        if body is None:
            return self.answer(404, b"not found", "text/plain")
        self.answer(200, body, content_type)

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_host(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS = True
    settings.ARCHIVE_IMAGE_RETRY_DELAY = 0
    settings.ARCHIVE_IMAGE_RETRIES = 1
    settings.ARCHIVE_IMAGE_TIMEOUT = 0.5
    settings.ARCHIVE_IMAGE_MAX_BYTES = 1000
    ImageHost.requests, ImageHost.flaky_failures = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), ImageHost)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def article_with_images(base, *paths):
    body = "\n\n".join(f"段落 {n}。![](%s%s)" % (base, path) for n, path in enumerate(paths))
    return (
        f"# 有图的文章\n\n文章作者: 图片号\n发布时间: 2024-01-01 10:00\n"
        f"原文链接: https://example.com/with-images\n\n封面图链接: {base}/cover.jpg\n\n{body}\n"
    ).encode()


@pytest.mark.django_db
def test_cover_and_body_images_are_mirrored_and_the_html_points_at_the_copies(image_host):
    data = article_with_images(image_host, "/a.png", "/same-as-a.png", "/flaky.png")
    result = import_document(data, filename="images.md", options=ImportOptions(mirror_images=True))

    article = result.article
    article.refresh_from_db()
    assert sorted(result.images.mirrored) == sorted(
        f"{image_host}{path}" for path in ("/cover.jpg", "/a.png", "/same-as-a.png", "/flaky.png")
    )
    assert result.images.failed == []
    # The Markdown keeps the original; the rendered page uses our copy, stored by content hash.
    assert f"{image_host}/a.png" in article.body
    assert image_host not in article.body_html
    copy = MirroredImage.objects.get(source_url=f"{image_host}/a.png")
    assert copy.file.name.startswith(f"images/{copy.sha256[:2]}/{copy.sha256}") and copy.file.name.endswith(".png")
    assert f'src="{copy.file.url}"' in article.body_html
    # Two URLs with the same bytes share one file.
    assert MirroredImage.objects.get(source_url=f"{image_host}/same-as-a.png").file.name == copy.file.name
    assert article.cover_src == article.cover_image.file.url and article.cover_src.endswith(".jpg")
    # No request told the image host where the article lives.
    assert all("Referer" not in headers for _, headers in ImageHost.requests)
    assert [path for path, _ in ImageHost.requests].count("/flaky.png") == 2  # retried once


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/evil.svg", "not a JPEG, PNG, GIF or WebP"),
        ("/lying.png", "not a JPEG, PNG, GIF or WebP"),
        ("/huge.png", "larger than 1,000 bytes"),
        ("/missing.png", "HTTP 404"),
        ("/slow.png", "network error"),
    ],
)
def test_a_failed_download_keeps_the_remote_url_and_is_reported(image_host, path, problem):
    result = import_document(
        article_with_images(image_host, path), filename="bad-image.md", options=ImportOptions(mirror_images=True)
    )
    assert result.outcome == "created"
    [(url, why)] = result.images.failed
    assert url == f"{image_host}{path}" and problem in why
    assert any(problem in warning and url in warning for warning in result.warnings)
    result.article.refresh_from_db()
    assert f'src="{image_host}{path}"' in result.article.body_html
    assert MirroredImage.objects.get(source_url=url).status == MirroredImage.Status.FAILED


@pytest.mark.django_db
def test_mirrored_images_are_not_downloaded_again(image_host):
    data = article_with_images(image_host, "/a.png")
    import_document(data, filename="a.md", options=ImportOptions(mirror_images=True))
    ImageHost.requests.clear()
    result = import_document(data, filename="a.md", options=ImportOptions(mirror_images=True))
    assert result.outcome == "unchanged" and ImageHost.requests == []
    assert sorted(result.images.reused) == [f"{image_host}/a.png", f"{image_host}/cover.jpg"]


def test_private_addresses_are_refused_unless_allowed(settings):
    settings.ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(Exception, match="private or local address"):
        download("http://127.0.0.1:9/x.png")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
def test_raster_types_are_recognised_by_their_bytes(content, expected):
    assert sniff_image_type(content)[0] == expected


@pytest.mark.parametrize("host", ["[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[::1]", "10.0.0.1"])
def test_addresses_that_hide_a_local_one_are_refused(settings, host):
    settings.ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(Exception, match="private or local address"):
        download(f"http://{host}/x.png")


def test_the_connection_goes_to_the_address_that_was_checked(settings, monkeypatch):
    """DNS rebinding: a second lookup could answer with a private address; there is no second lookup."""
    import socket

    settings.ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS = False
    settings.ARCHIVE_IMAGE_RETRIES = 0
    answers = iter(["8.8.4.4", "127.0.0.1"])
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 80))],
    )
    connected_to = []

    def refuse(address, *args, **kwargs):  # records the target; no packet leaves the machine
        connected_to.append(address)
        raise ConnectionRefusedError("test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(Exception, match="network error"):
        download("http://rebind.example/x.png")
    assert connected_to == [("8.8.4.4", 80)]
