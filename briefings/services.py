"""Writes that the admin, the API, the importer and commands share.

Each service validates with full_clean() before saving, so the same rules hold
whichever door a change comes through.
"""

from django.db import transaction

from briefings.models import Article


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Save an article, keeping its content hash in step with its text."""
    article.content_hash = Article.hash_text(article.body)
    article.full_clean()
    article.save()
    return article
