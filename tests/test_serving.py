"""gunicorn with the production settings: static files, the health check, and a database that
cannot be reached."""

import re

import pytest

from .live import Site, free_port

FAR_FUTURE = "max-age=315360000, public, immutable"


def test_hashed_static_files_are_compressed_and_cached_for_ever(live_site):
    with live_site.serve() as server:
        page = server.get("/").text
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)

        for encoding in ["br", "gzip"]:
            response = server.get(stylesheet, {"Accept-Encoding": encoding})
            assert response.status == 200
            assert response.headers["content-encoding"] == encoding
            assert response.headers["cache-control"] == FAR_FUTURE
            assert "accept-encoding" in response.headers["vary"].lower()

        plain = server.get(stylesheet)
        assert "content-encoding" not in plain.headers and b"{" in plain.body
        # The unhashed name may change meaning with the next deploy: it is not cached for ever.
        assert "immutable" not in server.get("/static/css/site.css").headers["cache-control"]


def test_the_access_log_goes_to_standard_output(live_site):
    with live_site.serve() as server:
        assert server.get("/healthz").status == 200
    assert re.search(r'"GET /healthz HTTP/1\.1" 200', server.log.read_text())


@pytest.mark.parametrize("database", ["postgres", "sqlite"])
def test_an_unreachable_database_is_a_503_page_never_a_traceback(tmp_path, database):
    if database == "postgres":
        url = f"postgres://postgres@127.0.0.1:{free_port()}/nothing-listens-here"
    else:
        url = f"sqlite:///{tmp_path}/no-such-directory/db.sqlite3"
    site = Site(tmp_path, url)
    with site.serve() as server:
        health = server.get("/healthz")
        assert health.status == 503 and health.text == "database unavailable\n"

        for path in ["/", "/articles/some-article/", "/people/", "/tags/", "/feed/"]:
            response = server.get(path)
            assert response.status == 503, path
            assert response.headers["retry-after"] == "30"
            assert "no-store" in response.headers["cache-control"]
            assert "网站暂时无法访问" in response.text and "temporarily unavailable" in response.text
            assert "Traceback" not in response.text and "OperationalError" not in response.text
    # The operator still gets the whole story in the log.
    assert "OperationalError" in server.log.read_text()
