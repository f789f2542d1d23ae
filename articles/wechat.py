"""The canonical identity of a URL: one function decides when two links name the same article.

A WeChat article is identified by ``__biz`` + ``mid`` + ``idx`` (``sn`` is a signature;
``chksm``, ``scene`` and the fragment are noise; scheme and parameter order do not
matter). The legacy ``/mp/appmsg/show`` form carries the same three values under other
names. The short form ``/s/<token>`` is an identity of its own: it cannot be mapped to
the long form without asking WeChat. Every other URL is identified by its normalised
form.
"""

import functools
import html
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

WECHAT_HOST = "mp.weixin.qq.com"

# Query parameters that only say where a click came from.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "spm", "yclid", "_hsenc", "_hsmi"}
)

_SHORT_TOKEN = re.compile(r"^/s/([A-Za-z0-9_-]+)/?$")

# Parameters WeChat adds to a link opened inside its app: they identify the reader's
# session and account and must never be stored or published.
WECHAT_SESSION_PARAMETERS = frozenset(
    {
        "key", "uin", "pass_ticket", "appmsg_token", "exportkey", "devicetype", "version", "lang", "acctmode",
        "wx_header", "ascene", "clicktime", "enterid", "sessionid", "nettype", "abtest_cookie", "countrycode",
        "fontgear", "session_us", "realreporttime", "from", "isappinstalled", "sharer_shareinfo",
        "sharer_shareinfo_first", "sharer_sharetime", "sharer_shareid", "poc_token", "wx_fmt_token",
    }
)  # fmt: skip


# Pure, and asked again for the same addresses: a document's links when it is parsed, then when
# its HTML is relinked, and the addresses many articles link to.
@functools.lru_cache(maxsize=8192)
def canonical_key(url: str) -> str:
    """Return the canonical identity of ``url``.

    WeChat articles give ``wechat:<biz>:<mid>:<idx>`` or ``wechat-short:<token>``;
    other URLs give their normalised form. Raises ``ValueError`` for anything that is
    not an absolute http(s) URL.
    """
    parts = _split_http_url(url)
    host = (parts.hostname or "").lower()
    if host == WECHAT_HOST:
        key = _wechat_key(parts.path, dict(parse_qsl(parts.query)))
        if key:
            return key
    return _normalised(parts)


def clean_url(url: str) -> str:
    """``url`` as it should be stored: ``&amp;`` unescaped and, on WeChat, without the
    reader's session parameters. Everything else is kept as written."""
    cleaned = html.unescape(url.strip())
    try:
        parts = urlsplit(cleaned)
        hostname = parts.hostname
    except ValueError:  # e.g. "Invalid IPv6 URL": not ours to repair; the caller checks validity.
        return cleaned
    if (hostname or "").lower() != WECHAT_HOST or not parts.query:
        return cleaned
    kept = [item for item in parts.query.split("&") if item and _parameter_name(item) not in WECHAT_SESSION_PARAMETERS]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _parameter_name(item: str) -> str:
    return unquote(item.split("=", 1)[0]).lower()


def wechat_biz(url: str) -> str:
    """The ``__biz`` (account id) of a WeChat article URL, or "" when it has none."""
    try:
        parts = _split_http_url(url)
    except ValueError:
        return ""
    if (parts.hostname or "").lower() != WECHAT_HOST:
        return ""
    return dict(parse_qsl(parts.query)).get("__biz", "").strip()


# What a browser drops before it reads a URL's scheme: leading and trailing C0 controls and
# spaces, and tabs and newlines anywhere (so "java\tscript:" is javascript:).
_URL_EDGE = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_WHITESPACE = re.compile(r"\s")  # what str.isspace() calls whitespace, in one pass of the regex engine


def url_scheme(url: str) -> str:
    """The scheme a browser would see in ``url`` (lower case), or "" for a relative or schemeless one.

    ``url`` as an HTML parser leaves an attribute value: character references already decoded.
    """
    seen = _TAB_OR_NEWLINE.sub("", _URL_EDGE.sub("", url))
    match = _SCHEME.match(seen)
    return match.group(1).lower() if match else ""


def is_http_url(url: str) -> bool:
    try:
        _split_http_url(url)
    except ValueError:
        return False
    return True


def _split_http_url(url: str):
    # Exports copy URLs out of HTML, so `&amp;` is common; a URL never means it literally.
    cleaned = html.unescape(url.strip())
    if _WHITESPACE.search(cleaned):
        raise ValueError(f"{url!r} contains spaces")
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    return parts


def _wechat_key(path: str, query: dict[str, str]) -> str | None:
    path = path.rstrip("/") or "/"
    if path in {"/s", "/mp/appmsg/show"}:
        biz = query.get("__biz", "").strip()
        mid = query.get("mid") or query.get("appmsgid") or ""
        idx = query.get("idx") or query.get("itemidx") or ""
        if biz and mid.isdigit() and idx.isdigit():
            return f"wechat:{biz}:{int(mid)}:{int(idx)}"
        return None
    match = _SHORT_TOKEN.match(path + "/")
    if match:
        return f"wechat-short:{match.group(1)}"
    return None


def _normalised(parts) -> str:
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    port = parts.port
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in TRACKING_PARAMETERS and not name.lower().startswith("utm_")
    ]
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))
