"""Writes that the admin, the API, the importer and commands share.

Each service validates with full_clean() before saving and records the change
in the history with the user who made it, so the same rules hold whichever
door a change comes through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import reversion
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator, capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reversion.errors import RevertError
from reversion.models import Version

from briefings.anchoring import reanchor
from briefings.cache import bump_after_commit
from briefings.importing import Gazetteer, ImportProblem, ParsedArticle, parse_bytes
from briefings.importing.archive import Limits, SourceFile, unpack
from briefings.models import (
    Actor,
    AnchorState,
    Annotation,
    Article,
    Commitment,
    ComplianceAssessment,
    ComplianceScore,
    EditorialStatus,
    Language,
    Meeting,
    Mention,
    Publishable,
    Standing,
)


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


# Optimistic concurrency -----------------------------------------------------------
#
# Every record editors change carries a version (models.Versioned). A save names
# the version it was made from, the one the editor loaded; the database moves
# the row on from exactly that version or not at all, so of two saves made from
# the same version one wins and the other is refused with EditConflict, which
# says who saved in between, when, and what they changed.


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field somebody else changed since the editor loaded the record."""

    name: str
    label: str
    loaded: str
    current: str
    # As stored (a pk for a link, a sorted list of pks for several), for a form
    # to tell whether its editor changed the field too.
    loaded_value: object = None
    current_value: object = None


# The bookkeeping of every save, which says nothing about what changed.
UNCOMPARED = {"version", "created_at", "updated_at", "content_hash"}
# Long texts are cut in the conflict table; the history shows them whole.
SHOWN_CHARACTERS = 300
# How far back the history is searched for the editor's version.
HISTORY_DEPTH = 50


class EditConflict(Exception):
    """A save from a version somebody else has saved over since.

    `current` is the record as stored (None when it was deleted); `changes`
    the fields changed since `loaded_version`, or, when the history no longer
    has that version (`history_known` False), every field's current value.
    """

    def __init__(
        self,
        *,
        model: type[models.Model],
        current: models.Model | None,
        loaded_version: int,
        changed_by=None,
        changed_at=None,
        changes: Sequence[FieldChange] = (),
        history_known: bool = True,
    ) -> None:
        self.model = model
        self.current = current
        self.loaded_version = loaded_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.changes = list(changes)
        self.history_known = history_known
        super().__init__(self.message)

    @property
    def current_version(self) -> int | None:
        return None if self.current is None else self.current.version

    @property
    def message(self) -> str:
        if self.current is None:
            return _("This %(thing)s was deleted since you opened it.") % {
                "thing": self.model._meta.verbose_name
            }
        # A revision without a user is the system's (an import, a command).
        who = self.changed_by or (_("the system") if self.changed_at else _("somebody"))
        when = (
            timezone.localtime(self.changed_at).strftime("%Y-%m-%d %H:%M")
            if self.changed_at
            else _("an unknown time")
        )
        return _(
            "Not saved: %(who)s saved “%(record)s” at %(when)s, after you opened "
            "it (you opened version %(loaded)d; it is now version %(current)d). "
            "Your changes would have overwritten theirs: compare, merge and save "
            "again."
        ) % {
            "who": who,
            "record": self.current,
            "when": when,
            "loaded": self.loaded_version,
            "current": self.current_version,
        }

    @property
    def summary(self) -> str:
        """The changed fields in a sentence, where there is no room for a table."""
        if not self.history_known or not self.changes:
            return ""
        return _("They changed: %(changes)s.") % {
            "changes": "; ".join(
                f"{c.label}: “{c.loaded}” → “{c.current}”" for c in self.changes
            )
        }


def is_versioned(model: type[models.Model]) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


def record_claim_version(*, instance: models.Model) -> None:
    """Move the stored row on from `instance.version`, the version the editor
    loaded, to the next one, ahead of saving `instance`; raise EditConflict when
    the row is at another version (or gone).

    One conditional UPDATE, so the check and the move are one step in the
    database: of two claims of the same version, the second waits for the
    first's transaction and then finds no row to move. The row stays locked
    until the caller's transaction ends, so the save that follows is the one
    the version belongs to.
    """
    model = type(instance)
    loaded = instance.version
    claimed = (
        model._base_manager.filter(pk=instance.pk, version=loaded)
        .order_by()
        .update(version=loaded + 1)
    )
    if not claimed:
        raise edit_conflict(model=model, pk=instance.pk, loaded_version=loaded)
    instance.version = loaded + 1


def record_check_version(*, instance: models.Model, version: int) -> None:
    """Refuse with EditConflict unless the stored row is still at `version`.

    For a form that is checked before it is saved: the row is locked (on
    PostgreSQL) until the transaction ends, so nobody saves in between; the
    save itself then claims the version (record_claim_version).
    """
    model = type(instance)
    stored = (
        model._base_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    if stored != version:
        raise edit_conflict(model=model, pk=instance.pk, loaded_version=version)


def edit_conflict(
    *, model: type[models.Model], pk, loaded_version: int
) -> EditConflict:
    """What happened to the record since the editor loaded `loaded_version`,
    from django-reversion's history."""
    current = model._base_manager.filter(pk=pk).first()
    if current is None:
        return EditConflict(model=model, current=None, loaded_version=loaded_version)
    versions = list(
        Version.objects.get_for_object(current).select_related("revision__user")[
            :HISTORY_DEPTH
        ]
    )
    latest = versions[0].revision if versions else None
    loaded = next(
        (
            dumped
            for dumped in map(_readable_fields, versions)
            if dumped.get("version") == loaded_version
        ),
        None,
    )
    fields = [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.editable and not f.primary_key and f.name not in UNCOMPARED
    ]
    changes = []
    for f in fields:
        now = _stored_value(current, f)
        if loaded is None:
            changes.append(
                FieldChange(f.name, capfirst(f.verbose_name), "", _shown(f, now))
            )
            continue
        if f.attname not in loaded:
            # Not kept in the history (links through a model of their own).
            continue
        then = loaded[f.attname]
        if f.many_to_many:
            then = sorted(then)
        if then != now:
            changes.append(
                FieldChange(
                    f.name,
                    capfirst(f.verbose_name),
                    _shown(f, then),
                    _shown(f, now),
                    loaded_value=then,
                    current_value=now,
                )
            )
    return EditConflict(
        model=model,
        current=current,
        loaded_version=loaded_version,
        changed_by=latest.user if latest else None,
        changed_at=latest.date_created if latest else None,
        changes=changes,
        history_known=loaded is not None,
    )


def _readable_fields(version: Version) -> dict:
    # A version the model can no longer read is no version to compare with.
    try:
        return version.field_dict
    except RevertError:
        return {}


def _stored_value(instance: models.Model, f: models.Field):
    if f.many_to_many:
        return sorted(getattr(instance, f.name).values_list("pk", flat=True))
    return getattr(instance, f.attname)


def _shown(f: models.Field, value) -> str:
    """A field's value as an editor reads it in the form."""
    if value is None or value == "" or value == []:
        return "—"
    if f.is_relation:
        related = f.related_model._base_manager.filter(
            pk__in=value if f.many_to_many else [value]
        )
        return ", ".join(str(record) for record in related) or str(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return Truncator(str(value)).chars(SHOWN_CHARACTERS)


def bulk_update_versioned(
    model: type[models.Model], instances: Sequence[models.Model], fields: list[str]
) -> None:
    """bulk_update that moves every row's version on, so that a form opened
    before it is refused; the copies in memory learn their new versions, which
    the history records."""
    if not instances:
        return
    for instance in instances:
        instance.version = F("version") + 1
    model.objects.bulk_update(instances, [*fields, "version"])
    stored = dict(
        model._base_manager.filter(pk__in=[i.pk for i in instances]).values_list(
            "pk", "version"
        )
    )
    for instance in instances:
        instance.version = stored[instance.pk]


@transaction.atomic
def record_save(
    *,
    instance: models.Model,
    user,
    m2m: dict[str, Iterable] | None = None,
    comment: str = "",
) -> models.Model:
    """Validate and save a curated record on behalf of `user`, keeping history.

    An existing record is saved over the version it holds, the one the editor
    loaded: if somebody saved it since, EditConflict, and nothing is written.
    """
    if not instance._state.adding and is_versioned(type(instance)):
        record_claim_version(instance=instance)
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
    """Delete a record, keeping its last version in the history for recovery.

    A published record is what readers see: only a user who may withdraw it may
    delete it (editors delete drafts). `user=None` is the system, which may.
    """
    if (
        isinstance(instance, Publishable)
        and instance.is_published
        and user is not None
        and not can_publish(user, type(instance))
    ):
        raise PermissionDenied(
            _("You may not delete published %(things)s.")
            % {"things": instance._meta.verbose_name_plural}
        )
    # A deletion decided on an outdated copy is refused like a save.
    if is_versioned(type(instance)):
        record_claim_version(instance=instance)
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


# Plain-text import -----------------------------------------------------------------
#
# One path for the admin's "Import text articles" page and `manage.py
# import_articles`: read every file (briefings/importing/), report what cannot be
# read and what is on the desk already, and, once a person confirms, store the
# rest as drafts with the names found in them as proposed mentions. Nothing is
# linked to an actor or meeting, and nothing is published, by the import itself.


class ImportOutcome(models.TextChoices):
    READY = "ready", gettext_lazy("ready to import")
    IMPORTED = "imported", gettext_lazy("imported as a draft")
    DUPLICATE = "duplicate", gettext_lazy("duplicate, skipped")
    ERROR = "error", gettext_lazy("cannot be imported")


@dataclass(slots=True)
class ProposalGroup:
    """Every place one actor or meeting is proposed in a text, for the preview."""

    target: Actor | Meeting | None
    texts: list[str] = field(default_factory=list)
    count: int = 0
    similarity: float = 0.0
    # Other records of the same name, for the editor to choose from.
    alternatives: list[Actor | Meeting] = field(default_factory=list)


@dataclass(slots=True)
class FileReport:
    """One text file of a batch: what was read from it and what became of it."""

    name: str
    outcome: ImportOutcome
    message: str = ""
    parsed: ParsedArticle | None = None
    # The draft as it will be (preview) or was (import) saved.
    article: Article | None = None
    duplicate_of: Article | None = None
    meetings: list[ProposalGroup] = field(default_factory=list)
    actors: list[ProposalGroup] = field(default_factory=list)
    mention_count: int = 0

    @property
    def removed_characters(self) -> int:
        return sum(len(r.text) for r in self.parsed.removed) if self.parsed else 0

    @property
    def proposal_count(self) -> int:
        return len(self.parsed.proposals) if self.parsed else 0


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport]
    dry_run: bool

    def _with(self, outcome: ImportOutcome) -> list[FileReport]:
        return [report for report in self.files if report.outcome == outcome]

    @property
    def ready(self) -> list[FileReport]:
        return self._with(ImportOutcome.READY)

    @property
    def imported(self) -> list[FileReport]:
        return self._with(ImportOutcome.IMPORTED)

    @property
    def duplicates(self) -> list[FileReport]:
        return self._with(ImportOutcome.DUPLICATE)

    @property
    def errors(self) -> list[FileReport]:
        return self._with(ImportOutcome.ERROR)

    @property
    def articles(self) -> list[Article]:
        return [report.article for report in self.imported]


class ImportFailed(Exception):
    """Saving a confirmed batch failed; the transaction rolled back and nothing of
    the batch was written."""

    def __init__(self, name: str, error: Exception) -> None:
        self.name = name
        self.error = error
        detail = "; ".join(getattr(error, "messages", None) or [str(error)])
        super().__init__(
            _("Nothing was imported: %(name)s could not be saved (%(detail)s).")
            % {"name": name or _("the batch"), "detail": detail}
        )


T = TypeVar("T")
Progress = Callable[[Sequence[T], str], Iterable[T]]


def _no_progress(items: Sequence[T], stage: str) -> Iterable[T]:
    return items


# Long enough for a file name and a counter; the rest of the field's 200 is room.
SLUG_BASE_LENGTH = 180
IMPORTED_FROM_LENGTH = Article._meta.get_field("imported_from").max_length
DATE_NOTE_LENGTH = Article._meta.get_field("date_note").max_length
MENTION_TEXT_LENGTH = Mention._meta.get_field("text").max_length


def articles_import_text(
    *,
    files: Iterable[tuple[str, bytes]],
    user,
    dry_run: bool,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read uploaded `.txt` files and zips of them; unless `dry_run`, save every
    file that can be imported as a draft article with its proposed mentions.

    The dry run (the admin's preview) writes nothing at all, not even history.
    The confirmation is a second call on the same bytes, which reads them afresh
    because the desk may have changed since the preview, and saves in one
    transaction: a failure while saving raises ImportFailed and leaves the
    database as it was. Files that cannot be
    read, or duplicate an article on the desk or an earlier file of the batch,
    are reported and skipped in both runs. `user` is recorded in the history;
    None is the system (a command run by the operator).
    """
    if user is not None and not user.has_perm("briefings.add_article"):
        raise PermissionDenied(_("You may not add articles."))
    limits = limits or Limits.from_settings()
    progress = progress or _no_progress
    sources = [
        source for name, data in files for source in unpack(name, data, limits=limits)
    ]
    gazetteer = Gazetteer.from_db()
    reports = [
        _read_source(source, gazetteer, limits)
        for source in progress(sources, _("Reading"))
    ]
    _skip_duplicates(reports)
    _draft_articles(reports)
    report = ImportReport(files=reports, dry_run=dry_run)
    if not dry_run:
        _save_drafts(report.ready, user=user, progress=progress)
    return report


def _read_source(
    source: SourceFile, gazetteer: Gazetteer, limits: Limits
) -> FileReport:
    if source.problem:
        return FileReport(source.name, ImportOutcome.ERROR, message=source.problem)
    try:
        parsed = parse_bytes(
            source.data,
            name=source.name,
            gazetteer=gazetteer,
            max_bytes=limits.file_bytes,
        )
    except ImportProblem as problem:
        return FileReport(source.name, ImportOutcome.ERROR, message=problem.message)
    return FileReport(source.name, ImportOutcome.READY, parsed=parsed)


def _skip_duplicates(reports: list[FileReport]) -> None:
    """Same text or same URL as an article on the desk, or as an earlier file of
    the batch: reported and skipped. Two queries for the whole batch."""
    ready = [
        (report, Article.hash_text(report.parsed.body), report.parsed.url)
        for report in reports
        if report.outcome == ImportOutcome.READY
    ]
    hashes = {body_hash for _report, body_hash, _url in ready}
    urls = {url for _report, _hash, url in ready if url}
    on_desk = {
        a.content_hash: a for a in Article.objects.filter(content_hash__in=hashes)
    }
    on_desk_url = (
        {a.url: a for a in Article.objects.filter(url__in=urls)} if urls else {}
    )
    in_batch: dict[str, str] = {}
    for report, body_hash, url in ready:
        if body_hash in on_desk:
            report.duplicate_of = on_desk[body_hash]
            message = _("The same text is already on the desk as “%(title)s”.")
        elif url in on_desk_url:
            report.duplicate_of = on_desk_url[url]
            message = _("An article with this URL is already on the desk: “%(title)s”.")
        elif body_hash in in_batch:
            message = _("The same text as %(name)s in this batch.")
        elif url in in_batch:
            message = _("The same URL as %(name)s in this batch.")
        else:
            in_batch[body_hash] = report.name
            if url:
                in_batch[url] = report.name
            continue
        report.outcome = ImportOutcome.DUPLICATE
        report.message = message % {
            "title": report.duplicate_of.title if report.duplicate_of else "",
            "name": in_batch.get(body_hash) or in_batch.get(url, ""),
        }


def _draft_articles(reports: list[FileReport]) -> None:
    """The draft each readable file becomes, validated as a save would validate
    it, so that the preview shows every problem the confirmation would meet."""
    ready = [report for report in reports if report.outcome == ImportOutcome.READY]
    proposals = [p for report in ready for p in report.parsed.proposals]
    actor_ids = {p.actor_id for p in proposals if p.actor_id}
    actor_ids |= {a for p in proposals if p.actor_id for a in p.alternatives}
    actor_ids |= {r.parsed.outlet.actor_id for r in ready if r.parsed.outlet}
    meeting_ids = {p.meeting_id for p in proposals if p.meeting_id}
    meeting_ids |= {a for p in proposals if p.meeting_id for a in p.alternatives}
    actors = Actor.objects.in_bulk(actor_ids - {None})
    meetings = Meeting.objects.in_bulk(meeting_ids)
    taken: set[str] = set()
    for report in ready:
        parsed = report.parsed
        report.meetings, report.actors = _group_proposals(parsed, actors, meetings)
        article = _draft(report.name, parsed, actors)
        article.slug = _unique_slug(article.title, taken)
        taken.add(article.slug)
        report.article = article
        try:
            article.full_clean()
        except ValidationError as error:
            report.outcome = ImportOutcome.ERROR
            report.message = _("The article would not be valid: %(errors)s") % {
                "errors": " ".join(error.messages)
            }


def _draft(name: str, parsed: ParsedArticle, actors: dict[int, Actor]) -> Article:
    language = parsed.language.code
    if language not in Language.values:
        language = Language.OTHER
    date_note = " ".join(parsed.published.warnings)
    if len(date_note) > DATE_NOTE_LENGTH:
        date_note = date_note[: DATE_NOTE_LENGTH - 1].rstrip() + "…"
    if len(name) > IMPORTED_FROM_LENGTH:
        name = "…" + name[-(IMPORTED_FROM_LENGTH - 1) :]
    outlet_id = parsed.outlet.actor_id if parsed.outlet else None
    return Article(
        status=EditorialStatus.DRAFT,
        title=parsed.title,
        outlet=actors.get(outlet_id) if outlet_id else None,
        url=parsed.url,
        language=language,
        published=parsed.published.value or "",
        date_note=date_note,
        body=parsed.body,
        imported_from=name,
        content_hash=Article.hash_text(parsed.body),
    )


def _group_proposals(
    parsed: ParsedArticle, actors: dict[int, Actor], meetings: dict[int, Meeting]
) -> tuple[list[ProposalGroup], list[ProposalGroup]]:
    groups: dict[tuple[str, int], ProposalGroup] = {}
    for proposal in parsed.proposals:
        if proposal.meeting_id:
            key, records = ("meeting", proposal.meeting_id), meetings
        else:
            key, records = ("actor", proposal.actor_id), actors
        group = groups.setdefault(key, ProposalGroup(target=records.get(key[1])))
        if proposal.text not in group.texts:
            group.texts.append(proposal.text)
        group.count += 1
        group.similarity = max(group.similarity, proposal.similarity)
        for other in proposal.alternatives:
            record = records.get(other)
            if record is not None and record not in group.alternatives:
                group.alternatives.append(record)
    found = list(groups.items())
    return (
        [group for (kind, _id), group in found if kind == "meeting"],
        [group for (kind, _id), group in found if kind == "actor"],
    )


def _unique_slug(title: str, taken: set[str]) -> str:
    """The title's slug, numbered past those on the desk and in this batch."""
    base = slugify(title)[:SLUG_BASE_LENGTH].strip("-") or "article"
    taken = taken | set(
        Article.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _save_drafts(reports: list[FileReport], *, user, progress: Progress) -> None:
    name = ""
    try:
        with transaction.atomic():
            for report in progress(reports, _("Saving")):
                name = report.name
                _save_draft(report, user=user)
            # A deferred constraint fails at the commit, not at a file.
            name = ""
    except (ValidationError, PermissionDenied, DatabaseError) as error:
        # Rolled back: nothing of the batch exists, whatever the reports said.
        for report in reports:
            report.outcome = ImportOutcome.READY
            report.mention_count = 0
            if report.article is not None:
                report.article.pk = None
                report.article._state.adding = True
        raise ImportFailed(name, error) from error


def _save_draft(report: FileReport, *, user) -> None:
    article = report.article
    # One revision per article holding it and its mentions, so that reverting
    # an import takes its proposals with it.
    with reversion.create_revision():
        record_save(
            instance=article,
            user=user,
            comment=_("Imported from %(name)s") % {"name": report.name},
        )
        mentions = []
        for proposal in report.parsed.proposals:
            if len(proposal.text) > MENTION_TEXT_LENGTH:
                continue
            mention = Mention(
                article=article,
                start=proposal.start,
                end=proposal.end,
                text=proposal.text,
                proposed_actor_id=proposal.actor_id,
                proposed_meeting_id=proposal.meeting_id,
                similarity=proposal.similarity,
            )
            # The span is checked against the text; the foreign keys, the
            # one-mention-per-span rule and start < end are the database's to
            # enforce (the parser gives distinct, non-empty spans), which
            # spares three queries per name.
            mention.full_clean(
                exclude={"article", "proposed_actor", "proposed_meeting"},
                validate_unique=False,
                validate_constraints=False,
            )
            mentions.append(mention)
        Mention.objects.bulk_create(mentions)
        # bulk_create sends no signals; the cache must still learn of the rows.
        bump_after_commit()
        # Again, now with the mentions to follow.
        reversion.add_to_revision(article)
    report.outcome = ImportOutcome.IMPORTED
    report.mention_count = len(mentions)


# Confirming proposals --------------------------------------------------------------


@transaction.atomic
def mentions_accept_proposals(*, mentions: Iterable[Mention], user) -> int:
    """Link each mention to the actor or meeting the importer proposed for it, and
    its article to that actor or meeting, on a person's word.

    Mentions already resolved, or with nothing proposed, are left alone. Returns
    how many were accepted. One revision per article, holding the article (its
    new links) and its mentions.
    """
    if user is None:
        # The system proposes; only a person confirms.
        raise PermissionDenied(_("Only a person can confirm a proposed link."))
    if not (
        user.has_perm("briefings.change_mention")
        and user.has_perm("briefings.change_article")
    ):
        raise PermissionDenied(_("You may not confirm proposed links."))
    by_article: dict[int, list[Mention]] = {}
    for mention in mentions:
        if mention.is_resolved:
            continue
        if mention.proposed_actor_id is None and mention.proposed_meeting_id is None:
            continue
        by_article.setdefault(mention.article_id, []).append(mention)
    now = timezone.now()
    articles = Article.objects.in_bulk(by_article)
    for article_id, group in by_article.items():
        article = articles[article_id]
        for mention in group:
            # Copies of foreign keys the database holds valid (a deleted record
            # nulls its proposals), on a span that does not move: there is
            # nothing for full_clean() to find, and one UPDATE serves the lot.
            mention.actor_id = mention.proposed_actor_id
            mention.meeting_id = mention.proposed_meeting_id
            mention.confirmed_by = user
            mention.confirmed_at = now
        with reversion.create_revision():
            bulk_update_versioned(
                Mention, group, ["actor", "meeting", "confirmed_by", "confirmed_at"]
            )
            # bulk_update sends no signals; readers see mentions in the API.
            bump_after_commit()
            actor_ids = {m.actor_id for m in group if m.actor_id}
            meeting_ids = {m.meeting_id for m in group if m.meeting_id}
            # New links are a change of the article: a form opened before
            # must not save its old links over them.
            record_claim_version(instance=article)
            if actor_ids:
                article.actors.add(*actor_ids)
            if meeting_ids:
                article.meetings.add(*meeting_ids)
            # The article follows its mentions into the revision.
            reversion.add_to_revision(article)
            reversion.set_user(user)
            reversion.set_comment(
                ngettext(
                    "Confirmed %(n)d proposed link.",
                    "Confirmed %(n)d proposed links.",
                    len(group),
                )
                % {"n": len(group)}
            )
    return sum(len(group) for group in by_article.values())


# Editorial workflow ----------------------------------------------------------------
#
# draft → in review → published, and back to draft to withdraw. Sending a record
# to review (or taking it back) is an edit; publishing and withdrawing change
# what readers see, and need the publish permission of the record's model.

TRANSITIONS: dict[tuple[str, str], str] = {
    (EditorialStatus.DRAFT, EditorialStatus.IN_REVIEW): gettext_lazy("Sent to review"),
    (EditorialStatus.IN_REVIEW, EditorialStatus.DRAFT): gettext_lazy(
        "Returned to draft"
    ),
    (EditorialStatus.DRAFT, EditorialStatus.PUBLISHED): gettext_lazy("Published"),
    (EditorialStatus.IN_REVIEW, EditorialStatus.PUBLISHED): gettext_lazy("Published"),
    (EditorialStatus.PUBLISHED, EditorialStatus.DRAFT): gettext_lazy("Withdrawn"),
}


def can_change(user, model: type[models.Model]) -> bool:
    opts = model._meta
    codename = get_permission_codename("change", opts)
    return user.has_perm(f"{opts.app_label}.{codename}")


@transaction.atomic
def record_transition(*, instance: Publishable, user, to_status: str) -> Publishable:
    """Move a record to `to_status` on behalf of `user`, keeping history.

    Raises PermissionDenied when the user may not make this move and
    ValidationError when the move is not one of TRANSITIONS (the record is there
    already, or a published record would go to review without being withdrawn).
    `user=None` is the system, which may. The first publication sets
    published_at (check_publication); a withdrawal and a later publication keep
    it, so it stays the date the record first became public.
    """
    to_status = EditorialStatus(to_status)
    comment = TRANSITIONS.get((instance.status, to_status))
    if comment is None:
        raise ValidationError(
            _("“%(record)s” cannot go from %(from)s to %(to)s.")
            % {
                "record": instance,
                "from": EditorialStatus(instance.status).label,
                "to": to_status.label,
            },
            code="invalid_transition",
        )
    model = type(instance)
    things = model._meta.verbose_name_plural
    published = EditorialStatus.PUBLISHED
    if user is not None:
        if not can_change(user, model):
            raise PermissionDenied(
                _("You may not change %(things)s.") % {"things": things}
            )
        if published in (instance.status, to_status) and not can_publish(user, model):
            raise PermissionDenied(
                _("You may not publish or withdraw %(things)s.") % {"things": things}
            )
    instance.status = to_status
    return record_save(instance=instance, user=user, comment=str(comment))


# Compliance assessments ------------------------------------------------------------
#
# A commitment is judged over time: each assessment is a dated entry that
# supersedes the previous one for the same actor and is never changed or
# deleted, so the record shows how the judgement moved. The commitment's
# standing follows the latest entry of each actor.


def standing_from(assessments: Iterable[ComplianceAssessment]) -> Standing | None:
    """The standing the latest assessment of each actor adds up to.

    Every actor kept it (+1): fulfilled; every actor failed it (-1): not
    fulfilled; anything between, a single actor's 0 included: partly fulfilled.
    None when nobody has been assessed, which says nothing about the standing.
    """
    latest: dict[int, ComplianceAssessment] = {}
    for assessment in assessments:
        current = latest.get(assessment.actor_id)
        if current is None or _assessment_order(assessment) > _assessment_order(
            current
        ):
            latest[assessment.actor_id] = assessment
    scores = {assessment.score for assessment in latest.values()}
    if not scores:
        return None
    if scores == {ComplianceScore.KEPT}:
        return Standing.FULFILLED
    if scores == {ComplianceScore.NOT_KEPT}:
        return Standing.NOT_FULFILLED
    return Standing.PARTLY_FULFILLED


def _assessment_order(assessment: ComplianceAssessment) -> tuple[date, int]:
    # ComplianceAssessment.Meta.get_latest_by.
    return (assessment.assessed_on, assessment.pk or 0)


def assessment_previous(
    *, commitment: Commitment, actor: Actor
) -> ComplianceAssessment | None:
    """The latest assessment of `actor` on `commitment`, which a new one supersedes."""
    return (
        ComplianceAssessment.objects.filter(commitment=commitment, actor=actor)
        .order_by("-assessed_on", "-pk")
        .first()
    )


def assessment_check_date(
    *, previous: ComplianceAssessment | None, assessed_on: date
) -> None:
    """Refuse an entry dated before the one it would supersede.

    The latest entry is the current judgement and the one a new entry
    supersedes; an entry dated earlier would be neither, and fitting it into
    the chain would mean rewriting an entry already made.
    """
    if previous is not None and assessed_on < previous.assessed_on:
        raise ValidationError(
            {
                "assessed_on": _(
                    "This actor was last assessed on %(date)s; a new assessment "
                    "cannot be dated earlier."
                )
                % {"date": previous.assessed_on.isoformat()}
            },
            code="assessment_backdated",
        )


@transaction.atomic
def assessment_add(
    *,
    commitment: Commitment,
    actor: Actor,
    score: int,
    rationale: str,
    assessed_on: date,
    evidence_article: Article | None = None,
    evidence_url: str = "",
    user,
) -> ComplianceAssessment:
    """Record a new assessment of `actor` on `commitment`, superseding the
    previous one, and bring the commitment's standing in line with the latest.

    Existing assessments are left as they are. One revision holds the new
    assessment and, when it changes, the commitment's standing.
    """
    # Locking the commitment serialises assessments of it, so that two at once
    # cannot both supersede the same entry.
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    previous = assessment_previous(commitment=locked, actor=actor)
    assessment_check_date(previous=previous, assessed_on=assessed_on)
    assessment = ComplianceAssessment(
        commitment=locked,
        actor=actor,
        score=score,
        rationale=rationale,
        assessed_on=assessed_on,
        evidence_article=evidence_article,
        evidence_url=evidence_url,
        assessed_by=user,
        supersedes=previous,
    )
    comment = _("Assessed %(actor)s: %(score)+d.") % {"actor": actor, "score": score}
    with reversion.create_revision():
        record_save(instance=assessment, user=user, comment=comment)
        standing = standing_from(
            ComplianceAssessment.objects.filter(commitment=locked).only(
                "actor_id", "assessed_on", "score"
            )
        )
        if standing is not None and standing != locked.standing:
            locked.standing = standing
            record_save(instance=locked, user=user, comment=comment)
    # The caller's copy, which the admin goes on to show, follows.
    commitment.standing = locked.standing
    assessment.commitment = commitment
    return assessment


# Correcting an article's text ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReanchorSummary:
    """How the annotations of a corrected article fared."""

    anchored: int = 0
    fuzzy: int = 0
    orphaned: int = 0

    @property
    def total(self) -> int:
        return self.anchored + self.fuzzy + self.orphaned


ANCHOR_FIELDS = ["start", "end", "quote", "prefix", "suffix", "anchor_state"]


@transaction.atomic
def article_correct_text(*, article: Article, new_body: str, user) -> ReanchorSummary:
    """Save a corrected text and move every annotation of the article with it.

    The correction wins: an annotation whose passage cannot be found again is
    kept and marked orphaned, one found only approximately is marked fuzzy
    until an editor confirms it (see briefings/anchoring.py). Notes and links
    are never touched. One revision holds the article and its annotations.
    """
    old_body = None
    if article.pk is not None:
        old_body = (
            Article.objects.filter(pk=article.pk).values_list("body", flat=True).first()
        )
    article.body = new_body
    counts = {state: 0 for state in AnchorState}
    with reversion.create_revision():
        record_save(
            instance=article,
            user=user,
            comment=_("Corrected the text and re-anchored its annotations."),
        )
        annotations = list(
            Annotation.objects.filter(article=article).select_for_update()
        )
        for annotation in annotations:
            anchor = reanchor(old_body, article.body, annotation)
            state = anchor.state
            annotation.article = article
            annotation.start, annotation.end = anchor.start, anchor.end
            annotation.quote = anchor.quote
            annotation.prefix, annotation.suffix = anchor.prefix, anchor.suffix
            annotation.anchor_state = state
            counts[state] += 1
        # Every anchor lies inside the text by construction, and an orphan's
        # quote is by definition not at its position, so full_clean() (which
        # checks exactly that) has nothing to say here.
        bulk_update_versioned(Annotation, annotations, ANCHOR_FIELDS)
        # bulk_update sends no signals; the highlights on the page moved.
        bump_after_commit()
        if reversion.is_registered(Annotation):
            for annotation in annotations:
                reversion.add_to_revision(annotation)
    return ReanchorSummary(
        anchored=counts[AnchorState.ANCHORED],
        fuzzy=counts[AnchorState.FUZZY],
        orphaned=counts[AnchorState.ORPHANED],
    )


@transaction.atomic
def annotations_confirm_anchors(*, annotations: Iterable[Annotation], user) -> int:
    """An editor's word that fuzzy anchors point at the right words."""
    if user is None or not user.has_perm("briefings.change_annotation"):
        raise PermissionDenied(_("You may not confirm anchors."))
    fuzzy = [a for a in annotations if a.anchor_state == AnchorState.FUZZY]
    with reversion.create_revision():
        for annotation in fuzzy:
            annotation.anchor_state = AnchorState.ANCHORED
            annotation.full_clean(
                exclude={"article", "actor", "meeting", "commitment", "created_by"},
                validate_unique=False,
                validate_constraints=False,
            )
        bulk_update_versioned(Annotation, fuzzy, ["anchor_state"])
        # bulk_update sends no signals; a confirmed anchor is highlighted.
        bump_after_commit()
        if reversion.is_registered(Annotation):
            for annotation in fuzzy:
                reversion.add_to_revision(annotation)
        reversion.set_user(user)
        reversion.set_comment(
            ngettext(
                "Confirmed %(n)d fuzzy anchor.",
                "Confirmed %(n)d fuzzy anchors.",
                len(fuzzy),
            )
            % {"n": len(fuzzy)}
        )
    return len(fuzzy)
