"""Editors' Markdown: what renders, what is stripped, and its plain text."""

import json

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import linebreaks

from briefings import markup
from briefings.models import Participation
from tests.factories import ParticipationFactory


def test_emphasis_and_strong_render():
    html = markup.render("Ministers *agreed* to **explore** AI cooperation.")
    assert html == (
        "<p>Ministers <em>agreed</em> to <strong>explore</strong> AI cooperation.</p>\n"
    )


def test_an_https_link_renders_with_a_rel_that_passes_nothing_on():
    html = markup.render('See [the release](https://www.mod.gov.my/a "MOD").')
    assert html == (
        '<p>See <a href="https://www.mod.gov.my/a" title="MOD" '
        'rel="nofollow noopener noreferrer">the release</a>.</p>\n'
    )


def test_mailto_and_links_within_the_site_render():
    html = markup.render("[desk](mailto:desk@example.org), [ADMM](/meetings/admm/)")
    assert 'href="mailto:desk@example.org"' in html
    assert 'href="/meetings/admm/"' in html


def test_lists_render():
    html = markup.render("Two targets:\n\n- AI cooperation\n- HADR\n\n1. first")
    assert "<ul>\n<li>AI cooperation</li>\n<li>HADR</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n</ol>" in html


def test_paragraphs_and_single_line_breaks_render_as_linebreaks_did():
    # Summaries were shown with `linebreaks`: a blank line starts a paragraph,
    # a single newline is a line break. Markdown keeps both.
    html = markup.render("First line\nsecond line\n\nNew paragraph.")
    assert html == "<p>First line<br>\nsecond line</p>\n<p>New paragraph.</p>\n"


def test_every_seed_text_reads_as_it_did_with_linebreaks():
    # The curated corpus was written before Markdown: none of it may change
    # look ("[sic]", "(a)", quotes), except that an apostrophe is no longer an
    # entity.
    records = json.loads((settings.BASE_DIR / "fixtures/seed_corpus.json").read_text())
    texts = [
        value
        for record in records
        for name, value in record["fields"].items()
        if value and markup.is_markdown(record["model"], name)
    ]
    assert len(texts) > 100
    for text in texts:
        before = linebreaks(text, autoescape=True).replace("&#x27;", "'")
        assert markup.render(text).strip() == before, text


def test_html_an_editor_types_is_shown_as_text():
    html = markup.render("Use <b>bold</b> & <script>alert(1)</script>")
    assert html == (
        "<p>Use &lt;b&gt;bold&lt;/b&gt; &amp; "
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
    ],
)
def test_links_with_unsafe_schemes_do_not_become_links(link):
    assert "href" not in markup.render(link)


def test_a_scheme_outside_the_allow_list_loses_its_href():
    assert "href" not in markup.render("[x](ftp://example.org/file)")


def test_headings_and_images_do_not_render():
    html = markup.render("# Not a heading\n\n![logo](https://evil.example/x.png)")
    assert "<h1>" not in html and "<img" not in html
    assert "<p># Not a heading</p>" in html
    # The image's address is still there to follow, as a link.
    assert '<a href="https://evil.example/x.png"' in html


def test_code_keeps_its_text_but_not_its_class():
    html = markup.render("```js\nalert(1)\n```")
    assert html == "<pre><code>alert(1)\n</code></pre>\n"


def test_plain_text_has_no_markup_and_is_one_line():
    text = "**Ministers** met in *Penang*\nand agreed:\n\n- [AI](https://x.org)\n- HADR"
    assert markup.plain(text) == "Ministers met in Penang and agreed: AI HADR"


def test_plain_text_is_not_escaped():
    # Escaping is the job of whatever shows it: a template, XML or JSON.
    assert markup.plain("Penang & <b>KL</b>") == "Penang & <b>KL</b>"


def test_empty_text_renders_as_nothing():
    assert markup.render("") == "" and markup.plain(None) == ""


def test_the_filter_renders_and_gives_plain_text_escaped_once():
    template = Template(
        '{% load serantau %}{{ text|markdown }}|{{ text|markdown:"plain" }}'
    )
    page = template.render(Context({"text": "**A** & <i>"}))
    assert page == "<p><strong>A</strong> &amp; &lt;i&gt;</p>\n|A &amp; &lt;i&gt;"


@pytest.mark.django_db
def test_the_admin_says_which_fields_take_markdown(client, publisher):
    meeting = ParticipationFactory().meeting
    client.force_login(publisher)
    response = client.get(reverse("admin:briefings_meeting_change", args=[meeting.pk]))
    fields = response.context["adminform"].form.fields
    assert fields["summary"].help_text == markup.HINT
    assert fields["name"].help_text != markup.HINT
    (participants, *_) = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is Participation
    ]
    assert participants.formset.form.base_fields["note"].help_text == markup.HINT
    assert str(markup.HINT) in response.content.decode()
