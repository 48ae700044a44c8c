import pytest

from briefings.importing import Gazetteer

from .corpus import curated_names


@pytest.fixture(scope="session")
def curated_gazetteer() -> Gazetteer:
    """The gazetteer of the curated records, built from the fixture's plain
    data: no database needed."""
    return Gazetteer(curated_names())
