"""The OpenAPI schema in openapi/schema.yaml is the contract API clients read."""

from pathlib import Path

import pytest
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "schema.yaml"


def test_the_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(generated), "--validate")
    assert generated.read_text() == COMMITTED.read_text(), (
        "openapi/schema.yaml is out of date with the API: run `make schema` "
        "and commit the result"
    )


@pytest.mark.django_db
def test_the_schema_is_served_and_names_every_resource(client):
    response = client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    paths = response.json()["paths"]
    by_slug = ["articles", "meetings", "actors", "commitments", "topics"]
    by_id = ["assessments", "annotations", "mentions"]
    for resource in by_slug + by_id:
        assert f"/api/v1/{resource}/" in paths
    for resource in by_slug:
        assert f"/api/v1/{resource}/{{slug}}/" in paths
    for resource in by_id:
        assert f"/api/v1/{resource}/{{id}}/" in paths


@pytest.mark.django_db
def test_the_docs_page_loads_its_assets_from_this_site_only(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html
