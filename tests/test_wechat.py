import pytest

from articles.wechat import canonical_key, clean_url, is_http_url, wechat_biz

SEED_SOURCE = (
    "http://mp.weixin.qq.com/s?__biz=MzIyMDA3MjMwNw==&mid=2455853887&idx=1&sn=cb3307edc4e5c83b23e46a934932e159"
    "&chksm=80446b23b733e235297229d0cdc14ff2e6bd76bf7913620d5fc5b96021386d4f07f0fd6f3364#rd"
)
SEED_KEY = "wechat:MzIyMDA3MjMwNw==:2455853887:1"


@pytest.mark.parametrize(
    "url",
    [
        SEED_SOURCE,
        SEED_SOURCE.replace("http://", "https://").replace("#rd", "#wechat_redirect"),
        "https://mp.weixin.qq.com/s?idx=1&mid=2455853887&__biz=MzIyMDA3MjMwNw%3D%3D",
        "https://MP.WEIXIN.QQ.COM/s?__biz=MzIyMDA3MjMwNw==&amp;mid=2455853887&amp;idx=1&amp;sn=x&amp;scene=21",
        "https://mp.weixin.qq.com/mp/appmsg/show?__biz=MzIyMDA3MjMwNw==&appmsgid=2455853887&itemidx=1",
    ],
)
def test_every_form_of_a_wechat_article_url_has_one_identity(url):
    assert canonical_key(url) == SEED_KEY


def test_a_different_article_of_the_same_account_has_another_identity():
    assert canonical_key(SEED_SOURCE.replace("idx=1", "idx=2")) != SEED_KEY
    assert canonical_key(SEED_SOURCE.replace("mid=2455853887", "mid=2455853860")) != SEED_KEY


def test_short_links_are_their_own_identity():
    assert canonical_key("https://mp.weixin.qq.com/s/AbC-12_x?scene=1#rd") == "wechat-short:AbC-12_x"


def test_other_urls_are_normalised():
    assert (
        canonical_key("HTTPS://Example.COM:443/a%20b?utm_source=x&b=2&a=1#part") == "https://example.com/a%20b?a=1&b=2"
    )


@pytest.mark.parametrize("url", ["", "not a url", "javascript:alert(1)", "ftp://example.com/x", "/relative", "http://"])
def test_non_http_urls_have_no_identity(url):
    with pytest.raises(ValueError):
        canonical_key(url)
    assert not is_http_url(url)


def test_wechat_biz_is_read_from_article_links():
    assert wechat_biz(SEED_SOURCE) == "MzIyMDA3MjMwNw=="
    assert wechat_biz("https://example.com/?__biz=x") == ""


def test_stored_wechat_urls_lose_the_readers_session_parameters():
    opened_in_app = (
        "https://mp.weixin.qq.com/s?__biz=MzIyMDA3MjMwNw==&amp;mid=2455853887&amp;idx=1&amp;sn=cb33&amp;"
        "key=abc&amp;uin=MTIz&amp;pass_ticket=xyz%2B&amp;appmsg_token=tok&amp;devicetype=iOS17&amp;"
        "version=1800&amp;lang=zh_CN&amp;exportkey=ek#rd"
    )
    assert clean_url(opened_in_app) == (
        "https://mp.weixin.qq.com/s?__biz=MzIyMDA3MjMwNw==&mid=2455853887&idx=1&sn=cb33#rd"
    )
    assert canonical_key(clean_url(opened_in_app)) == SEED_KEY


def test_other_urls_are_stored_as_written():
    assert clean_url("https://example.com/a?key=1&amp;b=2") == "https://example.com/a?key=1&b=2"


def test_malformed_urls_are_left_for_the_caller_to_refuse():
    """Found by hypothesis: urlsplit raises on an unclosed IPv6 bracket."""
    assert clean_url("http://[::1/x") == "http://[::1/x"
    assert not is_http_url("http://[::1/x")
