"""Mirror an article's cover and body images into media storage.

Each image is downloaded once (no Referer is sent: WeChat's image host refuses foreign
referrers), checked to be a raster image by its first bytes, whatever the server claims
(SVG can carry script, so it is never stored), capped in size, and stored under its
content hash, so the same picture used by many articles is stored once. A failed
download is recorded and reported, never fatal: the article keeps the remote URL.
"""

import hashlib
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .models import Article, MirroredImage
from .parsing.document import MAX_URL_LENGTH
from .rendering import find_links_and_images
from .wechat import is_http_url

# First bytes of the raster formats we accept, and the extension we store them under.
SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
]
USER_AGENT = "article-archive image mirror"


_TUNNELLED = [ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("2002::/16")]


class DownloadError(Exception):
    pass


class _Retryable(DownloadError):
    pass


@dataclass
class MirrorReport:
    mirrored: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def mirror_article_images(article: Article) -> MirrorReport:
    """Mirror the cover and every body image of ``article``; re-render it to point at the copies."""
    report = MirrorReport()
    urls = [article.cover_url] if article.cover_url else []
    urls += [url for url in find_links_and_images(article.body).images if url not in urls]
    urls = [url for url in urls if is_http_url(url) and len(url) <= MAX_URL_LENGTH]
    images = {}
    for url in urls:
        image = MirroredImage.objects.filter(source_url=url).first()
        if image and image.is_mirrored:
            report.reused.append(url)
        else:
            image = _download_into(image or MirroredImage(source_url=url))
            if image.is_mirrored:
                report.mirrored.append(url)
            else:
                report.failed.append((url, image.error))
        images[url] = image
    article.images.add(*images.values())
    cover = images.get(article.cover_url)
    article.cover_image = cover if cover and cover.is_mirrored else None
    article.save()
    return report


def _download_into(image: MirroredImage) -> MirroredImage:
    try:
        content = download(image.source_url)
        content_type, extension = sniff_image_type(content)
    except DownloadError as error:
        image.status, image.error = MirroredImage.Status.FAILED, str(error)
        image.save()
        return image
    name, digest = store_by_hash(content, extension)
    image.file.name = name
    image.sha256, image.content_type, image.size = digest, content_type, len(content)
    image.status, image.error = MirroredImage.Status.OK, ""
    image.save()
    return image


def store_by_hash(content: bytes, extension: str) -> tuple[str, str]:
    """Store ``content`` once under its SHA-256: (storage name, hex digest)."""
    digest = hashlib.sha256(content).hexdigest()
    name = f"images/{digest[:2]}/{digest}.{extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return name, digest


def raster_type(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG, GIF or WebP, judged by its first bytes; else None."""
    for signature, content_type, extension in SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def sniff_image_type(content: bytes) -> tuple[str, str]:
    found = raster_type(content)
    if found is None:
        raise DownloadError("not a JPEG, PNG, GIF or WebP image (SVG and other formats are not mirrored)")
    return found


def download(url: str) -> bytes:
    """The bytes at ``url``, with retries on network errors and 5xx answers."""
    attempts = settings.ARCHIVE_IMAGE_RETRIES + 1
    for attempt in range(1, attempts + 1):
        try:
            return _fetch(url)
        except _Retryable as error:
            if attempt == attempts:
                raise DownloadError(f"{error} (after {attempts} attempts)") from None
            time.sleep(settings.ARCHIVE_IMAGE_RETRY_DELAY * attempt)
    raise AssertionError("unreachable")


MAX_REDIRECTS = 5


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that passed the check, not to whatever DNS answers next time."""

    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the host name, as for any HTTPS request.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _fetch(url: str) -> bytes:
    limit = settings.ARCHIVE_IMAGE_MAX_BYTES
    for _ in range(MAX_REDIRECTS + 1):
        parts, address = _checked_address(url)
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(
            parts.hostname, parts.port, timeout=settings.ARCHIVE_IMAGE_TIMEOUT, address=address
        )
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            # No Referer: the image host must not learn where we link from.
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308} and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status >= 500 or response.status == 429:
                raise _Retryable(f"HTTP {response.status}")
            if response.status != 200:
                raise DownloadError(f"HTTP {response.status}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise DownloadError(f"larger than {limit:,} bytes")
            content = response.read(limit + 1)
        except (OSError, http.client.HTTPException) as error:
            raise _Retryable(f"network error: {error}") from None
        finally:
            connection.close()
        if len(content) > limit:
            raise DownloadError(f"larger than {limit:,} bytes")
        return content
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects")


def _checked_address(url: str):
    """The URL's parts and the one address we will connect to, after checking it."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise DownloadError(f"not a valid URL: {url}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DownloadError(f"not an http(s) URL: {url}")
    try:
        addresses = [info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port, type=socket.SOCK_STREAM)]
    except socket.gaierror as error:
        raise _Retryable(f"cannot resolve {parts.hostname}: {error.strerror}") from None
    if not settings.ARCHIVE_IMAGE_ALLOW_PRIVATE_HOSTS:
        # Articles are untrusted input: never let them make the server fetch from its own network.
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            # NAT64 and 6to4 addresses can carry a private IPv4 address; Python calls them global.
            if not ip.is_global or any(ip in network for network in _TUNNELLED):
                raise DownloadError(f"{parts.hostname} is a private or local address ({ip})")
    return parts, addresses[0]
