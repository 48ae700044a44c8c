"""Property-based contract test of the REST API against openapi/schema.yaml.

Schemathesis reads the committed schema, generates requests from it, valid and
deliberately invalid, and sends them in-process to the WSGI application that
production serves (config.wsgi). Whatever it sends, the API must never answer
5xx, and every documented response must match the schema in content type and
body. Four tests, each parametrized with one item per operation:

    test_anonymous_reads               GET, as an anonymous client
    test_anonymous_writes_are_refused  POST, PUT, PATCH, DELETE: 401/403/404 only
    test_superuser_reads               GET, as staff, who also see drafts
    test_superuser_writes              POST, PUT, PATCH, DELETE, with a token

They read the seed corpus and a few drafts wired to published records, loaded
once for the module. Two phases generate the requests: `coverage`, the boundary
and wrong-type cases of each parameter and property, the same every run; and
`fuzzing`, MAX_EXAMPLES random requests per operation, derandomized, so the
same ones every run too. `make fuzz` sends many more.

Left out: the status_code_conformance check, as the schema documents only the
success of each operation, not its 400, 401, 403, 404 and 409 answers. At the
end, plain tests pin down what the contract test found.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from briefings.api.views import CuratedViewSet
from briefings.models import (
    Actor,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    EditorialStatus,
    Meeting,
    Mention,
    Topic,
)
from config.wsgi import application
from tests.factories import (
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
)

SCHEMA = Path(__file__).resolve().parents[2] / "openapi" / "schema.yaml"

# Random examples per operation; `make fuzz` raises it.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))

# not_a_server_error: no 5xx, whatever the request. response_schema_conformance,
# content_type_conformance: a documented status comes with the documented body.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

contract_settings = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The module's data and each test's transaction are pytest fixtures that
    # every example of an operation shares, by design.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)

# Values that break APIs like this one, mixed into generated strings and
# integers wherever the schema admits them (and, in invalid requests, where it
# does not): NUL, which PostgreSQL refuses in text; strings of the date form
# that are no dates; integers beyond every column's range.
HOSTILE_STRINGS = [
    "\x00",
    "slug\x00",
    "9999-99-99",
    "0053-10-13",
    "--02-30",
    "2025-02-29",
    "0000",
    "-1",
    "1e309",
    "NaN",
    "../../",
    "%00",
    "Tân Sơn Nhất 🛫",
    "x" * 1001,
]
HOSTILE_INTEGERS = [-1, 0, 32768, 2**31, 2**63, -(2**63) - 1, 10**30]


# Requests that reach records ------------------------------------------------------

# Slugs, ids and ISO codes the data set holds; filled by the contract_data fixture.
KNOWN: dict[str, list] = {}

KNOWN_PATH = {
    "/api/v1/topics/{slug}/": "topic",
    "/api/v1/actors/{slug}/": "actor",
    "/api/v1/meetings/{slug}/": "meeting",
    "/api/v1/articles/{slug}/": "article",
    "/api/v1/commitments/{slug}/": "commitment",
    "/api/v1/assessments/{id}/": "assessment",
    "/api/v1/annotations/{id}/": "annotation",
    "/api/v1/mentions/{id}/": "mention",
}
KNOWN_QUERY = {
    "topic": "topic",
    "actor": "actor",
    "outlet": "actor",
    "parent": "actor",
    "meeting": "meeting",
    "reports_to": "meeting",
    "article": "article",
    "commitment": "commitment",
    "country": "iso_code",
}


def _known(name: str) -> st.SearchStrategy:
    # Deferred: the data set exists only once the module's fixture has run.
    return st.deferred(lambda: st.sampled_from(KNOWN[name]))


def _lookup(path: str) -> str:
    return "id" if "{id}" in path else "slug"


def flatmap_path_parameters(context, path_parameters):
    """Half of the random requests to a record name one that exists."""
    name = KNOWN_PATH.get(context.operation.path)
    if name is None or not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    key = _lookup(context.operation.path)
    return st.one_of(
        st.just(path_parameters),
        _known(name).map(lambda value: {**path_parameters, key: value}),
    )


def flatmap_query(context, query):
    """Filters often name a record that exists, so that they match rows."""
    if not isinstance(query, dict):
        return st.just(query)
    return st.fixed_dictionaries(
        {
            key: st.one_of(st.just(value), _known(KNOWN_QUERY[key]))
            if key in KNOWN_QUERY
            else st.just(value)
            for key, value in query.items()
        }
    )


def map_headers(context, headers):
    """Header values as a server hands them to a WSGI application.

    The test client puts generated text into the WSGI environ as it is; a
    server reads bytes off the wire and hands them on as Latin-1 text (PEP
    3333), and refuses a header with a NUL byte before Django sees it
    (gunicorn, uvicorn and nginx all do). Requests no server would deliver
    would only find 500s that no client can cause.
    """
    if not isinstance(headers, dict):
        return headers
    return {
        name: value.replace("\x00", "")
        .encode("utf-8", "surrogatepass")
        .decode("latin-1")
        if isinstance(value, str)
        else value
        for name, value in headers.items()
    }


def load_schema(*, coverage: bool) -> schemathesis.BaseSchema:
    """The committed schema, its operations served by the WSGI application."""
    loaded = schemathesis.openapi.from_path(
        SCHEMA,
        config=schemathesis.Config.from_dict(
            {
                "seed": 20250226,
                "base-url": "http://localhost",
                "dictionaries": {
                    "hostile-strings": {"values": HOSTILE_STRINGS},
                    "hostile-integers": {"values": HOSTILE_INTEGERS},
                },
                "generation": {
                    "dictionaries": {
                        "string": {"dictionary": "hostile-strings", "probability": 0.2},
                        "integer": {
                            "dictionary": "hostile-integers",
                            "probability": 0.2,
                        },
                    },
                },
                "phases": {"coverage": {"enabled": coverage}},
            }
        ),
    )
    loaded.app = application
    loaded.hook(flatmap_path_parameters)
    loaded.hook(flatmap_query)
    loaded.hook(map_headers)
    return loaded


schema = load_schema(coverage=True)
# For requests that are answered before their parameters are read.
random_only_schema = load_schema(coverage=False)


# The data set and the application -------------------------------------------------


def _drafts_behind_published_records() -> None:
    """Published records that link to drafts, so that concealed links are read."""
    draft = EditorialStatus.DRAFT
    country = CountryFactory(slug="contract-draft-country", iso_code="XZ", status=draft)
    organisation = OrganisationFactory(slug="contract-draft-ministry", status=draft)
    person = PersonFactory(slug="contract-draft-person", status=draft)
    meeting = MeetingFactory(slug="contract-draft-meeting", status=draft)
    article = ArticleFactory(slug="contract-draft-article", status=draft)
    commitment = CommitmentFactory(
        slug="contract-draft-commitment", source_article=article, status=draft
    )

    minister = PersonFactory(
        slug="contract-minister", country=country, parent=organisation
    )
    published = MeetingFactory(
        slug="contract-meeting", country=country, reports_to=meeting
    )
    ParticipationFactory(meeting=published, actor=minister, represents=country)
    ParticipationFactory(meeting=published, actor=person)
    source = ArticleFactory(slug="contract-article", outlet=organisation)
    source.meetings.set([published, meeting])
    source.actors.set([minister, person])
    pledge = CommitmentFactory(
        slug="contract-commitment", source_article=article, meeting=meeting
    )
    pledge.actors.set([minister, person])
    AssessmentFactory(commitment=pledge, actor=country, evidence_article=article)
    AssessmentFactory(commitment=pledge, actor=minister, score=1)
    AnnotationFactory(
        article=source, actor=person, meeting=meeting, commitment=commitment
    )
    MentionFactory(article=source, actor=person)


@pytest.fixture(scope="module")
def contract_data(django_db_setup, django_db_blocker):
    """The seed corpus, a few drafts and a superuser's token, once for the module.

    They are written in a transaction that is rolled back when the module ends;
    each test's own transaction (the `db` fixture) nests in it as a savepoint,
    so what one operation's examples write never reaches the next operation.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("loaddata", "seed_corpus", verbosity=0)
            _drafts_behind_published_records()
            admin = get_user_model().objects.create_superuser(
                "contract-admin", "contract-admin@example.org", "not-used"
            )
            for name, model in [
                ("topic", Topic),
                ("actor", Actor),
                ("meeting", Meeting),
                ("article", Article),
                ("commitment", Commitment),
            ]:
                KNOWN[name] = sorted(model.objects.values_list("slug", flat=True))
            for name, model in [
                ("assessment", ComplianceAssessment),
                ("annotation", Annotation),
                ("mention", Mention),
            ]:
                KNOWN[name] = sorted(model.objects.values_list("pk", flat=True))
            KNOWN["iso_code"] = sorted(
                Actor.objects.exclude(iso_code="").values_list("iso_code", flat=True)
            )
            yield {"Authorization": f"Token {Token.objects.create(user=admin).key}"}
        finally:
            KNOWN.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def api(contract_data):
    """The WSGI application as a server runs it, less two things.

    Django's handler closes the database connection when a request starts and
    ends, which would end the test's transaction; Django's own test client
    disconnects that signal too. And the anonymous rate (120/min) would trip
    within seconds, so the viewsets do not throttle here: DRF copied the
    throttle setting into APIView.throttle_classes when it was imported, so the
    class attribute is what is patched, for every API viewset at once.

    Yields the headers that authenticate the superuser.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(CuratedViewSet, "throttle_classes", [])
            yield contract_data
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The contract ---------------------------------------------------------------------


@schema.include(method="GET").parametrize()
@contract_settings
def test_anonymous_reads(case, api, db):
    case.call_and_validate(checks=CHECKS)


@random_only_schema.exclude(method="GET").parametrize()
@contract_settings
def test_anonymous_writes_are_refused(case, api, db):
    """Refused before the body is read; 404 when the path names nothing."""
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code in (401, 403, 404), response.text


@random_only_schema.include(method="GET").parametrize()
@contract_settings
def test_superuser_reads(case, api, db):
    """Staff see drafts, and links to drafts, that anonymous clients do not."""
    case.call_and_validate(checks=CHECKS, headers=api)


@schema.exclude(method="GET").parametrize()
@contract_settings
def test_superuser_writes(case, api, db):
    """Validation errors are 400, 404 or 409; a write that succeeds answers
    with the record as the schema describes it."""
    if case.meta.phase.name == TestPhase.COVERAGE:
        if _repeats_another_case(case):
            return
        _aim_at_a_record(case)
    case.call_and_validate(checks=CHECKS, headers=api)


def _repeats_another_case(case) -> bool:
    """Boundary cases that repeat others, left to the random examples.

    A body's boundary cases are the same in every media type, and a property
    of the wrong type is refused by the same serializer field whichever the
    method: both are sent once, as JSON, to POST. Random examples still come
    as forms and multipart, with wrong types, to every method.
    """
    if case.media_type not in (None, "application/json"):
        return True
    scenario = case.meta.phase.data.scenario
    return scenario == CoverageScenario.INCORRECT_TYPE and case.method != "POST"


def _aim_at_a_record(case) -> None:
    """Send a boundary case of the body or query to a record that exists.

    The boundary phase varies one parameter at a time and leaves the others at
    a generated value; a generated slug names no record, and every boundary
    case of the body would stop at 404.
    """
    name = KNOWN_PATH.get(case.operation.path)
    if (
        name is None
        or case.meta.phase.data.parameter_location == ParameterLocation.PATH
    ):
        return
    known = KNOWN[name]
    pick = zlib.crc32(repr(case.body).encode()) % len(known)
    case.path_parameters[_lookup(case.operation.path)] = known[pick]


# What the contract test found, pinned down --------------------------------------


def test_a_date_window_may_open_before_the_year_1000(api, db, client):
    # No stored date is that early; the lookup used to fail with a 500.
    def count(window):
        response = client.get(f"/api/v1/articles/?{window}")
        assert response.status_code == 200
        return response.json()["count"]

    every_dated_article = count("published_after=1000-01-01")
    assert every_dated_article == 5
    assert count("published_after=0053-10-13") == every_dated_article
    assert count("published_before=0053-10-13") == 0


def test_a_link_with_a_nul_character_is_refused_not_looked_up(api, db, client):
    # PostgreSQL cannot compare text with a NUL in it; the lookup used to 500.
    response = client.post(
        "/api/v1/assessments/",
        {
            "commitment": "contract-commitment",
            "actor": "malaysia\x00",
            "score": 0,
            "rationale": "Partly.",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=api["Authorization"],
    )
    assert response.status_code == 400
    assert response.json() == {"actor": ["Null characters are not allowed."]}
