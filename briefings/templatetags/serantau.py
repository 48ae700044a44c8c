"""Template helpers of the public pages: dates at their precision, language
attributes, editors' Markdown, the annotated source text and the JSON-LD
blocks."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from briefings import jsonld, markup
from briefings.dates import PartialDate
from briefings.models import Language

register = template.Library()


@register.filter
def partial_date(value) -> str:
    """A <time> element reading "4 December, year not stated" for "--12-04".

    Every form a PartialDate takes (YYYY-MM-DD, YYYY-MM, YYYY, --MM-DD) is also a
    valid value of the datetime attribute, so machines read the same precision.
    """
    if not value:
        return ""
    try:
        date = value if isinstance(value, PartialDate) else PartialDate(str(value))
    except ValueError:
        return str(value)
    return format_html('<time datetime="{}">{}</time>', str(date), date.display())


@register.filter
def markdown(text, form: str = "") -> str:
    """An editor's Markdown as sanitized HTML; `|markdown:"plain"` gives its
    words on one line as text (escaped once, by the template), for a meta
    description or a truncated line."""
    if form == "plain":
        return markup.plain(text)
    return markup.render(text)


@register.filter
def web_url(url) -> str:
    """The URL if a link may point to it (http or https); empty otherwise."""
    return markup.web_url(url) or ""


@register.filter
def lang_attr(code) -> str:
    """` lang="ms"` for a known language; nothing when it is unknown."""
    if not code or code == Language.OTHER:
        return ""
    return format_html(' lang="{}"', code)


@register.filter
def annotation_target(annotation):
    """The record an annotation supports or is about, most specific first."""
    for name in ("commitment", "meeting", "actor"):
        target = getattr(annotation, name, None)
        if target is not None:
            return target
    return None


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str) -> SafeString:
    url = reverse(url_name)
    request = context.get("request")
    current = request is not None and (
        request.path == url or (url != "/" and request.path.startswith(url))
    )
    return format_html(
        '<a href="{}"{}>{}</a>',
        url,
        mark_safe(' aria-current="page"') if current else "",
        label,
    )


def _target_link(annotation) -> SafeString:
    target = annotation_target(annotation)
    if target is None:
        return mark_safe("")
    kind = {
        "commitment": _("commitment"),
        "meeting": _("meeting"),
        "actor": _("actor"),
    }[target._meta.model_name]
    return format_html(
        '<a class="annotation-target" href="{}">[→ {}: {}]</a>',
        target.get_absolute_url(),
        kind,
        target,
    )


@register.simple_tag
def annotated_text(segments) -> SafeString:
    """The verbatim text with each annotated run in <mark>.

    Built here rather than in a template because the text sits in a
    `white-space: pre-wrap` block, where a template's own line breaks would
    show. The first run of an annotation carries its id (annotation-<pk>), so a
    quote elsewhere links straight to it; where it ends, a bracketed link leads
    to what it supports. Links follow the marks, never sit inside one another.
    """
    parts = []
    for segment in segments:
        anchors = [f"annotation-{a.pk}" for a in segment.starting]
        # A run where several annotations begin carries one id on the <mark>;
        # the others get an empty anchor just before it.
        parts.extend(
            format_html('<span id="{}" class="anchor"></span>', anchor)
            for anchor in anchors[1:]
        )
        if segment.covering:
            parts.append(
                format_html(
                    "<mark{}{}>{}</mark>",
                    format_html(' id="{}"', anchors[0]) if anchors else "",
                    mark_safe(' class="overlap"') if len(segment.covering) > 1 else "",
                    segment.text,
                )
            )
        else:
            parts.append(format_html("{}", segment.text))
        parts.extend(_target_link(a) for a in segment.ending)
    return mark_safe("".join(parts))


def _absolute(context):
    request = context.get("request")
    if request is None:
        return lambda path: path
    return request.build_absolute_uri


@register.simple_tag(takes_context=True)
def meeting_jsonld(context, meeting, participants_by_role, topics) -> SafeString:
    participations = [p for _, group in participants_by_role for p in group]
    return jsonld.as_script(
        jsonld.meeting_event(
            meeting,
            participations=participations,
            topics=topics,
            absolute=_absolute(context),
        )
    )


@register.simple_tag(takes_context=True)
def article_jsonld(context, article) -> SafeString:
    return jsonld.as_script(jsonld.news_article(article, absolute=_absolute(context)))


@register.simple_tag(takes_context=True)
def actor_jsonld(context, actor, aliases) -> SafeString:
    return jsonld.as_script(
        jsonld.actor(actor, aliases=aliases, absolute=_absolute(context))
    )


@register.simple_tag
def actor_links(actors) -> SafeString:
    """Parties as a comma-separated run of links."""
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((a.get_absolute_url(), a.name) for a in actors)
    )
