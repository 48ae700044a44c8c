"""The editorial desk: changelists in bounded queries, forms, search and history."""

import hashlib

import pytest
from django.apps import apps
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from briefings.models import (
    Article,
    EditorialStatus,
    OrganisationType,
    ParticipationRole,
    Topic,
)
from tests.factories import (
    AliasFactory,
    AnnotationFactory,
    ArticleFactory,
    AssessmentFactory,
    CommitmentFactory,
    CountryFactory,
    MeetingFactory,
    MentionFactory,
    OrganisationFactory,
    ParticipationFactory,
    PersonFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


# Rows for the changelists, each with the related rows its columns show. -----------


def build_topics(n, user):
    meeting, commitment = MeetingFactory(), CommitmentFactory()
    for topic in TopicFactory.create_batch(n):
        meeting.topics.add(topic)
        commitment.source_article.topics.add(topic)
        commitment.topics.add(topic)


def build_actors(n, user):
    # A country and its nationals: the country is a row of the list too.
    PersonFactory.create_batch(n, country=CountryFactory(), honorific="Dato' Seri")


def build_aliases(n, user):
    AliasFactory.create_batch(n)


def build_meetings(n, user):
    topic, reports_to = TopicFactory(), None
    for _ in range(n):
        meeting = MeetingFactory(country=CountryFactory(), reports_to=reports_to)
        meeting.topics.add(topic)
        ParticipationFactory(meeting=meeting)
        CommitmentFactory(meeting=meeting)
        reports_to = meeting


def build_participations(n, user):
    for _ in range(n):
        ParticipationFactory(represents=CountryFactory())


def build_articles(n, user):
    topic = TopicFactory()
    for _ in range(n):
        outlet = OrganisationFactory(organisation_type=OrganisationType.NEWS_OUTLET)
        ArticleFactory(outlet=outlet).topics.add(topic)


def build_commitments(n, user):
    topic = TopicFactory()
    for _ in range(n):
        commitment = CommitmentFactory(meeting=MeetingFactory())
        commitment.actors.add(CountryFactory(), PersonFactory())
        commitment.topics.add(topic)


def build_assessments(n, user):
    for _ in range(n):
        AssessmentFactory(assessed_by=user, evidence_article=ArticleFactory())


def build_annotations(n, user):
    AnnotationFactory.create_batch(n, created_by=user)


def build_mentions(n, user):
    for _ in range(n):
        MentionFactory(actor=PersonFactory(), confirmed_by=user)


BUILDERS = {
    "topic": build_topics,
    "actor": build_actors,
    "actoralias": build_aliases,
    "meeting": build_meetings,
    "participation": build_participations,
    "article": build_articles,
    "commitment": build_commitments,
    "complianceassessment": build_assessments,
    "annotation": build_annotations,
    "mention": build_mentions,
}
MODELS = list(BUILDERS)


def queries_for_one_and_a_hundred_rows(client, user, model):
    """Query counts of a changelist showing one row, then a full page of a hundred.

    Every changelist starts with the same seven queries: the session, the user,
    SAVEPOINT (VersionAdmin wraps each view in a revision), the paginator's
    count, the unfiltered count ("of N total"), the page of rows, and RELEASE
    SAVEPOINT. The tests below list what each one adds.
    """
    url = reverse(f"admin:briefings_{model}_changelist")
    BUILDERS[model](1, user)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    BUILDERS[model](99, user)
    with CaptureQueriesContext(connection) as hundred:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 100
    # On failure, the SQL of the hundred-row page says which query repeats.
    sql = "\n".join(query["sql"] for query in hundred.captured_queries)
    assert len(one) == len(hundred), sql
    return len(hundred)


def test_topic_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The seven, with the meeting, article and commitment counts as subqueries
    # of the page query; the date hierarchy's MIN/MAX and its distinct years.
    assert queries_for_one_and_a_hundred_rows(admin_client, admin_user, "topic") == 9


def test_actor_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The countries for the country filter; the seven, with each actor's country
    # joined; the date hierarchy's MIN/MAX and its distinct years.
    assert queries_for_one_and_a_hundred_rows(admin_client, admin_user, "actor") == 10


def test_alias_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The seven, with each alias's actor joined.
    count = queries_for_one_and_a_hundred_rows(admin_client, admin_user, "actoralias")
    assert count == 7


def test_meeting_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The distinct years of the start dates, the countries and the topics for
    # their filters; the seven, with country and reports_to joined and the
    # participant and commitment counts as subqueries; the date hierarchy's
    # MIN/MAX and its distinct years.
    assert queries_for_one_and_a_hundred_rows(admin_client, admin_user, "meeting") == 12


def test_participation_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The meetings for the meeting filter; the seven, with meeting, actor and
    # represents joined.
    count = queries_for_one_and_a_hundred_rows(
        admin_client, admin_user, "participation"
    )
    assert count == 8


def test_article_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The outlets, the distinct years published and the topics for their
    # filters; the seven, with the outlet joined; the date hierarchy's MIN/MAX
    # and its distinct years.
    assert queries_for_one_and_a_hundred_rows(admin_client, admin_user, "article") == 12


def test_commitment_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The topics, the meetings and the distinct deadline years for their
    # filters; the seven, with meeting and source article joined, and one more
    # for the actors who made them (prefetched); the date hierarchy's MIN/MAX and
    # its distinct years.
    count = queries_for_one_and_a_hundred_rows(admin_client, admin_user, "commitment")
    assert count == 13


def test_assessment_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The actors for the actor filter; the seven, with commitment, actor,
    # assessor and evidence article joined; the date hierarchy's MIN/MAX and its
    # distinct dates.
    count = queries_for_one_and_a_hundred_rows(
        admin_client, admin_user, "complianceassessment"
    )
    assert count == 10


def test_annotation_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The seven, with article and author joined.
    count = queries_for_one_and_a_hundred_rows(admin_client, admin_user, "annotation")
    assert count == 7


def test_mention_changelist_runs_the_same_queries_for_one_and_a_hundred_rows(
    admin_client, admin_user
):
    # The seven, with article, actor and confirming editor joined.
    assert queries_for_one_and_a_hundred_rows(admin_client, admin_user, "mention") == 7


# Forms and access ----------------------------------------------------------------


def one_of(model, user):
    BUILDERS[model](1, user)
    return apps.get_model("briefings", model).objects.latest("pk")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["admin_user", "editor"])
def test_add_change_and_history_pages_render_for_a_superuser_and_an_editor(
    client, request, who, model
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    obj = one_of(model, user)
    for url in (
        reverse(f"admin:briefings_{model}_add"),
        reverse(f"admin:briefings_{model}_change", args=[obj.pk]),
        reverse(f"admin:briefings_{model}_history", args=[obj.pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", MODELS)
def test_an_outsider_is_sent_to_the_login_page(client, outsider, model):
    client.force_login(outsider)
    obj = one_of(model, outsider)
    for url in (
        reverse(f"admin:briefings_{model}_changelist"),
        reverse(f"admin:briefings_{model}_add"),
        reverse(f"admin:briefings_{model}_change", args=[obj.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def form_data(response):
    """What a browser would post back from a rendered change form, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {
                management[name].html_name: management[name].value()
                for name in management.fields
            }
        )
        forms.extend(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, MultiWidget):
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{bound.html_name}_{i}"] = "" if part is None else part
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "" if value is None else value
            if field.show_hidden_initial:
                # Fields with a callable default post their initial value too.
                data[bound.html_initial_name] = data[bound.html_name]
    return data


def test_an_editor_cannot_publish_from_the_admin(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:briefings_topic_add"))
    assert "status" not in response.context["adminform"].form.fields
    client.post(
        reverse("admin:briefings_topic_add"),
        {"name": "Cybersecurity", "slug": "cybersecurity", "status": "published"},
    )
    assert Topic.objects.get(slug="cybersecurity").status == EditorialStatus.DRAFT


def test_a_publisher_can_publish_from_the_admin(client, publisher):
    client.force_login(publisher)
    response = client.post(
        reverse("admin:briefings_topic_add"),
        {
            "name": "Cybersecurity",
            "slug": "cybersecurity",
            "status": "published",
            "published_at_0": "2025-02-26",
            "published_at_1": "09:00",
        },
    )
    assert response.status_code == 302
    assert Topic.objects.get(slug="cybersecurity").is_published


# Autocomplete --------------------------------------------------------------------


def autocomplete(client, model, field, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "briefings",
            "model_name": model,
            "field_name": field,
            "term": term,
        },
    )
    assert response.status_code == 200
    return [int(result["id"]) for result in response.json()["results"]]


def test_the_meeting_country_autocomplete_offers_only_countries(client, editor):
    client.force_login(editor)
    malaysia = CountryFactory(name="Malaysia", iso_code="MY")
    PersonFactory(name="Malik Ibrahim")
    OrganisationFactory(name="Malaysian Armed Forces")
    assert autocomplete(client, "meeting", "country", "Mal") == [malaysia.pk]


def test_an_actor_is_found_by_an_alias(client, editor):
    client.force_login(editor)
    khaled = PersonFactory(name="Mohamed Khaled Nordin")
    AliasFactory(actor=khaled, name="Mohamed Khaled bin Nordin")
    AliasFactory(actor=khaled, name="Khaled bin Nordin")
    assert autocomplete(client, "participation", "actor", "bin Nordin") == [khaled.pk]


# Articles ------------------------------------------------------------------------

BODY = "KUALA LUMPUR, 26 Feb — Menteri Pertahanan hadir.\nKerjasama diperkukuh."


def article_form(**fields):
    data = {
        "title": "Menteri hadir",
        "slug": "menteri-hadir",
        "language": "ms",
        "published": "2025-02-26",
        "body": BODY,
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
    }
    for prefix in ("annotations", "mentions"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | fields


def test_saving_an_article_computes_the_hash_of_its_text(admin_client):
    response = admin_client.post(reverse("admin:briefings_article_add"), article_form())
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.content_hash == hashlib.sha256(BODY.encode()).hexdigest()


def test_a_second_article_with_the_same_text_gets_a_form_error(admin_client):
    ArticleFactory(title="First import", body=BODY)
    response = admin_client.post(
        reverse("admin:briefings_article_add"),
        article_form(title="Second import", slug="second-import"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "First import" in errors["body"][0]
    assert Article.objects.count() == 1


def test_an_article_of_blank_lines_gets_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:briefings_article_add"), article_form(body="\r\n  \r\n")
    )
    assert response.status_code == 200
    assert "body" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_posting_an_article_back_unchanged_keeps_its_text_and_hash(admin_client):
    article = ArticleFactory(body="\n" + BODY + "\n")
    url = reverse("admin:briefings_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    # As a browser sends a textarea back.
    data["body"] = data["body"].replace("\n", "\r\n")
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.body == "\n" + BODY + "\n"
    assert article.content_hash == Article.hash_text(article.body)


def test_resolving_a_mention_records_who_confirmed_it(client, editor):
    client.force_login(editor)
    mention, actor = MentionFactory(), PersonFactory()
    url = reverse("admin:briefings_mention_change", args=[mention.pk])
    data = form_data(client.get(url)) | {"actor": actor.pk}
    assert client.post(url, data).status_code == 302
    mention.refresh_from_db()
    assert (mention.actor, mention.confirmed_by) == (actor, editor)
    assert mention.confirmed_at is not None


def test_mentions_filter_by_whether_they_are_resolved(admin_client):
    resolved = MentionFactory(actor=PersonFactory())
    unresolved = MentionFactory()
    url = reverse("admin:briefings_mention_changelist")
    for value, expected in (("yes", resolved), ("no", unresolved)):
        response = admin_client.get(url, {"resolved": value})
        assert list(response.context["cl"].result_list) == [expected]


# Commitments ---------------------------------------------------------------------


def test_a_new_assessment_is_recorded_as_assessed_by_the_editor(client, editor):
    client.force_login(editor)
    commitment = CommitmentFactory()
    commitment.actors.add(country := CountryFactory())
    url = reverse("admin:briefings_commitment_change", args=[commitment.pk])
    data = form_data(client.get(url)) | {
        "assessments-TOTAL_FORMS": "1",
        "assessments-0-actor": country.pk,
        "assessments-0-score": "1",
        "assessments-0-assessed_on": "2025-06-30",
        "assessments-0-rationale": "The centre opened in June.",
    }
    assert client.post(url, data).status_code == 302
    assert commitment.assessments.get().assessed_by == editor


def test_an_assessment_added_on_its_own_is_recorded_as_assessed_by_the_editor(
    client, editor
):
    client.force_login(editor)
    commitment, country = CommitmentFactory(), CountryFactory()
    response = client.post(
        reverse("admin:briefings_complianceassessment_add"),
        {
            "commitment": commitment.pk,
            "actor": country.pk,
            "score": "-1",
            "assessed_on": "2025-06-30",
            "rationale": "The centre was shelved.",
        },
    )
    assert response.status_code == 302
    assert commitment.assessments.get().assessed_by == editor


# Year filter ---------------------------------------------------------------------


def test_the_year_filter_lists_the_years_present_and_year_not_stated(admin_client):
    for start in ("2025-02-26", "2025-09", "2023", "--12-04", ""):
        MeetingFactory(start=start)
    response = admin_client.get(reverse("admin:briefings_meeting_changelist"))
    year_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "start_year"
    )
    assert [str(label) for _, label in year_filter.lookup_choices] == [
        "2025",
        "2023",
        "year not stated",
    ]


@pytest.mark.parametrize(
    ("year", "starts"),
    [
        ("2025", {"2025-02-26", "2025-09"}),
        ("2023", {"2023"}),
        ("none", {"--12-04", ""}),
    ],
)
def test_filtering_meetings_by_year_returns_the_meetings_of_that_year(
    admin_client, year, starts
):
    for start in ("2025-02-26", "2025-09", "2023", "--12-04", ""):
        MeetingFactory(start=start)
    response = admin_client.get(
        reverse("admin:briefings_meeting_changelist"), {"start_year": year}
    )
    assert {m.start for m in response.context["cl"].result_list} == starts


def test_meetings_show_their_start_date_as_a_reader_would_say_it(admin_client):
    MeetingFactory(start="--12-04")
    response = admin_client.get(reverse("admin:briefings_meeting_changelist"))
    assert "4 December, year not stated" in response.content.decode()


# History -------------------------------------------------------------------------


def test_changing_a_meeting_records_a_version_with_its_participants(client, editor):
    client.force_login(editor)
    participation = ParticipationFactory(role=ParticipationRole.CHAIR)
    meeting = participation.meeting
    url = reverse("admin:briefings_meeting_change", args=[meeting.pk])
    data = form_data(client.get(url)) | {"name": "ADMM Retreat"}
    assert client.post(url, data).status_code == 302

    version = Version.objects.get_for_object(meeting).get()
    assert version.revision.user == editor
    assert version.field_dict["name"] == "ADMM Retreat"
    # Followed, not merely saved alongside: the participation was not changed.
    assert version.revision.version_set.get_for_object(participation).exists()

    history = client.get(reverse("admin:briefings_meeting_history", args=[meeting.pk]))
    assert history.status_code == 200
    [action] = history.context["action_list"]
    assert action["revision"] == version.revision
    # The revision opens as a form to revert to.
    assert client.get(action["url"]).status_code == 200


def test_a_commitments_revision_leaves_its_assessments_to_their_own_history(
    admin_client,
):
    # Assessments are never overwritten, so reverting a commitment must not
    # reach them: they are not part of the commitment's revision.
    assessment = AssessmentFactory()
    commitment = assessment.commitment
    commitment.actors.add(assessment.actor)
    url = reverse("admin:briefings_commitment_change", args=[commitment.pk])
    data = form_data(admin_client.get(url)) | {"title": "Open a cyber centre"}
    assert admin_client.post(url, data).status_code == 302
    revision = Version.objects.get_for_object(commitment).get().revision
    assert not revision.version_set.get_for_object(assessment).exists()


def test_reverting_a_commitment_keeps_the_assessments_added_since(admin_client):
    commitment = CommitmentFactory()
    country = CountryFactory()
    commitment.actors.add(country)
    url = reverse("admin:briefings_commitment_change", args=[commitment.pk])
    data = form_data(admin_client.get(url)) | {"title": "First title"}
    assert admin_client.post(url, data).status_code == 302
    first = Version.objects.get_for_object(commitment).get()
    later = AssessmentFactory(commitment=commitment, actor=country)
    first.revision.revert(delete=True)
    commitment.refresh_from_db()
    assert commitment.title == "First title"
    assert commitment.assessments.filter(pk=later.pk).exists()


def test_a_meetings_revision_carries_its_commitments(admin_client):
    commitment = CommitmentFactory(meeting=MeetingFactory())
    commitment.actors.add(CountryFactory())
    meeting = commitment.meeting
    url = reverse("admin:briefings_meeting_change", args=[meeting.pk])
    data = form_data(admin_client.get(url)) | {"name": "ADMM Retreat"}
    assert admin_client.post(url, data).status_code == 302
    revision = Version.objects.get_for_object(meeting).get().revision
    assert revision.version_set.get_for_object(commitment).exists()


def test_reverting_a_meeting_restores_its_earlier_version(client, editor):
    client.force_login(editor)
    meeting = MeetingFactory()
    url = reverse("admin:briefings_meeting_change", args=[meeting.pk])
    for name in ("ADMM Retreat", "ADMM Retreat 2025"):
        data = form_data(client.get(url)) | {"name": name}
        assert client.post(url, data).status_code == 302
    first = Version.objects.get_for_object(meeting).order_by("pk").first()
    revert_url = reverse(
        "admin:briefings_meeting_revision", args=[meeting.pk, first.pk]
    )
    response = client.post(revert_url, form_data(client.get(revert_url)))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.name == "ADMM Retreat"
