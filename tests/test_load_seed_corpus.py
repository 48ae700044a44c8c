from io import StringIO

import pytest
from django.core.management import call_command

from briefings.models import Article, Meeting

pytestmark = pytest.mark.django_db


def run():
    out = StringIO()
    call_command("load_seed_corpus", stdout=out)
    return out.getvalue()


def test_it_loads_the_seed_corpus_into_an_empty_database():
    assert "Loaded the seed corpus: 5 articles" in run()
    assert Meeting.objects.filter(short_name="ADMM Retreat 2025").exists()


def test_it_leaves_an_editors_changes_alone_on_the_next_start():
    run()
    Meeting.objects.filter(short_name="ADMM Retreat 2025").update(summary="Edited.")
    Meeting.objects.filter(short_name="ADMM 2025").delete()
    assert "not loaded again" in run()
    assert Meeting.objects.get(short_name="ADMM Retreat 2025").summary == "Edited."
    assert not Meeting.objects.filter(short_name="ADMM 2025").exists()
    assert Article.objects.count() == 5
