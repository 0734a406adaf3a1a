"""The local stack serves the built workbench beside the API as CloudFront serves it from S3:
files under its folder only, the prefix as index.html, nothing else."""

from __future__ import annotations

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from infra.local.site import StaticSite


def _get(site: StaticSite, path: str, method: str = "GET"):
    return site.respond(Request(EnvironBuilder(path=path, method=method).get_environ()))


def _site(tmp_path) -> StaticSite:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "index.html").write_text("<!doctype html>shell", encoding="utf-8")
    (tmp_path / "app" / "app.js").write_text("export {}", encoding="utf-8")
    (tmp_path / "app" / "provider.html").write_text("<!doctype html>provider", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return StaticSite("/workbench", tmp_path / "app")


def test_the_prefix_is_the_shell_page_and_its_files_have_their_types(tmp_path):
    site = _site(tmp_path)
    shell = _get(site, "/workbench/")
    assert shell.status_code == 200 and shell.get_data(as_text=True).endswith("shell")
    assert shell.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in shell.headers["Content-Security-Policy"]
    script = _get(site, "/workbench/app.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert _get(site, "/workbench").headers["Location"] == "/workbench/"


def test_nothing_outside_the_folder_and_no_writes(tmp_path):
    site = _site(tmp_path)
    assert _get(site, "/workbench/../secret.txt").status_code == 404
    assert _get(site, "/workbench/%2e%2e/secret.txt").status_code == 404
    assert _get(site, "/workbench/missing.js").status_code == 404
    assert _get(site, "/workbench/app.js", method="POST").status_code == 405
    assert site.serves("/workbench/x") and site.serves("/workbench") and not site.serves("/workbenchx")


def test_an_unbuilt_workbench_says_which_make_target_builds_it(tmp_path):
    site = StaticSite("/workbench", tmp_path / "nothing")
    reply = _get(site, "/workbench/")
    assert reply.status_code == 404 and "make workbench" in reply.get_data(as_text=True)


def test_the_provider_page_is_a_file_of_the_same_site_with_the_same_headers(tmp_path):
    site = _site(tmp_path)
    shell, page = _get(site, "/workbench/"), _get(site, "/workbench/provider.html")
    assert page.status_code == 200 and page.get_data(as_text=True).endswith("provider")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Security-Policy"] == shell.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in page.headers["Content-Security-Policy"]  # the photo goes by a plain form
