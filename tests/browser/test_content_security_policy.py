"""The Content Security Policy in a real browser: the public pages, the admin
pages an editor works in and the API's docs load without one violation, and
the admin's scripts still work under it.

Chromium reports a blocked script, style or image both as a
`securitypolicyviolation` event and as a console error; both are collected.
"""

import pytest
import reversion
from django.core.management import call_command

from briefings.models import Article, Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests/factories.py's UserFactory

PUBLIC_PAGES = [
    "/",
    "/meetings/",
    "/meetings/admm-retreat-2025/",
    "/actors/",
    "/actors/mohamed-khaled-nordin/",
    "/countries/",
    "/countries/malaysia/",
    "/topics/",
    "/topics/cybersecurity/",
    "/commitments/",
    "/commitments/admm-2025-explore-ai-cooperation-in-defence/",
    "/articles/",
    "/search/?q=siber",
    "/timeline/",
    "/no-such-page/",
]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", event => {
    window.reportViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
        ` on ${event.documentURI}: ${event.sample}`
    );
});
"""


@pytest.fixture
def corpus():
    call_command("loaddata", "seed_corpus", verbosity=0)


@pytest.fixture
def violations(page):
    """What the policy refused on the pages this test's browser opened."""
    found: list[str] = []

    def report(violation: str) -> None:
        found.append(violation)

    page.expose_function("reportViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    page.on("console", on_console)
    return found


def visit(page, path: str):
    response = page.goto(path)
    # Styles, images and the scripts' own work happen after the load event.
    page.wait_for_load_state("networkidle")
    return response


def log_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_public_pages_load_without_a_violation(page, corpus, violations):
    for path in PUBLIC_PAGES:
        response = visit(page, path)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        # site.css loaded: a stylesheet the policy refused would not be listed.
        assert page.evaluate("document.styleSheets.length") == 1
    assert violations == []


def test_json_ld_is_read_under_the_policy(page, corpus, violations):
    visit(page, "/meetings/admm-retreat-2025/")
    data = page.evaluate(
        """() => [...document.querySelectorAll('script[type="application/ld+json"]')]
            .map(element => JSON.parse(element.textContent)["@type"])"""
    )
    assert "Event" in data
    assert violations == []


def test_the_admin_pages_an_editor_uses_work_under_the_policy(
    page, corpus, editor, violations
):
    meeting = Meeting.objects.get(slug="admm-retreat-2025")
    # Two versions, for the history to compare.
    for venue in ("Penang", "George Town, Penang"):
        with reversion.create_revision():
            meeting.venue = venue
            meeting.save()
    article = Article.objects.order_by("pk").first()
    log_in(page, "editor")

    visit(page, "/admin/")
    visit(page, "/admin/briefings/meeting/")
    # The list filters' script opened its details.
    assert page.locator("#changelist-filter").is_visible()

    # Autocomplete widgets (select2) are drawn by script.
    visit(page, f"/admin/briefings/meeting/{meeting.pk}/change/")
    assert page.locator(".select2-container").count() >= 3
    page.locator("#id_topics + .select2 .select2-selection").click()
    page.wait_for_selector(".select2-results__option")
    page.keyboard.press("Escape")
    visit(page, f"/admin/briefings/meeting/{meeting.pk}/history/")
    page.click("#change-history input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "compare" in page.url

    # The article's Annotate panel and its script.
    visit(page, f"/admin/briefings/article/{article.pk}/change/")
    assert page.locator("[data-annotate-body]").is_visible()

    # The date widget's Today and calendar shortcuts are drawn by script.
    visit(page, "/admin/briefings/complianceassessment/add/")
    assert page.locator(".datetimeshortcuts a").count() >= 2

    # Imports and exports (django-import-export and our text import).
    visit(page, "/admin/briefings/article/")
    visit(page, "/admin/briefings/article/import/")
    assert page.locator("#id_import_file").is_visible()
    visit(page, "/admin/briefings/article/import-text/")
    assert page.locator("#id_file").is_visible()
    visit(page, "/admin/briefings/commitment/export/")
    # "Select all" is an inline handler the admin's policy allows by its hash.
    fields = page.locator("input[type=checkbox][name^=commitmentresource_]")
    assert fields.count() > 1
    page.uncheck("input.select-toggle")
    assert (
        page.locator("input[type=checkbox][name^=commitmentresource_]:checked").count()
        == 0
    )

    assert violations == []


def test_the_api_pages_load_under_the_policy(page, corpus, violations):
    visit(page, "/api/v1/")
    assert page.locator(".response-info").is_visible()

    visit(page, "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Serantau API" in page.locator(".swagger-ui .info .title").inner_text()

    visit(page, "/api/v1/redoc/")
    page.wait_for_selector("h1")
    assert "Serantau API" in page.locator("h1").first.inner_text()

    # Redoc's sidebar always shows the Redocly logo from its CDN; the policy
    # refuses it, as it should, and Redoc hides the broken image.
    redocly_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [v for v in violations if redocly_logo not in v] == []


def test_the_lockout_page_looks_like_the_admin_under_the_policy(
    page, editor, violations, screenshot
):
    for _ in range(5):
        page.goto("/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "not the password")
        page.click("input[type=submit]")
        page.wait_for_load_state()

    page.goto("/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    with page.expect_response("**/admin/login/") as answer:
        page.click("input[type=submit]")

    assert answer.value.status == 429
    assert "for 15 minutes" in page.locator("#lockout-message").inner_text()
    assert page.locator("#site-name").inner_text() == "Serantau editorial desk"
    screenshot(page, "admin-lockout")
    assert violations == []
