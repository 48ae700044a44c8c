"""Annotations in the admin: correcting an article's text moves them with it,
and an editor without script can anchor one by pasting its quote."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from briefings.anchoring import selectors_for
from briefings.models import AnchorState, Annotation
from tests.factories import AnnotationFactory, ArticleFactory
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

BODY = (
    "KUALA LUMPUR, 26 Feb — The defence ministers met in Kuala Lumpur.\n"
    "They agreed to hold joint maritime exercises next year.\n"
    "The meeting ended with a joint statement."
)


def annotate(article, quote, **fields):
    start = article.body.index(quote)
    quote, prefix, suffix = selectors_for(article.body, start, start + len(quote))
    return AnnotationFactory(
        article=article,
        start=start,
        end=start + len(quote),
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        **fields,
    )


def test_correcting_the_text_re_anchors_its_annotations_and_reports_how(
    admin_client,
):
    article = ArticleFactory(body=BODY)
    moved = annotate(article, "The defence ministers met", note="Who came")
    changed = annotate(article, "joint maritime exercises next year")
    lost = annotate(article, "The meeting ended with a joint statement.")
    url = reverse("admin:briefings_article_change", args=[article.pk])
    corrected = (
        BODY.replace("26 Feb", "26 February")
        .replace("maritime exercises", "maritime drills")
        .replace("The meeting ended with a joint statement.", "No statement.")
    )
    data = form_data(admin_client.get(url)) | {"body": corrected}

    response = admin_client.post(url, data)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == corrected
    assert article.content_hash == article.hash_text(corrected)
    for annotation in (moved, changed, lost):
        annotation.refresh_from_db()
    assert moved.anchor_state == AnchorState.ANCHORED
    assert corrected[moved.start : moved.end] == "The defence ministers met"
    assert moved.note == "Who came"
    assert changed.anchor_state == AnchorState.FUZZY
    assert changed.quote == "joint maritime drills next year"
    assert corrected[changed.start : changed.end] == changed.quote
    assert lost.anchor_state == AnchorState.ORPHANED
    assert lost.quote == "The meeting ended with a joint statement."
    assert 0 <= lost.start < lost.end <= len(corrected)
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert "1 in place, 1 found approximately" in message
    assert "1 not found" in message


def test_saving_an_orphans_note_does_not_ask_for_its_quote_first(admin_client):
    article = ArticleFactory(body=BODY)
    orphan = annotate(article, "They agreed", anchor_state=AnchorState.ORPHANED)
    Annotation.objects.filter(pk=orphan.pk).update(quote="Words long gone")
    url = reverse("admin:briefings_annotation_change", args=[orphan.pk])
    data = form_data(admin_client.get(url)) | {"note": "Check the source"}
    assert admin_client.post(url, data).status_code == 302
    orphan.refresh_from_db()
    assert (orphan.note, orphan.quote) == ("Check the source", "Words long gone")


def test_an_unchanged_text_saves_without_re_anchoring(admin_client):
    article = ArticleFactory(body=BODY)
    annotation = annotate(article, "They agreed")
    url = reverse("admin:briefings_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = data["body"].replace("\n", "\r\n")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert not any("re-anchored" in str(m) for m in get_messages(response.wsgi_request))
    annotation.refresh_from_db()
    assert annotation.anchor_state == AnchorState.ANCHORED


# Anchoring by quote ---------------------------------------------------------------


def add_by_quote(client, article, quote, **fields):
    data = {
        "article": article.pk,
        "start": "",
        "end": "",
        "quote": quote,
        "prefix": "",
        "suffix": "",
        "note": "",
        "anchor_state": AnchorState.ANCHORED,
    }
    return client.post(reverse("admin:briefings_annotation_add"), data | fields)


def test_a_pasted_quote_is_found_in_the_text(admin_client):
    article = ArticleFactory(body=BODY)
    response = add_by_quote(admin_client, article, "joint maritime exercises\r\n")
    assert response.status_code == 302
    annotation = Annotation.objects.get()
    assert BODY[annotation.start : annotation.end] == "joint maritime exercises"
    assert annotation.quote == "joint maritime exercises"
    assert annotation.prefix == BODY[annotation.start - 32 : annotation.start]
    assert annotation.suffix == BODY[annotation.end : annotation.end + 32]


def test_a_quote_not_in_the_text_is_refused_with_a_message(admin_client):
    article = ArticleFactory(body=BODY)
    response = add_by_quote(admin_client, article, "joint naval exercises")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "not in the article's text" in errors["quote"][0]
    assert not Annotation.objects.exists()


def test_a_repeated_quote_asks_for_the_words_before_it(admin_client):
    article = ArticleFactory(body=BODY)
    response = add_by_quote(admin_client, article, "joint")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "occurs 2 times" in errors["prefix"][0]

    response = add_by_quote(admin_client, article, "joint", prefix="with a ")
    assert response.status_code == 302
    annotation = Annotation.objects.get()
    assert annotation.start == BODY.index("with a joint") + len("with a ")
    assert BODY[annotation.start : annotation.end] == "joint"


def test_a_quote_pasted_into_a_new_inline_row_is_found(admin_client):
    article = ArticleFactory(body=BODY)
    url = reverse("admin:briefings_article_change", args=[article.pk])
    data = form_data(admin_client.get(url)) | {
        "annotations-TOTAL_FORMS": "1",
        "annotations-0-quote": "defence ministers",
        "annotations-0-anchor_state": AnchorState.ANCHORED,
    }
    assert admin_client.post(url, data).status_code == 302
    annotation = Annotation.objects.get()
    assert BODY[annotation.start : annotation.end] == "defence ministers"


# Annotations needing attention --------------------------------------------------


def test_confirming_fuzzy_anchors_marks_them_anchored(admin_client):
    article = ArticleFactory(body=BODY)
    fuzzy = annotate(article, "They agreed", anchor_state=AnchorState.FUZZY)
    orphan = annotate(article, "joint", anchor_state=AnchorState.ORPHANED)
    url = reverse("admin:briefings_annotation_changelist")
    response = admin_client.get(url, {"anchor_state": "fuzzy"})
    assert list(response.context["cl"].result_list) == [fuzzy]

    response = admin_client.post(
        url,
        {
            "action": "confirm_fuzzy_anchors",
            "_selected_action": [fuzzy.pk, orphan.pk],
        },
    )
    assert response.status_code == 302
    fuzzy.refresh_from_db()
    orphan.refresh_from_db()
    assert fuzzy.anchor_state == AnchorState.ANCHORED
    assert orphan.anchor_state == AnchorState.ORPHANED
