"""The Content Security Policy: every public page says it, allows no inline
script or style, and gives the browser nothing inline that it would refuse.
tests/browser/test_content_security_policy.py loads the same pages, the admin
and the API docs in Chromium."""

from html.parser import HTMLParser

import pytest
from django.urls import path

from briefings.models import Article
from config.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = {
    "home": "/",
    "meeting list": "/meetings/",
    "meeting": "/meetings/admm-retreat-2025/",
    "actor list": "/actors/",
    "actor": "/actors/mohamed-khaled-nordin/",
    "country list": "/countries/",
    "country": "/countries/malaysia/",
    "topic list": "/topics/",
    "topic": "/topics/cybersecurity/",
    "tracker": "/commitments/?standing=announced",
    "commitment": "/commitments/admm-2025-explore-ai-cooperation-in-defence/",
    "article list": "/articles/",
    "search": "/search/?q=siber",
    "timeline": "/timeline/",
}


class InlineCode(HTMLParser):
    """What a page carries inline that a policy without 'unsafe-inline'
    refuses: script that is not JSON-LD, <style>, style and on* attributes,
    and anything loaded from another site."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.json_ld = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            if (
                attributes.get("type") == "application/ld+json"
                and "src" not in attributes
            ):
                self.json_ld += 1
            elif "src" not in attributes:
                self.found.append(f"<script {attributes}>")
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            if tag in ("script", "link", "img", "iframe") and value.startswith(
                ("http:", "https:", "//")
            ):
                self.found.append(f"<{tag} {name}={value!r}> from another site")


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_a_public_page_has_a_strict_policy_and_nothing_inline(client, seed_corpus, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_strict(response)
    assert inline_code(response.content.decode()).found == []


def test_the_article_reader_with_its_highlights_has_nothing_inline(client, seed_corpus):
    article = Article.objects.published().filter(annotations__isnull=False).first()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert_strict(response)
    page = response.content.decode()
    assert "<mark" in page
    assert inline_code(page).found == []


def test_json_ld_is_the_only_script_on_a_detail_page(client, seed_corpus):
    response = client.get(PUBLIC_PAGES["meeting"])
    parsed = inline_code(response.content.decode())
    assert parsed.json_ld >= 1
    assert parsed.found == []


def test_the_charts_draw_with_classes_not_inline_style(client, seed_corpus):
    response = client.get("/")
    page = response.content.decode()
    assert "<svg" in page
    assert inline_code(page).found == []


def test_a_drafts_preview_for_staff_has_nothing_inline(client, seed_corpus, editor):
    article = Article.objects.published().first()
    article.status = "draft"
    article.save()
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft — not public" in page
    assert inline_code(page).found == []


def test_the_not_found_page_has_a_strict_policy_and_nothing_inline(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(response)
    assert inline_code(response.content.decode()).found == []


def fail(request):
    raise RuntimeError("A deliberate failure, to render the 500 page.")


urlpatterns = [path("fail/", fail), *site_urlpatterns]


def test_the_server_error_page_has_a_strict_policy_and_nothing_inline(
    client, db, settings
):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    assert_strict(response)
    page = response.content.decode()
    assert "Something went wrong" in page
    assert inline_code(page).found == []


def test_the_policy_holds_with_debug_on(client, db, settings):
    # django-csp leaves only Django's own debug 404 and 500 pages alone.
    settings.DEBUG = True
    assert_strict(client.get("/"))


# The pages that are not public get only what their packages need ---------------


def test_the_admin_allows_only_style_attributes_and_one_known_handler(client, editor):
    client.force_login(editor)
    directives = policy(client.get("/admin/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["style-src-attr"] == ["'unsafe-inline'"]
    assert directives["script-src-attr"] == [
        "'unsafe-hashes'",
        "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
    ]


def test_the_sign_in_page_has_the_admins_policy(client, db):
    directives = policy(client.get("/admin/login/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


def test_the_browsable_api_allows_inline_style_and_no_inline_script(client, db):
    response = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]


def test_swagger_ui_loads_its_start_up_script_as_a_file(client, db):
    response = client.get("/api/v1/docs/")
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["img-src"] == ["'self'", "data:"]
    page = response.content.decode()
    assert "?script=" in page
    assert inline_code(page).found == []
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_loads_no_font_from_another_site(client, db):
    response = client.get("/api/v1/redoc/")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["worker-src"] == ["blob:"]
    page = response.content.decode()
    assert "fonts.googleapis.com" not in page
    assert inline_code(page).found == []
