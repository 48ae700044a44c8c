"""Full-text search over meetings, actors, commitments and articles.

One module serves the search page, the API's `/search/` and the `search`
parameter of its lists. The index lives in the database and is kept current by
triggers (briefings/migrations/0004_search_index.py, which explains its
layout); this module only reads it.

- PostgreSQL: a `search_vector` tsvector column per table with a GIN index. An
  article is searched in its own language's configuration (`indonesian` for
  Indonesian and Malay, `english`, else `simple`), plus `english` for its
  English summary; meetings, actors and commitments mix English and Malay, so
  each query word may match its `simple`, `english` or `indonesian` form.
  Ranked with ts_rank_cd; snippets by ts_headline.
- SQLite: FTS5 tables (unicode61, case and diacritics folded, no stemming),
  ranked with bm25(); snippets by snippet().

The user's text is parsed here, never handed to a database's query parser:
words, "quoted phrases", -excluded words, `or` between alternatives, and the
last word (or any word ending in `*`) matched as a prefix too. Each word
becomes a quoted literal, so no input is a syntax error on either database.

Ranking reads each match's indexed text, which no reader can wait for when a
word is in half the archive: only the newest RANK_CANDIDATES matches of each
kind are ranked (all of them when there are fewer). Finding those is bounded
too: FTS5 lists matches newest first by itself, and on PostgreSQL a function
of the migration reads the newest rows window by window through the indexes.

Snippets are computed in a statement of their own, for the rows shown only.
The database marks the matches with two control characters; the text is
escaped and only then are the marks turned into <mark> elements, so a record's
text can never inject markup.

The statements one search runs, for a benchmark to run directly:

    from django.db import connection
    from briefings import search

    statements = search.search_sql("kerja sama", user=None)  # [(sql, params)]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()

On PostgreSQL the first reads the query's lexemes under each configuration,
then comes the ranked page of each kind, exactly as search() runs it
(`search_queryset(kind, query, user=...)[:limit]` unevaluated), then the
snippets (`snippet_sql(query, {kind: ids})`); search_sql() reads the pages once
to name their records there. `user=None` searches as an anonymous reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Field, FloatField, Model, QuerySet
from django.db.models.expressions import Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from briefings.models import (
    Actor,
    Article,
    Commitment,
    Meeting,
    can_preview,
    conceal,
)

# The annotation holding a row's rank: higher is better.
RANK = "search_rank"

MAX_QUERY_LENGTH = 200
# Words beyond these are ignored; each costs an index lookup per configuration.
MAX_TERMS = 12
# A shorter prefix would read a large part of the index.
MIN_PREFIX = 3
# A ranked search ranks at most this many matches of each kind, the newest;
# see matching().
RANK_CANDIDATES = 300

# Where the database marks a match in a snippet. Control characters, which no
# HTML escaping touches and no reader types.
START, STOP = "\x02", "\x03"

ENGLISH, INDONESIAN, SIMPLE = "english", "indonesian", "simple"
# Every value briefings_search_config(language) returns in the migration.
ARTICLE_CONFIGS = (INDONESIAN, ENGLISH, SIMPLE)
# Records without a language: exact words, English stems, Indonesian stems.
MIXED_CONFIGS = (SIMPLE, ENGLISH, INDONESIAN)
HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=10, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
SNIPPET_TOKENS = 24
# PostgreSQL: an article's snippet is cut from this many characters of its
# text, starting this many before the first match.
HEADLINE_CHARS = 1200
HEADLINE_LEAD = 200


@dataclass(frozen=True)
class Kind:
    name: str
    plural: str
    model: type[Model]
    # The field a hit is listed under.
    title_field: str
    # Joins for displaying a hit, and the links conceal() checks on them.
    joins: tuple[str, ...]
    # Long texts a hit does not show (its snippet is read apart): an article's
    # body is kilobytes, twenty times over, and a commitment joins its source.
    unread: tuple[str, ...]
    conceal: tuple[str, ...]
    # SQLite: bm25() weights in the FTS5 table's column order, and the column
    # the snippet is cut from (the title is shown anyway).
    bm25_weights: tuple[float, ...]
    snippet_column: int


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "meeting",
            "meetings",
            Meeting,
            title_field="name",
            joins=("country",),
            unread=("summary", "country__description"),
            conceal=("country",),
            # name, short_name, name_local, series, summary
            bm25_weights=(10.0, 10.0, 10.0, 5.0, 2.0),
            snippet_column=4,
        ),
        Kind(
            "actor",
            "actors",
            Actor,
            title_field="name",
            joins=("country",),
            unread=("description", "country__description"),
            conceal=("country",),
            # name, aliases, position
            bm25_weights=(10.0, 8.0, 2.0),
            snippet_column=1,
        ),
        Kind(
            "commitment",
            "commitments",
            Commitment,
            title_field="title",
            joins=("meeting", "source_article"),
            unread=(
                "statement",
                "summary",
                "meeting__summary",
                "source_article__body",
                "source_article__summary",
            ),
            conceal=("meeting", "source_article"),
            # title, statement, summary
            bm25_weights=(10.0, 4.0, 2.0),
            snippet_column=1,
        ),
        Kind(
            "article",
            "articles",
            Article,
            title_field="title",
            joins=("outlet",),
            unread=("body", "summary", "outlet__description"),
            conceal=("outlet",),
            # title, summary, body
            bm25_weights=(10.0, 4.0, 1.0),
            snippet_column=2,
        ),
    )
}
BY_MODEL = {kind.model: kind for kind in KINDS.values()}


def supports(model: type[Model]) -> bool:
    return model in BY_MODEL


# The query ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase, as typed."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Group:
    """Every included term and none of the excluded ones."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Query:
    text: str
    # Alternatives: a record matches when it matches any group.
    groups: tuple[Group, ...]
    # PostgreSQL: the lexemes of its terms, by database, once read.
    lexemes: dict[str, Lexemes] = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.groups)


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')


def parse_query(text: str) -> Query:
    """The user's words as a query; empty when nothing in it can be searched.

    A group of exclusions only ("-draft") is dropped: a search box answering
    with everything but one word would be a list, not a search.
    """
    text = CONTROL.sub(" ", text)[:MAX_QUERY_LENGTH].strip()
    tokens = TOKEN.findall(text)
    groups: list[Group] = []
    include: list[Term] = []
    exclude: list[Term] = []
    terms = 0

    def close() -> None:
        if include:
            groups.append(Group(tuple(include), tuple(exclude)))
        include.clear()
        exclude.clear()

    for position, token in enumerate(tokens):
        if token.lower() == "or":
            close()
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        quoted = body.startswith('"')
        words = body.strip('"') if quoted else body.rstrip("*")
        if sum(char.isalnum() for char in words) == 0:
            continue
        # The last word may be unfinished; a word ending in * is a prefix.
        prefix = (
            not quoted
            and not negated
            and (words != body or position == len(tokens) - 1)
        )
        prefix = prefix and sum(char.isalnum() for char in words) >= MIN_PREFIX
        (exclude if negated else include).append(Term(words, prefix))
        terms += 1
        if terms == MAX_TERMS:
            break
    close()
    return Query(text, tuple(groups))


def _as_query(query: str | Query) -> Query:
    return query if isinstance(query, Query) else parse_query(query)


# PostgreSQL -----------------------------------------------------------------------
#
# Each word is first turned into its lexemes under each configuration, in one
# statement (`lexemes_sql`); the tsqueries are then written from them as
# constants, each alternative once: short, and a constant the planner can
# estimate from the column's statistics (`'a' | 'a' | 'a'` would count thrice).

# The lexemes of each term, as tsquery text, by (term, configuration, prefix).
Lexemes = dict[tuple[Term, str, bool], str]

LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _tsquery_literal(term: Term, prefix: bool) -> str:
    """A term as one quoted operand of to_tsquery(), whatever its characters.

    The configuration's parser splits the operand as it split the text: a
    hyphenated word or a quoted phrase becomes a phrase (<->) of its words.
    """
    quoted = term.text.replace("\\", "\\\\").replace("'", "''")
    return f"'{quoted}'" + (":*" if prefix else "")


def _terms(query: Query) -> list[Term]:
    found = (term for g in query.groups for term in (*g.include, *g.exclude))
    return list(dict.fromkeys(found))


def lexemes_sql(query: Query) -> tuple[str, list]:
    """One statement giving (term number, prefix, configuration, tsquery text)
    for every term under every configuration."""
    rows, params = [], []
    for number, term in enumerate(_terms(query)):
        for config in (SIMPLE, ENGLISH, INDONESIAN):
            for prefix in (False, True) if term.prefix else (False,):
                rows.append(f"(%s, %s, %s, '{config}')")
                params += [number, prefix, _tsquery_literal(term, prefix)]
    sql = (
        "SELECT term, prefix, config, to_tsquery(config::regconfig, operand)::text "
        f"FROM (VALUES {', '.join(rows)}) AS terms(term, prefix, operand, config)"
    )
    return sql, params


def _lexemes(query: Query, using: str) -> Lexemes:
    if using not in query.lexemes:
        terms = _terms(query)
        sql, params = lexemes_sql(query)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            query.lexemes[using] = {
                (terms[number], config, prefix): text
                for number, prefix, config, text in cursor.fetchall()
            }
    return query.lexemes[using]


def _either(forms: Iterable[str]) -> str | None:
    """Any of these tsqueries, each once; None when all are empty (a stop word)."""
    distinct = [form for form in dict.fromkeys(forms) if form]
    return (
        "(" + " | ".join(f"({form})" for form in distinct) + ")" if distinct else None
    )


def _compose(
    query: Query, forms: Callable[[Term], Iterable[str]], *, negations: bool = True
) -> str | None:
    groups = []
    for group in query.groups:
        found = [a for term in group.include if (a := _either(forms(term)))]
        if not found:
            continue
        if negations:
            found += [f"!{a}" for t in group.exclude if (a := _either(forms(t)))]
        groups.append("(" + " & ".join(found) + ")")
    return " | ".join(groups) or None


def _mixed_tsquery(query: Query, lexemes: Lexemes) -> str | None:
    """Records of no one language: a word in any of its three forms, and
    unfinished only as typed (an unfinished stem matches too much)."""
    return _compose(
        query,
        lambda t: (
            lexemes[t, SIMPLE, t.prefix],
            lexemes[t, ENGLISH, False],
            lexemes[t, INDONESIAN, False],
        ),
    )


def _article_tsquery(
    query: Query, lexemes: Lexemes, config: str, *, negations: bool = True
) -> str | None:
    """An article in `config`'s language, whose summary is English."""
    return _compose(
        query,
        lambda t: (lexemes[t, config, t.prefix], lexemes[t, ENGLISH, t.prefix]),
        negations=negations,
    )


def _article_any_tsquery(query: Query, lexemes: Lexemes) -> str | None:
    """What an article in any language might match, for the GIN index; the
    row's own language is checked next (a word left out must be left out in
    that language only, so no exclusions here)."""
    return _compose(
        query,
        lambda t: (
            lexemes[t, config, t.prefix] for config in (*ARTICLE_CONFIGS, ENGLISH)
        ),
        negations=False,
    )


def _by_article_language(query: Query, lexemes: Lexemes) -> tuple[str, list]:
    """The tsquery in the row's own language, as SQL on `{table}`.

    `vector @@ <this>` cannot use the GIN index, its right side changing from
    row to row: it checks the rows found with _article_any_tsquery.
    """
    whens = " ".join(
        f"WHEN '{config}'::regconfig THEN %s::tsquery" for config in ARTICLE_CONFIGS
    )
    sql = f'(CASE briefings_search_config({{table}}."language") {whens} END)'
    return sql, [_article_tsquery(query, lexemes, c) for c in ARTICLE_CONFIGS]


class TableSQL(Expression):
    """Raw SQL about the query's own table, written `{table}` and named at
    compile time as the query names it: "briefings_article" at the top level,
    U0 once Django nests the queryset as a subquery."""

    def __init__(self, sql: str, params: Sequence, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, list(params)

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return self.sql.replace("{table}", alias), self.params

    def get_group_by_cols(self) -> list:
        return [self]


VECTOR = '{table}."search_vector"'


def _pg_matching(
    queryset: QuerySet, kind: Kind, query: Query, ranked: bool, published_only: bool
) -> QuerySet:
    lexemes = _lexemes(query, queryset.db)
    if kind.model is Article:
        found = _article_any_tsquery(query, lexemes)
        row_sql, row_params = _by_article_language(query, lexemes)
    else:
        found = _mixed_tsquery(query, lexemes)
        row_sql, row_params = "%s::tsquery", [found]
    if found is None:
        # No word of the query can match ("<>"); callers still order by rank.
        return queryset.annotate(**{RANK: RawSQL("0", [], FloatField())}).none()
    exact = TableSQL(f"{VECTOR} @@ {row_sql}", row_params, BooleanField())
    if not ranked:
        index = TableSQL(f"{VECTOR} @@ %s::tsquery", [found], BooleanField())
        return queryset.filter(index, exact)
    # The newest matches, by a function of the migration that bounds the cost
    # of a common word, read once into an array so that the rows are then
    # looked up by primary key; the query's own filters apply to them.
    table = kind.model._meta.db_table
    newest = TableSQL(
        "{table}.id = ANY(ARRAY(SELECT briefings_search_newest("
        f"%s::regclass, %s::tsquery, %s, %s, (SELECT max(id) FROM {table}))))",
        [table, found, published_only, RANK_CANDIDATES],
        BooleanField(),
    )
    matches = queryset.filter(newest)
    if kind.model is Article:
        # Found in some language; the row's own decides.
        matches = matches.filter(exact)
    rank = TableSQL(f"ts_rank_cd({VECTOR}, {row_sql}, 1)", row_params, FloatField())
    return matches.annotate(**{RANK: rank})


def _first_of(lexemes: Iterable[str], text_sql: str) -> tuple[str, list]:
    """SQL for where the first of these lexemes occurs in the text (1 if none):
    a stem is mostly a part of the word it came from ("tahan" of
    "pertahanan", "defenc" of "defence")."""
    words = sorted(
        {match.replace("''", "'") for form in lexemes for match in LEXEME.findall(form)}
    )
    if not words:
        return "1", []
    found = ", ".join([f"nullif(strpos(lower({text_sql}), %s), 0)"] * len(words))
    return f"coalesce(least({found}), 1)", words


def _pg_snippet_select(
    kind: Kind, query: Query, ids: list[int], lexemes: Lexemes
) -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(ids))
    if kind.model is Article:
        tsquery = _article_any_tsquery(query, lexemes)
        # ts_headline parses all the text it is given, about 0.3 ms a kilobyte
        # of Indonesian: it is given a window from just before the first match.
        start_sql, start_params = _first_of([tsquery or ""], "article.body")
        sql = (
            "SELECT 'article' AS kind, article.id, ts_headline("
            "briefings_search_config(article.language), "
            f"substr(article.body, greatest({start_sql} - %s, 1), %s), "
            f"%s::tsquery, %s) FROM briefings_article AS article "
            f"WHERE article.id IN ({marks})"
        )
        params = [*start_params, HEADLINE_LEAD, HEADLINE_CHARS, tsquery]
        return sql, [*params, HEADLINE_OPTIONS, *ids]
    tsquery = _mixed_tsquery(query, lexemes)
    if kind.model is Meeting:
        # Meeting summaries are English.
        sql = (
            "SELECT 'meeting', meeting.id, ts_headline('english'::regconfig, "
            "meeting.summary, %s::tsquery, %s) FROM briefings_meeting AS meeting "
            f"WHERE meeting.id IN ({marks})"
        )
    elif kind.model is Actor:
        # Names, unstemmed.
        sql = (
            "SELECT 'actor', actor.id, ts_headline('simple'::regconfig, coalesce(("
            "SELECT string_agg(alias.name, ' · ' ORDER BY alias.name) "
            "FROM briefings_actoralias AS alias WHERE alias.actor_id = actor.id"
            "), ''), %s::tsquery, %s) FROM briefings_actor AS actor "
            f"WHERE actor.id IN ({marks})"
        )
    else:
        # A statement is in the words, and so the language, of its source.
        sql = (
            "SELECT 'commitment', commitment.id, ts_headline("
            "briefings_search_config(article.language), commitment.statement, "
            "%s::tsquery, %s) FROM briefings_commitment AS commitment "
            "JOIN briefings_article AS article "
            "ON article.id = commitment.source_article_id "
            f"WHERE commitment.id IN ({marks})"
        )
    return sql, [tsquery, HEADLINE_OPTIONS, *ids]


# SQLite ---------------------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    """A term as an FTS5 string: its words a phrase, any character literal."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return f"{quoted} *" if term.prefix else quoted


def fts5_expression(query: Query) -> str:
    groups = []
    for group in query.groups:
        found = " AND ".join(_fts5_term(term) for term in group.include)
        if group.exclude:
            excluded = " OR ".join(_fts5_term(term) for term in group.exclude)
            found = f"({found}) NOT ({excluded})"
        groups.append(f"({found})")
    return " OR ".join(groups)


def _fts5_table(kind: Kind) -> str:
    return f"{kind.model._meta.db_table}_fts"


def _sqlite_matching(
    queryset: QuerySet, kind: Kind, query: Query, ranked: bool, published_only: bool
) -> QuerySet:
    fts = _fts5_table(kind)
    table = kind.model._meta.db_table
    expression = fts5_expression(query)
    if not ranked:
        return queryset.filter(
            pk__in=RawSQL(
                f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s', [expression]
            )
        )
    weights = ", ".join(str(weight) for weight in kind.bm25_weights)
    status = "AND record.status = 'published'" if published_only else ""
    # The newest matches: FTS5 lists them newest first without ranking them (a
    # CROSS JOIN keeps it in charge), then ranks those in the range they span.
    # bm25() needs the FTS5 table joined, which only extra() writes; there too
    # the FTS5 table must drive: looked up row by row, it would expand a prefix
    # again for every row, and the unary plus keeps SQLite from doing so.
    newest = (
        f'SELECT min(rowid) FROM (SELECT found.rowid FROM "{fts}" AS found '
        f'CROSS JOIN "{table}" AS record ON record.id = found.rowid '
        f'WHERE found."{fts}" MATCH %s {status} '
        f"ORDER BY found.rowid DESC LIMIT {RANK_CANDIDATES})"
    )
    return queryset.extra(
        tables=[fts],
        where=[
            f'"{table}"."id" = +"{fts}".rowid',
            f'"{fts}" MATCH %s',
            f'"{fts}".rowid >= ({newest})',
        ],
        params=[expression, expression],
    ).annotate(
        # bm25() is lower for a better match.
        **{RANK: RawSQL(f'-bm25("{fts}", {weights})', [], output_field=FloatField())}
    )


def _sqlite_snippet_select(
    kind: Kind, query: Query, ids: list[int]
) -> tuple[str, list]:
    fts = _fts5_table(kind)
    marks = ", ".join(["%s"] * len(ids))
    # FTS5 scans the range of the ids shown rather than looking each up: a
    # lookup would expand a prefix once per row. The unary plus keeps it so.
    sql = (
        f"SELECT '{kind.name}', rowid, snippet({fts}, {kind.snippet_column}, "
        f"%s, %s, '…', {SNIPPET_TOKENS}) FROM {fts} "
        f"WHERE {fts} MATCH %s AND rowid BETWEEN %s AND %s AND +rowid IN ({marks})"
    )
    return sql, [START, STOP, fts5_expression(query), min(ids), max(ids), *ids]


# Searching ----------------------------------------------------------------------


def matching(
    queryset: QuerySet, query: str | Query, *, ranked: bool = True, user=None
) -> QuerySet:
    """The records of `queryset` that match the query.

    Ranked (the default), they come best first, each with its rank in the
    `search_rank` annotation, and only the newest RANK_CANDIDATES matches that
    `user` may see (published ones for None) are ranked: ranking reads every
    match's indexed text, which no reader waits for when a word is in half the
    archive; a query that matches fewer is ranked in full. The queryset's own
    filters apply to those. Unranked, every match is kept, in the queryset's
    own order.

    `queryset` is of meetings, actors, commitments or articles and may be
    filtered already. On SQLite the ranked result joins a table by name, and
    does not survive being nested as a subquery.
    """
    kind = BY_MODEL[queryset.model]
    query = _as_query(query)
    if not query:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        matches = _pg_matching
    elif vendor == "sqlite":
        matches = _sqlite_matching
    else:
        raise NotImplementedError(f"No full-text search on {vendor}.")
    found = matches(queryset, kind, query, ranked, not can_preview(user))
    return found.order_by(f"-{RANK}", "pk") if ranked else found


def search_queryset(kind: str, query: str | Query, *, user) -> QuerySet:
    """The ranked records of one kind that `user` may see, as search() reads
    them, unevaluated (slice it to a page)."""
    spec = KINDS[kind]
    records = (
        spec.model.objects.visible_to(user)
        .select_related(*spec.joins)
        .defer(*spec.unread)
    )
    return matching(records, query, user=user)


def snippet_sql(
    query: str | Query, ids: dict[str, list[int]], *, using: str = "default"
) -> tuple[str, list]:
    """One statement giving (kind, id, marked snippet) for the records shown."""
    query = _as_query(query)
    if connections[using].vendor == "postgresql":
        lexemes = _lexemes(query, using)
        parts = [
            _pg_snippet_select(KINDS[kind], query, list(kind_ids), lexemes)
            for kind, kind_ids in ids.items()
            if kind_ids
        ]
    else:
        parts = [
            _sqlite_snippet_select(KINDS[kind], query, list(kind_ids))
            for kind, kind_ids in ids.items()
            if kind_ids
        ]
    return (
        " UNION ALL ".join(sql for sql, _ in parts),
        [param for _, params in parts for param in params],
    )


def search_sql(
    query: str | Query,
    *,
    user,
    kinds: Iterable[str] | None = None,
    limit: int = 20,
) -> list[tuple[str, list]]:
    """The statements search() runs for this query, as (sql, params) to run
    with a cursor: the ranked page of each kind, then the snippets.

    The snippets' statement names the records found, so the pages are read
    here (once) to write it.
    """
    query = _as_query(query)
    if not query:
        return []
    statements, ids, using = [], {}, "default"
    for kind in _chosen(kinds):
        using = KINDS[kind].model.objects.db
        if connections[using].vendor == "postgresql" and not statements:
            statements.append(lexemes_sql(query))
        rows = search_queryset(kind, query, user=user)[:limit]
        try:
            sql, params = rows.query.sql_with_params()
        except EmptyResultSet:  # Nothing to look for in this kind: no statement.
            continue
        statements.append((sql, list(params)))
        ids[kind] = list(rows.values_list("pk", flat=True))
    if any(ids.values()):
        statements.append(snippet_sql(query, ids, using=using))
    return statements


MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


def safe_snippet(marked: str) -> SafeString:
    """HTML from a snippet the database marked: escaped text, <mark> elements."""
    html = MARKED.sub(r"<mark>\1</mark>", escape(marked))
    return mark_safe(" ".join(CONTROL.sub(" ", html).split()))


def _normalised(rank: float) -> float:
    """ts_rank_cd and -bm25 are unbounded; rank / (rank + 1) maps both onto
    [0, 1) in the same order, so that hits of several kinds can be merged."""
    rank = max(rank or 0.0, 0.0)
    return round(rank / (rank + 1), 6)


@dataclass
class Hit:
    kind: str
    record: Model
    rank: float
    snippet: SafeString = field(default_factory=SafeString)


@dataclass
class SearchResults:
    query: Query
    hits: list[Hit]

    def of(self, kind: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.kind == kind]

    @property
    def meetings(self) -> list[Hit]:
        return self.of("meeting")

    @property
    def actors(self) -> list[Hit]:
        return self.of("actor")

    @property
    def commitments(self) -> list[Hit]:
        return self.of("commitment")

    @property
    def articles(self) -> list[Hit]:
        return self.of("article")

    @property
    def total(self) -> int:
        return len(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


def _chosen(kinds: Iterable[str] | None) -> list[str]:
    """The kinds asked for, in the order of KINDS."""
    if kinds is None:
        return list(KINDS)
    asked = set(kinds)
    return [kind for kind in KINDS if kind in asked]


def search(
    query: str | Query,
    *,
    user,
    kinds: Iterable[str] | None = None,
    limit: int = 20,
    mixed: bool = False,
) -> SearchResults:
    """The best `limit` records of each kind (of all kinds together when
    `mixed`, best first) that `user` may see, with their snippets.

    One query per kind and one for all the snippets, however many hits.
    """
    query = _as_query(query)
    chosen = _chosen(kinds)
    if not query or not chosen:
        return SearchResults(query, [])
    hits: list[Hit] = []
    using = "default"
    for kind in chosen:
        rows = search_queryset(kind, query, user=user)
        using = rows.db
        records = list(rows[:limit])
        conceal(user, records, *KINDS[kind].conceal)
        hits += [Hit(kind, r, _normalised(getattr(r, RANK))) for r in records]
    if mixed:
        # Stable: equal ranks keep the order of KINDS.
        hits = sorted(hits, key=lambda hit: -hit.rank)[:limit]
    if hits:
        ids: dict[str, list[int]] = {}
        for hit in hits:
            ids.setdefault(hit.kind, []).append(hit.record.pk)
        sql, params = snippet_sql(query, ids, using=using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            snippets = {(kind, pk): text for kind, pk, text in cursor.fetchall()}
        for hit in hits:
            hit.snippet = safe_snippet(snippets.get((hit.kind, hit.record.pk)) or "")
    return SearchResults(query, hits)
