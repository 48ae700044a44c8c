"""Serantau's domain: who met, who committed to what, and where the source says so.

Every public-facing record carries an editorial status. Readers and anonymous API
clients see `published()` records only; the queryset methods below are the one
place that rule is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from briefings.dates import PartialDateField


class EditorialStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")


class Language(models.TextChoices):
    MALAY = "ms", _("Malay")
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")
    VIETNAMESE = "vi", _("Vietnamese")
    OTHER = "und", _("other or undetermined")


def can_preview(user) -> bool:
    """Staff preview drafts; everybody else sees published records only."""
    return user is not None and user.is_active and user.is_staff


def visible_q(user, prefix: str = "") -> Q:
    """The same rule as a filter, also across a relation: visible_q(u, "actor__")."""
    if can_preview(user):
        return Q()
    return Q(**{f"{prefix}status": EditorialStatus.PUBLISHED})


def conceal(user, objects: Iterable, *paths: str) -> None:
    """Blank the links along `paths` ("country", "actor.country") that `user`
    may not follow, on objects already fetched for display.

    It changes the objects in memory only: never save an object after this.
    """
    if can_preview(user):
        return
    for obj in objects:
        for path in paths:
            *head, last = path.split(".")
            target = obj
            for name in head:
                target = getattr(target, name, None)
            related = getattr(target, last, None) if target is not None else None
            if related is not None and not related.is_published:
                setattr(target, last, None)


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=EditorialStatus.PUBLISHED)

    def visible_to(self, user):
        return self.filter(visible_q(user))


class Versioned(models.Model):
    """A record editors change: its version moves on with every save, so that a
    save made from a copy loaded before somebody else's is refused
    (services.record_claim_version) rather than applied over it."""

    # db_default lets the migration fill existing rows in the ALTER itself.
    version = models.PositiveIntegerField(
        _("version"), default=1, db_default=1, editable=False
    )

    class Meta:
        abstract = True


def keep_versions_moving_on(sender, instance, raw: bool, **kwargs) -> None:
    """A raw save over a stored row moves its version on, never back.

    django-reversion restores an old version of a record (history's "revert"
    and "recover") as a raw save of what it stored, version number included.
    Left so, the record would go back to a number an editor's stale form may
    still carry, and that form's save would pass as fresh over the revert.
    A raw save of a new row (loaddata) keeps its number.
    """
    if not raw or not isinstance(instance, Versioned) or instance.pk is None:
        return
    stored = (
        sender._base_manager.filter(pk=instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    if stored is not None and instance.version <= stored:
        instance.version = stored + 1


class Publishable(Versioned):
    status = models.CharField(
        _("editorial status"),
        max_length=12,
        choices=EditorialStatus.choices,
        default=EditorialStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(
        _("first published"),
        null=True,
        blank=True,
        help_text=_("Set when the record is first published."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        # "publish" is a permission of its own, so that an editor may change a
        # record without being able to make it public.
        default_permissions = ("add", "change", "delete", "view", "publish")

    @property
    def is_published(self) -> bool:
        return self.status == EditorialStatus.PUBLISHED


class Topic(Publishable):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta(Publishable.Meta):
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("topic-detail", kwargs={"slug": self.slug})


class ActorKind(models.TextChoices):
    PERSON = "person", _("person")
    COUNTRY = "country", _("country")
    ORGANISATION = "organisation", _("organisation")


class OrganisationType(models.TextChoices):
    GOVERNMENT = "government", _("government")
    MINISTRY = "ministry", _("ministry")
    ARMED_FORCE = "armed_force", _("armed force")
    POLICE = "police", _("police")
    AGENCY = "agency", _("agency")
    INTERNATIONAL_BODY = "international_body", _("international body")
    COMPANY = "company", _("company")
    NEWS_OUTLET = "news_outlet", _("news outlet")
    FORUM = "forum", _("forum")


class ActorQuerySet(PublishableQuerySet):
    def countries(self):
        return self.filter(kind=ActorKind.COUNTRY)

    def for_actor_page(self, user):
        return self.select_related("country", "parent").prefetch_related(
            "aliases",
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(visible_q(user, "meeting__"))
                .select_related("meeting__country", "represents")
                .order_by("-meeting__start", "meeting__name"),
            ),
            # Commitments are not prefetched: an organisation makes hundreds,
            # and the page shows the first few (views.actor_detail).
            Prefetch(
                "annotations",
                queryset=Annotation.objects.filter(
                    visible_q(user, "article__")
                ).select_related("article"),
            ),
            Prefetch(
                "units",
                queryset=Actor.objects.visible_to(user).order_by("name"),
            ),
        )

    def for_country_page(self):
        """A country with its aliases; its meetings, commitments and quotes,
        which run to thousands, are cut to a page by the view."""
        return self.select_related("country", "parent").prefetch_related("aliases")


class Actor(Publishable):
    """A person, a country or an organisation, under one canonical name.

    Aliases keep the names as the sources write them; they also drive the name
    matching on import, so they belong to the actor rather than to an article.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=ActorKind.choices)
    organisation_type = models.CharField(
        _("type of organisation"),
        max_length=20,
        choices=OrganisationType.choices,
        blank=True,
    )
    name = models.CharField(
        _("canonical name"),
        max_length=200,
        help_text=_("Without honorifics: Mohamed Khaled Nordin, not Dato' Seri …"),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    honorific = models.CharField(
        _("honorific"),
        max_length=100,
        blank=True,
        help_text=_("As the source gives it: Dato' Seri, Letnan Jenderal Senior."),
    )
    position = models.CharField(_("position (English)"), max_length=300, blank=True)
    position_local = models.CharField(
        _("position as written in the source"), max_length=300, blank=True
    )
    country = models.ForeignKey(
        "self",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nationals",
        limit_choices_to={"kind": ActorKind.COUNTRY},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("The organisation this one belongs to: Divhubinter → Polri."),
    )
    iso_code = models.CharField(
        _("ISO 3166 alpha-2 code"),
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters."))],
    )
    is_asean_member = models.BooleanField(_("ASEAN member state"), default=False)
    wikidata_id = models.CharField(
        _("Wikidata id"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", _("A Wikidata id: Q836."))],
    )
    description = models.TextField(_("description (English)"), blank=True)

    objects = ActorQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            models.UniqueConstraint(
                fields=["iso_code"],
                condition=~Q(iso_code=""),
                name="actor_iso_code_unique",
                violation_error_message=_("Another country has this ISO code."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ActorKind.COUNTRY) | Q(iso_code=""),
                name="actor_iso_code_only_on_countries",
                violation_error_message=_("Only countries carry an ISO code."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ActorKind.COUNTRY) | Q(is_asean_member=False),
                name="actor_asean_membership_only_on_countries",
                violation_error_message=_("Only countries are ASEAN members."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ActorKind.ORGANISATION) | Q(organisation_type=""),
                name="actor_organisation_type_only_on_organisations",
                violation_error_message=_(
                    "Only organisations have a type of organisation."
                ),
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        if self.kind == ActorKind.COUNTRY and self.iso_code:
            return f"{self.name} ({self.iso_code})"
        return self.name

    def get_absolute_url(self) -> str:
        if self.kind == ActorKind.COUNTRY:
            return reverse("country-detail", kwargs={"slug": self.slug})
        return reverse("actor-detail", kwargs={"slug": self.slug})

    @property
    def full_name(self) -> str:
        """The name as a reader would address the person: "Dato' Seri Mohamed …"."""
        return f"{self.honorific} {self.name}".strip()

    def clean(self) -> None:
        if self.country_id and self.country_id == self.pk:
            raise ValidationError({"country": _("An actor is not its own country.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An actor is not part of itself.")})
        if self.country and self.country.kind != ActorKind.COUNTRY:
            raise ValidationError({"country": _("Choose an actor of kind country.")})


class ActorAlias(Versioned):
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("actor")
    )
    name = models.CharField(_("name as written"), max_length=200)
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "name"], name="actor_alias_unique_per_actor"
            )
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class MeetingLevel(models.TextChoices):
    LEADERS = "leaders", _("leaders")
    MINISTERIAL = "ministerial", _("ministerial")
    DEPUTY_MINISTERIAL = "deputy_ministerial", _("deputy-ministerial")
    SENIOR_OFFICIALS = "senior_officials", _("senior officials")
    WORKING_GROUP = "working_group", _("working group")
    SEMINAR = "seminar", _("seminar")


class MeetingFormat(models.TextChoices):
    MULTILATERAL = "multilateral", _("multilateral")
    BILATERAL = "bilateral", _("bilateral")


class MeetingState(models.TextChoices):
    ANNOUNCED = "announced", _("announced")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class MeetingQuerySet(PublishableQuerySet):
    def upcoming(self):
        return self.filter(state=MeetingState.ANNOUNCED)

    def involving(self, country):
        """Held in the country, or attended by it, its people or organisations.

        A subquery rather than a join: a join repeats a meeting per participant
        and needs DISTINCT over every row before the page can be cut.
        """
        attended = Participation.objects.filter(
            Q(actor=country) | Q(actor__country=country)
        ).values("meeting")
        return self.filter(Q(country=country) | Q(pk__in=attended))

    def for_listing(self):
        return self.select_related("country")

    def count_by_year(self) -> list[tuple[str, int]]:
        """(year, meetings) for every year with a dated meeting, in one query."""
        return list(
            self.exclude(start="")
            .exclude(start__startswith="--")
            .annotate(year=Substr("start", 1, 4))
            .values_list("year")
            .annotate(n=Count("pk"))
            .order_by("year")
        )

    def for_briefing_page(self, user):
        """A meeting with all its briefing shows, in a fixed number of queries."""
        return self.select_related(
            "country", "reports_to__reports_to__reports_to"
        ).prefetch_related(
            Prefetch(
                "reporting_meetings",
                queryset=Meeting.objects.visible_to(user).order_by("start", "name"),
            ),
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(visible_q(user, "actor__"))
                .select_related("actor", "represents")
                .order_by("actor__name"),
            ),
            Prefetch(
                "commitments",
                queryset=Commitment.objects.visible_to(user).for_listing(user),
            ),
            Prefetch(
                "articles",
                queryset=Article.objects.visible_to(user).for_listing(),
            ),
            Prefetch("topics", queryset=Topic.objects.visible_to(user)),
            Prefetch(
                "annotations",
                queryset=Annotation.objects.filter(
                    visible_q(user, "article__")
                ).select_related("article"),
            ),
        )


class Meeting(Publishable):
    name = models.CharField(_("name (English)"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    name_local = models.CharField(
        _("name as written in the source"), max_length=300, blank=True
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    series = models.CharField(
        _("series"),
        max_length=100,
        blank=True,
        help_text=_("The recurring meeting this is an edition of: SOMTC WG on CT."),
    )
    edition = models.PositiveSmallIntegerField(_("edition"), null=True, blank=True)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=MeetingLevel.choices,
        blank=True,
        help_text=_("Leave blank when the source does not say."),
    )
    format = models.CharField(_("format"), max_length=12, choices=MeetingFormat.choices)
    start = PartialDateField(_("start date"), db_index=True)
    end = PartialDateField(_("end date"))
    date_note = models.CharField(
        _("editor's note on the dates"),
        max_length=300,
        blank=True,
        help_text=_("Say what the source gives when it gives less than a date."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city or region"), max_length=200, blank=True)
    country = models.ForeignKey(
        Actor,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings_hosted",
        limit_choices_to={"kind": ActorKind.COUNTRY},
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=MeetingState.choices,
        default=MeetingState.HELD,
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reporting_meetings",
        help_text=_("SOMTC WG on CT reports to SOMTC, which reports to AMMTC."),
    )
    summary = models.TextField(_("summary (English)"), blank=True)
    participants = models.ManyToManyField(
        Actor,
        through="Participation",
        through_fields=("meeting", "actor"),
        related_name="meetings",
        verbose_name=_("participants"),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="meetings", verbose_name=_("topics")
    )

    objects = MeetingQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-start", "name"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        # The published list in its order, read from the index, not sorted.
        indexes = [
            models.Index(
                fields=["status", "-start", "name"], name="meeting_listing_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start="") | Q(end="") | Q(end__gte=F("start")),
                name="meeting_starts_before_it_ends",
                violation_error_message=_("The meeting cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(reports_to=F("pk")),
                name="meeting_does_not_report_to_itself",
                violation_error_message=_("A meeting cannot report to itself."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("meeting-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # Walk up the chain so that A → B → A cannot be saved.
        seen = {self.pk}
        parent = self.reports_to
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError(
                    {"reports_to": _("This would make the reporting chain a loop.")}
                )
            seen.add(parent.pk)
            parent = parent.reports_to


class ParticipationRole(models.TextChoices):
    HOST = "host", _("host")
    CHAIR = "chair", _("chair")
    CO_CHAIR = "co_chair", _("co-chair")
    HEAD_OF_DELEGATION = "head_of_delegation", _("head of delegation")
    SECRETARY = "secretary", _("secretary")
    PARTICIPANT = "participant", _("participant")
    OBSERVER = "observer", _("observer")
    KEYNOTE_SPEAKER = "keynote_speaker", _("keynote speaker")


class Participation(Versioned):
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("meeting"),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("actor"),
    )
    role = models.CharField(_("role"), max_length=20, choices=ParticipationRole.choices)
    represents = models.ForeignKey(
        Actor,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_at",
        help_text=_("The country or organisation a person took part for."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["meeting", "role", "actor__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "actor", "role"],
                name="participation_unique_role",
                violation_error_message=_("This actor already has this role here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} — {self.get_role_display()} — {self.meeting}"


class ArticleQuerySet(PublishableQuerySet):
    def for_listing(self):
        # A list shows no source text, which is most of an article's bytes.
        return self.select_related("outlet").defer("body")

    def for_reader(self, user):
        """An article with its annotations and the records it concerns."""
        return self.select_related("outlet").prefetch_related(
            Prefetch(
                "annotations",
                queryset=Annotation.objects.select_related(
                    "actor", "meeting", "commitment"
                ).order_by("start", "-end"),
            ),
            Prefetch("meetings", queryset=Meeting.objects.visible_to(user)),
            Prefetch("actors", queryset=Actor.objects.visible_to(user)),
            Prefetch("topics", queryset=Topic.objects.visible_to(user)),
            Prefetch(
                "commitments",
                queryset=Commitment.objects.visible_to(user)
                .for_listing(user)
                .order_by("pk"),
            ),
        )


class Article(Publishable):
    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    outlet = models.ForeignKey(
        Actor,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles_published",
        help_text=_("The news outlet or press office that published the text."),
    )
    url = models.URLField(_("source URL"), max_length=1000, blank=True)
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, db_index=True
    )
    published = PartialDateField(_("date published"), db_index=True)
    date_note = models.CharField(
        _("editor's note on the date"), max_length=300, blank=True
    )
    body = models.TextField(
        _("source text"),
        help_text=_("Verbatim, less site boilerplate. Never rewritten by the system."),
    )
    summary = models.TextField(_("summary (English)"), blank=True)
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_(
            "SHA-256 of the source text; re-importing the same text is a no-op."
        ),
    )
    imported_from = models.CharField(_("imported from"), max_length=500, blank=True)
    meetings = models.ManyToManyField(
        Meeting, blank=True, related_name="articles", verbose_name=_("meetings")
    )
    actors = models.ManyToManyField(
        Actor, blank=True, related_name="articles", verbose_name=_("actors")
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="articles", verbose_name=_("topics")
    )

    objects = ArticleQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-published", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # The published list in its order, read from the index, not sorted.
            models.Index(
                fields=["status", "-published", "title"], name="article_listing_idx"
            ),
            # The feeds' order (newest publication first). SQLite reads it for
            # NULLS LAST too; PostgreSQL would need DESC NULLS LAST, which
            # SQLite cannot index.
            models.Index(
                fields=["status", "-published_at", "-published", "-id"],
                name="article_feed_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="article_url_unique",
                violation_error_message=_("An article with this URL exists already."),
            ),
            models.CheckConstraint(
                condition=~Q(body=""),
                name="article_has_text",
                violation_error_message=_("An article needs its source text."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article-detail", kwargs={"slug": self.slug})

    @staticmethod
    def hash_text(body: str) -> str:
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


class CommitmentKind(models.TextChoices):
    TARGET = "target", _("target or outcome")
    AGREEMENT = "agreement", _("agreement")
    MOU = "mou", _("memorandum of understanding")
    LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
    PLAN = "plan", _("plan")
    SUPPORT = "support", _("support or endorsement")
    STATEMENT_OF_INTENT = "statement_of_intent", _("statement of intent")


class Standing(models.TextChoices):
    ANNOUNCED = "announced", _("announced")
    IN_PROGRESS = "in_progress", _("in progress")
    FULFILLED = "fulfilled", _("fulfilled")
    PARTLY_FULFILLED = "partly_fulfilled", _("partly fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("not fulfilled")
    UNKNOWN = "unknown", _("unknown")


OPEN_STANDINGS = [Standing.ANNOUNCED, Standing.IN_PROGRESS, Standing.UNKNOWN]


class CommitmentQuerySet(PublishableQuerySet):
    def open(self):
        return self.filter(standing__in=OPEN_STANDINGS)

    def made_by_country(self, country):
        """Made by the country itself, or by one of its people or organisations.

        A subquery, so that a commitment with several such parties is one row
        without DISTINCT."""
        parties = Commitment.actors.through.objects.filter(
            Q(actor=country) | Q(actor__country=country)
        ).values("commitment")
        return self.filter(pk__in=parties)

    def for_listing(self, user):
        """Commitments as lists show them: parties, topics, meeting, source."""
        return (
            self.select_related("meeting", "source_article")
            .defer("source_article__body")
            .prefetch_related(
                Prefetch("actors", queryset=Actor.objects.visible_to(user)),
                Prefetch("topics", queryset=Topic.objects.visible_to(user)),
            )
        )

    def for_commitment_page(self, user):
        return self.for_listing(user).prefetch_related(
            Prefetch(
                "annotations",
                queryset=Annotation.objects.filter(
                    visible_q(user, "article__")
                ).select_related("article"),
            ),
            Prefetch(
                "assessments",
                queryset=ComplianceAssessment.objects.select_related(
                    "actor", "evidence_article"
                ).order_by("-assessed_on", "-pk"),
            ),
        )


class Commitment(Publishable):
    """One pledge, target or agreement; each separate target is its own record."""

    title = models.CharField(_("title (English)"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    statement = models.TextField(
        _("statement as written in the source"),
        help_text=_("The words of the source; the annotation anchors them."),
    )
    summary = models.TextField(_("summary (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    actors = models.ManyToManyField(
        Actor, related_name="commitments", verbose_name=_("made by")
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("made at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="commitments", verbose_name=_("topics")
    )
    deadline = PartialDateField(_("deadline"), db_index=True)
    deadline_note = models.CharField(
        _("deadline as stated"),
        max_length=300,
        blank=True,
        help_text=_('In the source\'s terms: "to Cabinet by October".'),
    )
    source_article = models.ForeignKey(
        Article,
        verbose_name=_("source article"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    standing = models.CharField(
        _("current standing"),
        max_length=20,
        choices=Standing.choices,
        default=Standing.ANNOUNCED,
        db_index=True,
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["source_article", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        # The tracker's order among published commitments.
        indexes = [
            models.Index(
                fields=["status", "deadline", "id"], name="commitment_listing_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commitment-detail", kwargs={"slug": self.slug})


class ComplianceScore(models.IntegerChoices):
    NOT_KEPT = -1, _("−1 not kept, or acted against")
    PARTLY = 0, _("0 partly kept")
    KEPT = 1, _("+1 kept")


class ComplianceAssessment(Versioned):
    """A dated judgement; a new one supersedes, it never overwrites."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("commitment"),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("actor assessed"),
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    score = models.SmallIntegerField(_("score"), choices=ComplianceScore.choices)
    rationale = models.TextField(_("rationale"))
    evidence_article = models.ForeignKey(
        Article,
        verbose_name=_("evidence (article)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_for",
    )
    evidence_url = models.URLField(_("evidence (URL)"), max_length=1000, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["commitment", "-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]
        verbose_name = _("compliance assessment")
        verbose_name_plural = _("compliance assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__in=[-1, 0, 1]),
                name="assessment_score_in_range",
                violation_error_message=_("The score is −1, 0 or +1."),
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("pk")),
                name="assessment_does_not_supersede_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} — {self.actor}: {self.score:+d} ({self.assessed_on})"


class AnchorState(models.TextChoices):
    ANCHORED = "anchored", _("anchored")
    FUZZY = "fuzzy", _("fuzzy, awaiting an editor's confirmation")
    ORPHANED = "orphaned", _("orphaned")


class TextSpan(Versioned):
    """A span of an article's body, by character offsets (W3C position selector)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, verbose_name=_("article")
    )
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))

    class Meta:
        abstract = True

    # The field that holds the spanned text as the editor saw it.
    span_field: str

    def clean(self) -> None:
        if self.start is None or self.end is None or not self.article_id:
            return
        body = self.article.body
        if not 0 <= self.start < self.end <= len(body):
            raise ValidationError(
                _("The span %(start)s–%(end)s lies outside the article's text.")
                % {"start": self.start, "end": self.end}
            )
        if body[self.start : self.end] != getattr(self, self.span_field):
            raise ValidationError(
                {self.span_field: _("This is not the text at this position.")}
            )


class Annotation(TextSpan):
    """An editor's note on a passage, anchored as the W3C Web Annotation model does.

    The position (start, end) is fast; the quote with its prefix and suffix lets
    the anchor be found again when the text is corrected, and tells the editor
    when it cannot be.
    """

    span_field = "quote"

    quote = models.TextField(_("exact quote"))
    prefix = models.CharField(_("text before"), max_length=64, blank=True)
    suffix = models.CharField(_("text after"), max_length=64, blank=True)
    note = models.TextField(_("editor's note"), blank=True)
    anchor_state = models.CharField(
        _("anchor"),
        max_length=10,
        choices=AnchorState.choices,
        default=AnchorState.ANCHORED,
    )
    actor = models.ForeignKey(
        Actor,
        verbose_name=_("about actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("about meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("supports commitment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        default_related_name = "annotations"
        ordering = ["article", "start"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        # The default order, so that a page of annotations needs no sort.
        indexes = [
            models.Index(fields=["article", "start"], name="annotation_position_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="annotation_start_before_end",
                violation_error_message=_("An annotation starts before it ends."),
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}” ({self.article})"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#annotation-{self.pk}"


class MentionQuerySet(models.QuerySet):
    """Confirmed means an editor linked the name to an actor or a meeting;
    a proposal from the importer does not count."""

    CONFIRMED = Q(actor__isnull=False) | Q(meeting__isnull=False)

    def resolved(self):
        return self.filter(self.CONFIRMED)

    def unresolved(self):
        return self.exclude(self.CONFIRMED)


class Mention(TextSpan):
    """A name found in an article; it refers to an actor only once an editor says so."""

    span_field = "text"

    text = models.CharField(_("name as written"), max_length=300)
    actor = models.ForeignKey(
        Actor,
        verbose_name=_("refers to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentions",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("refers to meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentions",
    )
    # What the importer's name matching suggests. A suggestion links nothing:
    # only an editor setting `actor` or `meeting` does.
    proposed_actor = models.ForeignKey(
        Actor,
        verbose_name=_("proposed actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_mentions",
    )
    proposed_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("proposed meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_mentions",
    )
    similarity = models.FloatField(
        _("match score"),
        null=True,
        blank=True,
        help_text=_("How closely the name matched the proposal, 0–100."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        default_related_name = "mentions"
        ordering = ["article", "start"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="mention_start_before_end",
                violation_error_message=_("A mention starts before it ends."),
            ),
            models.UniqueConstraint(
                fields=["article", "start", "end"], name="mention_unique_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.article})"

    @property
    def is_resolved(self) -> bool:
        return self.actor_id is not None or self.meeting_id is not None


# Background imports ----------------------------------------------------------------


class ImportKind(models.TextChoices):
    TEXT = "text", _("text articles")
    TABULAR = "tabular", _("spreadsheet")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class ImportJobQuerySet(models.QuerySet):
    def for_desk(self) -> ImportJobQuerySet:
        """What the jobs' list shows: what was imported and how it went, without
        the uploaded bytes or the full report, which may run to megabytes."""
        return (
            self.select_related("content_type")
            .defer("content", "report")
            .annotate(report_counts=F("report__counts"))
        )

    def for_page(self) -> ImportJobQuerySet:
        return self.select_related("content_type").defer("content")


class ImportJob(models.Model):
    """An import too large to wait for, run by a worker (briefings/jobs.py).

    The upload itself is kept on the row until the job ends: the worker may run
    on another machine, which reads neither this server's disk nor its cache.
    The import is one transaction, so its progress is published in the shared
    cache while it runs, and only the outcome is written here.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("records"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(
        _("format"),
        max_length=10,
        blank=True,
        help_text=_("A spreadsheet's format (csv, xlsx, json)."),
    )
    content = models.BinaryField(_("uploaded content"), blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ImportState.choices,
        default=ImportState.QUEUED,
    )
    total = models.PositiveIntegerField(_("files or rows"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    task_id = models.CharField(_("task result id"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the account is deleted: the job still says who asked, and a
    # queued job of a deleted account is refused rather than run as the system.
    created_by_name = models.CharField(
        _("asked by (name)"),
        max_length=150,
        blank=True,
        help_text=_("Empty when the system asked (manage.py import_articles)."),
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        # Nobody adds, changes or deletes a job by hand, and who may see the
        # jobs follows who may import (briefings/admin_jobs.py).
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ImportState.values),
                name="importjob_state_known",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")),
                name="importjob_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (ImportState.SUCCEEDED, ImportState.FAILED)
