"""RSS and Atom feeds of newly published briefings and source articles.

Feeds read `published()` records only, whoever asks: a feed reader has no
session, and a staff member's feed must not be shared around with drafts in it.
Each feed is one query for its items and one for their topics, however many
items there are.

An item's description is the plain text of the editor's Markdown summary,
HTML-escaped: RSS <description> and Atom <summary type="html"> are HTML to a
feed reader, so text that looks like a tag must arrive as text.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from briefings import markup
from briefings.models import Article, Meeting, Topic

FEED_LENGTH = 50

DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class RssWithItemLanguage(Rss201rev2Feed):
    """RSS 2.0 has no per-item language, so each item says it in Dublin Core."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])


class AtomWithItemLanguage(Atom1Feed):
    """Atom carries a language on any element as xml:lang."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes


def _published_topics() -> Prefetch:
    return Prefetch("topics", queryset=Topic.objects.published().order_by("name"))


def _newest_first():
    # Records published before `published_at` was recorded go last, not first.
    return F("published_at").desc(nulls_last=True)


class PublishableFeed(Feed):
    author_name = "Serantau"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # Atom requires <updated> on every entry, even one never republished.
        return item.updated_at

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class BriefingsFeed(PublishableFeed):
    feed_type = Rss201rev2Feed
    title = _("Serantau: meeting briefings")
    description = _(
        "Newly published briefings on meetings in Southeast Asian security "
        "diplomacy: who met, what was committed, and the sources."
    )

    def link(self):
        return reverse("meeting-list")

    def items(self):
        return (
            Meeting.objects.published()
            .prefetch_related(_published_topics())
            .order_by(_newest_first(), "-start", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, meeting: Meeting) -> str:
        return meeting.short_name or meeting.name

    def item_description(self, meeting: Meeting) -> str:
        return escape(markup.plain(meeting.summary))


class BriefingsAtomFeed(BriefingsFeed):
    feed_type = Atom1Feed
    subtitle = BriefingsFeed.description


class ArticlesFeed(PublishableFeed):
    feed_type = RssWithItemLanguage
    title = _("Serantau: source articles")
    description = _(
        "Newly published source articles, mostly in Malay and Indonesian, with "
        "an editor's summary in English."
    )

    def link(self):
        return reverse("article-list")

    def items(self):
        return (
            Article.objects.published()
            .select_related("outlet")
            .prefetch_related(_published_topics())
            .order_by(_newest_first(), "-published", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return escape(markup.plain(article.summary))

    def item_author_name(self, article: Article) -> str | None:
        # An outlet still in draft is not named, as the reader page does not.
        outlet = article.outlet
        return outlet.name if outlet is not None and outlet.is_published else None

    def item_extra_kwargs(self, article: Article) -> dict:
        return {"language": article.language}


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = AtomWithItemLanguage
    subtitle = ArticlesFeed.description
