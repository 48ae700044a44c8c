"""Commitments over time: assessments are appended, never overwritten, and the
commitment's standing follows the latest of each actor."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from reversion.models import Version

from briefings.admin import OverdueFilter
from briefings.dates import PartialDate, ended_before
from briefings.models import Commitment, ComplianceAssessment, Standing
from briefings.services import assessment_add, standing_from
from tests.api.conftest import client_with_token
from tests.factories import AssessmentFactory, CommitmentFactory, CountryFactory
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def add(commitment, actor, score, on, user, rationale="Judged."):
    return assessment_add(
        commitment=commitment,
        actor=actor,
        score=score,
        rationale=rationale,
        assessed_on=on,
        user=user,
    )


# The service -------------------------------------------------------------------


def test_adding_assessments_appends_and_the_second_supersedes_the_first(editor):
    commitment, country = CommitmentFactory(), CountryFactory()
    first = add(commitment, country, 0, date(2025, 6, 1), editor, "Begun.")
    second = add(commitment, country, 1, date(2025, 9, 1), editor, "Done.")

    assert commitment.assessments.count() == 2
    assert second.supersedes == first
    assert second.assessed_by == editor
    first.refresh_from_db()
    assert (first.score, first.rationale, first.supersedes) == (0, "Begun.", None)


def test_an_assessment_of_another_actor_supersedes_nothing(editor):
    commitment = CommitmentFactory()
    add(commitment, CountryFactory(), 1, date(2025, 6, 1), editor)
    other = add(commitment, CountryFactory(), 1, date(2025, 9, 1), editor)
    assert other.supersedes is None


def test_the_standing_follows_the_latest_assessment(editor):
    commitment = CommitmentFactory()
    malaysia, japan = CountryFactory(), CountryFactory()

    add(commitment, malaysia, 1, date(2025, 6, 1), editor)
    commitment.refresh_from_db()
    assert commitment.standing == Standing.FULFILLED

    add(commitment, malaysia, -1, date(2025, 9, 1), editor)
    commitment.refresh_from_db()
    assert commitment.standing == Standing.NOT_FULFILLED

    add(commitment, japan, 1, date(2025, 9, 2), editor)
    commitment.refresh_from_db()
    assert commitment.standing == Standing.PARTLY_FULFILLED


def test_a_single_actors_zero_is_partly_fulfilled():
    assert (
        standing_from([AssessmentFactory.build(score=0)]) == Standing.PARTLY_FULFILLED
    )


def test_nobody_assessed_says_nothing_about_the_standing():
    assert standing_from([]) is None


def test_a_changed_standing_is_recorded_in_the_history_with_the_assessment(editor):
    commitment, country = CommitmentFactory(), CountryFactory()
    assessment = add(commitment, country, 1, date(2025, 6, 1), editor)

    version = Version.objects.get_for_object(commitment).get()
    assert version.field_dict["standing"] == Standing.FULFILLED
    assert version.revision.user == editor
    assert version.revision.version_set.get_for_object(assessment).exists()


def test_an_assessment_dated_before_the_one_it_would_supersede_is_refused(editor):
    commitment, country = CommitmentFactory(), CountryFactory()
    add(commitment, country, 1, date(2025, 6, 1), editor)
    with pytest.raises(ValidationError) as error:
        add(commitment, country, -1, date(2025, 5, 1), editor)
    assert "assessed_on" in error.value.message_dict
    assert commitment.assessments.count() == 1


def test_an_invalid_assessment_is_refused_and_leaves_the_standing(editor):
    commitment, country = CommitmentFactory(), CountryFactory()
    with pytest.raises(ValidationError):
        add(commitment, country, 2, date(2025, 6, 1), editor)
    commitment.refresh_from_db()
    assert commitment.standing == Standing.ANNOUNCED
    assert not commitment.assessments.exists()


# The admin ---------------------------------------------------------------------


def test_a_new_assessment_in_the_admin_supersedes_and_sets_the_standing(client, editor):
    client.force_login(editor)
    first = AssessmentFactory(score=0, assessed_on=date(2025, 6, 1))
    commitment, country = first.commitment, first.actor
    commitment.actors.add(country)
    url = reverse("admin:briefings_commitment_change", args=[commitment.pk])
    data = form_data(client.get(url)) | {
        "assessments-TOTAL_FORMS": "2",
        "assessments-1-actor": country.pk,
        "assessments-1-score": "1",
        "assessments-1-assessed_on": "2025-09-30",
        "assessments-1-rationale": "The centre opened.",
    }
    assert client.post(url, data).status_code == 302

    latest = commitment.assessments.latest()
    assert latest.supersedes == first
    assert latest.assessed_by == editor
    commitment.refresh_from_db()
    assert commitment.standing == Standing.FULFILLED


def test_the_admin_refuses_a_new_assessment_dated_before_the_latest(client, editor):
    client.force_login(editor)
    first = AssessmentFactory(assessed_on=date(2025, 6, 1))
    response = client.post(
        reverse("admin:briefings_complianceassessment_add"),
        {
            "commitment": first.commitment.pk,
            "actor": first.actor.pk,
            "score": "1",
            "assessed_on": "2025-05-01",
            "rationale": "Kept after all.",
        },
    )
    assert response.status_code == 200
    assert "assessed_on" in response.context["adminform"].form.errors
    assert ComplianceAssessment.objects.count() == 1


def test_the_admin_refuses_to_change_or_delete_an_existing_assessment(
    client, publisher
):
    client.force_login(publisher)
    assessment = AssessmentFactory(rationale="Partly done.")
    change_url = reverse(
        "admin:briefings_complianceassessment_change", args=[assessment.pk]
    )
    delete_url = reverse(
        "admin:briefings_complianceassessment_delete", args=[assessment.pk]
    )

    # Shown, read-only.
    shown = client.get(change_url)
    assert shown.status_code == 200
    assert "rationale" not in shown.context["adminform"].form.fields
    assert (
        client.post(
            change_url,
            {
                "commitment": assessment.commitment.pk,
                "actor": assessment.actor.pk,
                "score": "1",
                "assessed_on": "2025-06-30",
                "rationale": "Rewritten.",
            },
        ).status_code
        == 403
    )
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.rationale == "Partly done."


def test_the_commitment_page_shows_earlier_assessments_read_only_and_ignores_edits(
    client, publisher
):
    client.force_login(publisher)
    assessment = AssessmentFactory(rationale="Partly done.")
    commitment = assessment.commitment
    commitment.actors.add(assessment.actor)
    url = reverse("admin:briefings_commitment_change", args=[commitment.pk])
    page = client.get(url)
    [inline] = page.context["inline_admin_formsets"]
    assert not inline.has_change_permission
    assert not inline.formset.can_delete

    data = form_data(page) | {
        "assessments-0-rationale": "Rewritten.",
        "assessments-0-score": "1",
        "assessments-0-DELETE": "on",
    }
    assert client.post(url, data).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.score, assessment.rationale) == (0, "Partly done.")


# The API -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_refuses_to_overwrite_or_delete_an_assessment(publisher, method):
    assessment = AssessmentFactory(rationale="Partly done.")
    client = client_with_token(publisher)
    response = getattr(client, method)(
        f"/api/v1/assessments/{assessment.pk}/",
        {"rationale": "Rewritten.", "score": 1},
        format="json",
    )
    assert response.status_code == 405
    assessment.refresh_from_db()
    assert assessment.rationale == "Partly done."


def test_the_api_adds_an_assessment_that_supersedes_and_sets_the_standing(editor):
    first = AssessmentFactory(score=0, assessed_on=date(2025, 6, 1))
    commitment = first.commitment
    response = client_with_token(editor).post(
        "/api/v1/assessments/",
        {
            "commitment": commitment.slug,
            "actor": first.actor.slug,
            "score": -1,
            "assessed_on": "2025-09-30",
            "rationale": "Shelved.",
            "supersedes": None,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["supersedes"] == first.pk
    assert response.json()["assessed_by"] == "editor"
    commitment.refresh_from_db()
    assert commitment.standing == Standing.NOT_FULFILLED


def test_the_api_refuses_an_assessment_dated_before_the_latest(editor):
    first = AssessmentFactory(assessed_on=date(2025, 6, 1))
    response = client_with_token(editor).post(
        "/api/v1/assessments/",
        {
            "commitment": first.commitment.slug,
            "actor": first.actor.slug,
            "score": 1,
            "assessed_on": "2025-05-01",
            "rationale": "Kept.",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["assessed_on"]


# Overdue commitments -----------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "ended"),
    [
        ("2025-11-18", True),
        ("2025-11-19", False),
        ("2025-10", True),
        ("2025-11", False),
        ("2024", True),
        ("2025", False),
        ("2026-01", False),
        ("--10-01", False),
        ("", False),
    ],
)
def test_a_deadline_has_passed_when_its_last_possible_day_has(deadline, ended):
    CommitmentFactory(deadline=deadline)
    today = date(2025, 11, 19)
    matched = Commitment.objects.filter(ended_before("deadline", today)).exists()
    assert matched is ended
    # What PartialDate.latest() says, in the database.
    latest = PartialDate(deadline).latest() if deadline else None
    assert ended is (latest is not None and latest < today)


def test_the_overdue_filter_lists_passed_deadlines_without_a_final_assessment(
    admin_client, monkeypatch
):
    monkeypatch.setattr(
        OverdueFilter, "today", staticmethod(lambda: date(2025, 11, 19))
    )
    overdue = CommitmentFactory(title="Overdue", deadline="2025-10")
    AssessmentFactory(commitment=overdue, score=0)
    assessed = CommitmentFactory(title="Assessed", deadline="2025-10")
    AssessmentFactory(commitment=assessed, score=-1)
    CommitmentFactory(title="Not yet due", deadline="2025-12")
    CommitmentFactory(title="No year", deadline="--10-01")

    response = admin_client.get(
        reverse("admin:briefings_commitment_changelist"), {"overdue": "yes"}
    )

    assert response.status_code == 200
    assert [c.title for c in response.context["cl"].result_list] == ["Overdue"]


def test_an_unknown_overdue_value_is_refused(admin_client):
    response = admin_client.get(
        reverse("admin:briefings_commitment_changelist"), {"overdue": "maybe"}
    )
    # The admin's answer to a bad lookup: the list without the filter, flagged.
    assert response.status_code == 302
    assert "e=1" in response.url
