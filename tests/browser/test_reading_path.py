"""A reader's path through the site in a real browser, JavaScript off and on.

Home → a meeting briefing → an actor → back to the briefing → a commitment's
quote → the highlighted sentence in the source article. Screenshots of every
page type land in artifacts/screenshots/.
"""

import pytest
from django.core.management import call_command

from briefings.models import Annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "home": "/",
    "meeting": "/meetings/admm-retreat-2025/",
    "meeting-without-year": "/meetings/vietnam-japan-2plus2-1/",
    "actor": "/actors/mohamed-khaled-nordin/",
    "country": "/countries/malaysia/",
    "topic": "/topics/cybersecurity/",
    "tracker": "/commitments/",
    "commitment": "/commitments/admm-2025-explore-ai-cooperation-in-defence/",
    "article": "/articles/",
    "search": "/search/?q=siber",
    "timeline": "/timeline/",
}


@pytest.fixture
def corpus():
    call_command("loaddata", "seed_corpus", verbosity=0)


def test_a_reader_follows_a_claim_from_the_home_page_to_its_source(
    page, corpus, screenshot
):
    page.goto("/")
    page.locator('a[href="/meetings/admm-retreat-2025/"]').first.click()
    assert (
        page.locator("h1")
        .inner_text()
        .startswith("ASEAN Defence Ministers' Meeting Retreat 2025")
    )

    page.locator('a[href="/actors/mohamed-khaled-nordin/"]').first.click()
    assert "Mohamed Khaled Nordin" in page.locator("h1").inner_text()
    page.go_back()

    # The first commitment's quote links to its sentence in the source.
    quote_link = page.locator("a[href*='#annotation-']").first
    target = quote_link.get_attribute("href").split("#")[1]
    quote_link.click()
    page.wait_for_url(f"**/articles/**#{target}")
    # The anchor is the first highlighted run of the quote (or an empty marker
    # right before it, where two annotations start together).
    first_run = page.evaluate(
        """id => {
            let node = document.getElementById(id);
            while (node && node.tagName !== "MARK") node = node.nextElementSibling;
            return node && node.textContent;
        }""",
        target,
    )
    quote = Annotation.objects.get(pk=target.removeprefix("annotation-")).quote
    assert first_run and quote.startswith(first_run)
    assert page.locator("mark").filter(has_text=first_run).first.is_visible()
    screenshot(page, "article-at-quote", full_page=False)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_type_renders_for_a_reader_without_javascript(
    browser, live_server, corpus, screenshot, name
):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    response = page.goto(PAGES[name])
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.title()
    screenshot(page, name)
    context.close()


@pytest.mark.parametrize("name", ["home", "meeting", "article"])
def test_pages_fit_a_360_pixel_screen_without_sideways_scrolling(
    browser, live_server, corpus, screenshot, name
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    path = PAGES[name] if name != "article" else "/articles/"
    page.goto(path)
    if name == "article":
        page.locator("main a[href^='/articles/']").first.click()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    screenshot(page, f"{name}-360")
    context.close()
