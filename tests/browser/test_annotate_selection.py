"""An editor selects a sentence in an article's text and annotates it, in a
real browser: static/serantau/admin-annotate.js turns the selection into a new
annotation row with its offsets, and saving stores the annotation."""

import pytest

from briefings.models import Annotation
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests/factories.py's UserFactory
# Line breaks, a dash and a character outside the BMP: offsets are code points.
BODY = (
    "KUALA LUMPUR, 26 Feb — The defence ministers met 🇲🇾 in Kuala Lumpur.\n"
    "They agreed to hold joint maritime exercises next year.\n"
    "The meeting ended with a joint statement."
)
SENTENCE = "They agreed to hold joint maritime exercises next year."

SELECT = """([sentence]) => {
    const root = document.querySelector("[data-annotate-body]");
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node, offset = 0, start = null, end = null;
    const from = root.textContent.indexOf(sentence);
    const to = from + sentence.length;
    while ((node = walker.nextNode())) {
        const length = node.data.length;
        if (start === null && from < offset + length) start = [node, from - offset];
        if (end === null && to <= offset + length) end = [node, to - offset];
        offset += length;
    }
    const range = document.createRange();
    range.setStart(...start);
    range.setEnd(...end);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
}"""


def log_in(page, username):
    page.goto("/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_an_editor_annotates_a_selected_sentence(page, editor, screenshot):
    article = ArticleFactory(body=BODY)
    log_in(page, "editor")
    page.goto(f"/admin/briefings/article/{article.pk}/change/")

    page.evaluate(SELECT, [SENTENCE])
    page.click("[data-annotate-button]")
    assert page.input_value("#id_annotations-0-quote") == SENTENCE
    page.fill("#id_annotations-0-note", "The exercises are the commitment.")
    screenshot(page, "annotate-selection")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    annotation = Annotation.objects.get()
    assert article.body[annotation.start : annotation.end] == annotation.quote
    assert annotation.quote == SENTENCE
    assert annotation.prefix == BODY[annotation.start - 32 : annotation.start]
    assert annotation.note == "The exercises are the commitment."
    assert annotation.created_by.username == "editor"
