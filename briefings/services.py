"""Writes that the admin, the API, the importer and commands share.

Each service validates with full_clean() before saving and records the change
in the history with the user who made it, so the same rules hold whichever
door a change comes through.
"""

from __future__ import annotations

from collections.abc import Iterable

import reversion
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from briefings.models import Article, EditorialStatus, Publishable


def can_publish(user, model: type[models.Model]) -> bool:
    opts = model._meta
    codename = get_permission_codename("publish", opts)
    return user.has_perm(f"{opts.app_label}.{codename}")


def check_publication(*, instance: models.Model, user) -> None:
    """Refuse to publish or withdraw a record without the publish permission.

    `user=None` is the system itself (a management command run by the
    operator), which may.
    """
    if not isinstance(instance, Publishable):
        return
    previous = None
    if instance.pk is not None:
        previous = (
            type(instance)
            .objects.filter(pk=instance.pk)
            .values_list("status", flat=True)
            .first()
        )
    published = EditorialStatus.PUBLISHED
    changes_publication = (instance.status == published) != (previous == published)
    if (
        changes_publication
        and user is not None
        and not can_publish(user, type(instance))
    ):
        raise PermissionDenied(
            _("You may not publish or withdraw %(things)s.")
            % {"things": instance._meta.verbose_name_plural}
        )
    if instance.status == published and instance.published_at is None:
        instance.published_at = timezone.now()


@transaction.atomic
def record_save(
    *,
    instance: models.Model,
    user,
    m2m: dict[str, Iterable] | None = None,
    comment: str = "",
) -> models.Model:
    """Validate and save a curated record on behalf of `user`, keeping history."""
    check_publication(instance=instance, user=user)
    if isinstance(instance, Article):
        instance.content_hash = Article.hash_text(instance.body)
    instance.full_clean()
    with reversion.create_revision():
        instance.save()
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
    return instance


@transaction.atomic
def record_delete(*, instance: models.Model, user, comment: str = "") -> None:
    """Delete a record, keeping its last version in the history for recovery."""
    with reversion.create_revision():
        reversion.add_to_revision(instance)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment or _("Deleted."))
    instance.delete()


@transaction.atomic
def article_save(*, article: Article, user=None) -> Article:
    """Save an article, keeping its content hash in step with its text."""
    return record_save(instance=article, user=user)
