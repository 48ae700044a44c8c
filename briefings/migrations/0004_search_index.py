"""The full-text search index, kept current by the database itself.

Triggers, not Django signals, maintain it: rows written by bulk_create, loaddata,
an import or raw SQL are indexed like any other. None of it is in Django's model
state, as it differs by database; briefings/search.py reads it with raw SQL.

PostgreSQL: a `search_vector` tsvector column with a GIN index on articles,
meetings, actors and commitments, set by a BEFORE trigger. Not a generated
column: one cannot read another table (an actor's aliases), and PostgreSQL
refuses to change the type of a column a generated column reads, which would
turn a later `max_length` change into a failed migration.

- Articles are indexed in their own language: `indonesian` (its Snowball
  stemmer also serves Malay, which shares the affixes it strips) for "id" and
  "ms", `english` for "en", `simple` (lower-cased, unstemmed) otherwise. The
  summary is always English. Weights: title A, summary B, body C.
- Meetings, actors and commitments have no language of their own: an English
  name sits next to the Malay one, a Malay statement next to an English title.
  So each of their fields is indexed three times, with `simple` (names and
  acronyms exactly as typed), `english` and `indonesian` (stems), and each word
  of a query may match any of its three forms (see briefings/search.py).
  An actor's aliases live in another table; statement-level triggers on
  briefings_actoralias recompute the actor's vector when one is added, changed
  or deleted.

SQLite: FTS5 tables with the unicode61 tokenizer (case and diacritics folded),
kept current by AFTER triggers. Articles, meetings and commitments use external
content (the text is not stored twice); actors have a table of their own with
the aliases gathered in one column.

On SQLite, a later migration that remakes one of these tables (most
AlterField/AddField operations do) drops its triggers with the old table:
such a migration must run `install_sqlite_triggers` again.
tests/test_search.py checks that the triggers exist after all migrations.
"""

from django.db import migrations

# PostgreSQL -----------------------------------------------------------------------

POSTGRES_FORWARD = [
    # The text search configuration for an article's language.
    """
    CREATE FUNCTION briefings_search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN language IN ('id', 'ms') THEN 'indonesian'
            WHEN language = 'en' THEN 'english'
            ELSE 'simple'
        END::regconfig
    $$
    """,
    # Text of no one language: exact words, English stems and Indonesian stems.
    """
    CREATE FUNCTION briefings_search_mixed(content text, weight "char")
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(
            to_tsvector('simple'::regconfig, coalesce(content, ''))
            || to_tsvector('english'::regconfig, coalesce(content, ''))
            || to_tsvector('indonesian'::regconfig, coalesce(content, '')),
            weight
        )
    $$
    """,
    # Articles
    """
    CREATE FUNCTION briefings_article_search_vector(
        _language text, _title text, _summary text, _body text
    ) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(
                to_tsvector(briefings_search_config(_language), coalesce(_title, '')),
                'A'
            )
            || setweight(to_tsvector('english'::regconfig, coalesce(_summary, '')), 'B')
            || setweight(
                to_tsvector(briefings_search_config(_language), coalesce(_body, '')),
                'C'
            )
    $$
    """,
    """
    CREATE FUNCTION briefings_article_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := briefings_article_search_vector(
            NEW.language, NEW.title, NEW.summary, NEW.body
        );
        RETURN NEW;
    END
    $$
    """,
    "ALTER TABLE briefings_article ADD COLUMN search_vector tsvector",
    """
    CREATE TRIGGER briefings_article_search
    BEFORE INSERT OR UPDATE OF language, title, summary, body ON briefings_article
    FOR EACH ROW EXECUTE FUNCTION briefings_article_search_trigger()
    """,
    """
    UPDATE briefings_article
    SET search_vector = briefings_article_search_vector(language, title, summary, body)
    """,
    """
    CREATE INDEX briefings_article_search ON briefings_article
    USING gin (search_vector)
    """,
    # Meetings
    """
    CREATE FUNCTION briefings_meeting_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            briefings_search_mixed(
                concat_ws(' ', NEW.name, NEW.short_name, NEW.name_local, NEW.series),
                'A'
            )
            || briefings_search_mixed(NEW.summary, 'B');
        RETURN NEW;
    END
    $$
    """,
    "ALTER TABLE briefings_meeting ADD COLUMN search_vector tsvector",
    """
    CREATE TRIGGER briefings_meeting_search
    BEFORE INSERT OR UPDATE OF name, short_name, name_local, series, summary
    ON briefings_meeting
    FOR EACH ROW EXECUTE FUNCTION briefings_meeting_search_trigger()
    """,
    # Fires the trigger on every row.
    "UPDATE briefings_meeting SET name = name",
    """
    CREATE INDEX briefings_meeting_search ON briefings_meeting
    USING gin (search_vector)
    """,
    # Commitments
    """
    CREATE FUNCTION briefings_commitment_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            briefings_search_mixed(NEW.title, 'A')
            || briefings_search_mixed(concat_ws(' ', NEW.statement, NEW.summary), 'B');
        RETURN NEW;
    END
    $$
    """,
    "ALTER TABLE briefings_commitment ADD COLUMN search_vector tsvector",
    """
    CREATE TRIGGER briefings_commitment_search
    BEFORE INSERT OR UPDATE OF title, statement, summary ON briefings_commitment
    FOR EACH ROW EXECUTE FUNCTION briefings_commitment_search_trigger()
    """,
    "UPDATE briefings_commitment SET title = title",
    """
    CREATE INDEX briefings_commitment_search ON briefings_commitment
    USING gin (search_vector)
    """,
    # Actors, with their aliases
    """
    CREATE FUNCTION briefings_actor_search_vector(
        _actor bigint, _name text, _honorific text, _position text, _local text
    ) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT briefings_search_mixed(_name, 'A')
            || briefings_search_mixed(
                (
                    SELECT string_agg(alias.name, ' ' ORDER BY alias.name)
                    FROM briefings_actoralias AS alias
                    WHERE alias.actor_id = _actor
                ),
                'A'
            )
            || briefings_search_mixed(concat_ws(' ', _position, _local), 'B')
            || briefings_search_mixed(_honorific, 'C')
    $$
    """,
    """
    CREATE FUNCTION briefings_actor_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := briefings_actor_search_vector(
            NEW.id, NEW.name, NEW.honorific, NEW.position, NEW.position_local
        );
        RETURN NEW;
    END
    $$
    """,
    "ALTER TABLE briefings_actor ADD COLUMN search_vector tsvector",
    """
    CREATE TRIGGER briefings_actor_search
    BEFORE INSERT OR UPDATE OF id, name, honorific, position, position_local
    ON briefings_actor
    FOR EACH ROW EXECUTE FUNCTION briefings_actor_search_trigger()
    """,
    "UPDATE briefings_actor SET name = name",
    """
    CREATE INDEX briefings_actor_search ON briefings_actor
    USING gin (search_vector)
    """,
    # Once per statement, so that a bulk_create of a thousand aliases updates
    # each actor once. Each trigger names only the transition tables its event
    # has; the function reads only those of the event that fired it.
    """
    CREATE FUNCTION briefings_actoralias_search_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE briefings_actor SET search_vector = briefings_actor_search_vector(
                id, name, honorific, position, position_local
            ) WHERE id IN (SELECT actor_id FROM new_aliases);
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE briefings_actor SET search_vector = briefings_actor_search_vector(
                id, name, honorific, position, position_local
            ) WHERE id IN (SELECT actor_id FROM old_aliases);
        ELSE
            UPDATE briefings_actor SET search_vector = briefings_actor_search_vector(
                id, name, honorific, position, position_local
            ) WHERE id IN (
                SELECT actor_id FROM new_aliases
                UNION SELECT actor_id FROM old_aliases
            );
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER briefings_actoralias_search_insert
    AFTER INSERT ON briefings_actoralias REFERENCING NEW TABLE AS new_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION briefings_actoralias_search_trigger()
    """,
    """
    CREATE TRIGGER briefings_actoralias_search_update
    AFTER UPDATE ON briefings_actoralias
    REFERENCING OLD TABLE AS old_aliases NEW TABLE AS new_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION briefings_actoralias_search_trigger()
    """,
    """
    CREATE TRIGGER briefings_actoralias_search_delete
    AFTER DELETE ON briefings_actoralias REFERENCING OLD TABLE AS old_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION briefings_actoralias_search_trigger()
    """,
]

# The newest matches of a search, at a bounded cost (briefings/search.py,
# matching()): window by window from the newest id back, each window four times
# the last, until enough are found. Index scans and sequential scans are off
# inside the function, so that each window is read through the GIN index and
# the primary key, never row by row: the planner counts testing a vector as
# cheap, but a vector is read from its TOAST table first, at some 10-20 µs a
# row, which a window of thousands of rows would pay for nothing. The caller
# gives the newest id, which these settings would find by reading every row.
POSTGRES_FORWARD.append(
    """
    CREATE FUNCTION briefings_search_newest(
        _table regclass,
        _query tsquery,
        _published_only boolean,
        _wanted integer,
        _newest bigint
    ) RETURNS SETOF bigint LANGUAGE plpgsql STABLE ROWS 300
    SET enable_indexscan = off SET enable_seqscan = off AS $$
    DECLARE
        _upper bigint := _newest;
        _lower bigint;
        _size bigint := greatest(_wanted, 1);
        _found bigint := 0;
        _got bigint;
        _status text := CASE WHEN _published_only
            THEN ' AND status = ''published''' ELSE '' END;
    BEGIN
        WHILE _upper > 0 AND _found < _wanted LOOP
            _lower := greatest(_upper - _size, 0);
            RETURN QUERY EXECUTE format(
                'SELECT id FROM %s WHERE search_vector @@ $1 AND id > $2 '
                'AND id <= $3%s ORDER BY id DESC LIMIT $4',
                _table, _status
            ) USING _query, _lower, _upper, _wanted - _found;
            GET DIAGNOSTICS _got = ROW_COUNT;
            _found := _found + _got;
            _upper := _lower;
            _size := _size * 4;
        END LOOP;
    END
    $$
    """
)

POSTGRES_BACKWARD = [
    (
        "DROP FUNCTION "
        "briefings_search_newest(regclass, tsquery, boolean, integer, bigint)"
    ),
    "DROP TRIGGER briefings_actoralias_search_insert ON briefings_actoralias",
    "DROP TRIGGER briefings_actoralias_search_update ON briefings_actoralias",
    "DROP TRIGGER briefings_actoralias_search_delete ON briefings_actoralias",
    "DROP FUNCTION briefings_actoralias_search_trigger()",
    *(
        statement
        for table in ("article", "meeting", "commitment", "actor")
        for statement in (
            f"DROP TRIGGER briefings_{table}_search ON briefings_{table}",
            f"DROP FUNCTION briefings_{table}_search_trigger()",
            # Drops the GIN index with it.
            f"ALTER TABLE briefings_{table} DROP COLUMN search_vector",
        )
    ),
    "DROP FUNCTION briefings_actor_search_vector(bigint, text, text, text, text)",
    "DROP FUNCTION briefings_article_search_vector(text, text, text, text)",
    'DROP FUNCTION briefings_search_mixed(text, "char")',
    "DROP FUNCTION briefings_search_config(text)",
]

# SQLite ---------------------------------------------------------------------------

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"

# Tables whose FTS5 index reads its text from the table itself (external content).
EXTERNAL_CONTENT = {
    "briefings_article": ["title", "summary", "body"],
    "briefings_meeting": ["name", "short_name", "name_local", "series", "summary"],
    "briefings_commitment": ["title", "statement", "summary"],
}

ACTOR_ROW = """
    {row}.id,
    {row}.name,
    (
        SELECT group_concat(alias.name, ' · ') FROM briefings_actoralias AS alias
        WHERE alias.actor_id = {row}.id
    ),
    trim({row}.honorific || ' ' || {row}.position || ' ' || {row}.position_local)
"""

ACTOR_ALIASES = """
    UPDATE briefings_actor_fts SET aliases = (
        SELECT group_concat(alias.name, ' · ') FROM briefings_actoralias AS alias
        WHERE alias.actor_id = {actor}
    ) WHERE rowid = {actor};
"""


def _external_content_triggers(table: str, columns: list[str]) -> list[str]:
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # An external-content index forgets a row only when given the exact text it
    # indexed: the old values, before the change.
    forget = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    learn = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ["id", *columns])
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} "
        f"BEGIN {learn} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} "
        f"BEGIN {forget} END",
        # Publishing a record rewrites every column; only a change of the text
        # needs the index.
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update "
        f"AFTER UPDATE OF id, {names} ON {table} WHEN {changed} "
        f"BEGIN {forget} {learn} END",
    ]


def _actor_triggers() -> list[str]:
    columns = "rowid, name, aliases, position"
    learn = (
        f"INSERT INTO briefings_actor_fts({columns}) "
        f"SELECT {ACTOR_ROW.format(row='new')};"
    )
    forget = "DELETE FROM briefings_actor_fts WHERE rowid = old.id;"
    return [
        "CREATE TRIGGER IF NOT EXISTS briefings_actor_fts_insert "
        f"AFTER INSERT ON briefings_actor BEGIN {learn} END",
        "CREATE TRIGGER IF NOT EXISTS briefings_actor_fts_delete "
        f"AFTER DELETE ON briefings_actor BEGIN {forget} END",
        "CREATE TRIGGER IF NOT EXISTS briefings_actor_fts_update "
        "AFTER UPDATE OF id, name, honorific, position, position_local "
        f"ON briefings_actor BEGIN {forget} {learn} END",
        "CREATE TRIGGER IF NOT EXISTS briefings_actoralias_fts_insert "
        "AFTER INSERT ON briefings_actoralias BEGIN "
        f"{ACTOR_ALIASES.format(actor='new.actor_id')} END",
        "CREATE TRIGGER IF NOT EXISTS briefings_actoralias_fts_delete "
        "AFTER DELETE ON briefings_actoralias BEGIN "
        f"{ACTOR_ALIASES.format(actor='old.actor_id')} END",
        "CREATE TRIGGER IF NOT EXISTS briefings_actoralias_fts_update "
        "AFTER UPDATE ON briefings_actoralias BEGIN "
        f"{ACTOR_ALIASES.format(actor='old.actor_id')} "
        f"{ACTOR_ALIASES.format(actor='new.actor_id')} END",
    ]


def sqlite_triggers() -> list[str]:
    return [
        *(
            statement
            for table, columns in EXTERNAL_CONTENT.items()
            for statement in _external_content_triggers(table, columns)
        ),
        *_actor_triggers(),
    ]


def install_sqlite_triggers(apps, schema_editor) -> None:
    """(Re)create the SQLite triggers; a later migration that remakes one of
    the indexed tables runs this again (the index itself survives a remake,
    as the rows keep their ids and text)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in sqlite_triggers():
            cursor.execute(statement)


SQLITE_FORWARD = [
    *(
        f"CREATE VIRTUAL TABLE {table}_fts USING fts5("
        f"{', '.join(columns)}, content = '{table}', content_rowid = 'id', "
        f"{TOKENIZE})"
        for table, columns in EXTERNAL_CONTENT.items()
    ),
    *(
        f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')"
        for table in EXTERNAL_CONTENT
    ),
    f"CREATE VIRTUAL TABLE briefings_actor_fts USING fts5("
    f"name, aliases, position, {TOKENIZE})",
    "INSERT INTO briefings_actor_fts(rowid, name, aliases, position) "
    f"SELECT {ACTOR_ROW.format(row='actor')} FROM briefings_actor AS actor",
    *sqlite_triggers(),
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {statement.split()[5]}"
        for statement in sqlite_triggers()
    ),
    *(f"DROP TABLE {table}_fts" for table in [*EXTERNAL_CONTENT, "briefings_actor"]),
]

# ----------------------------------------------------------------------------------


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No full-text search index for {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            for statement in statements[vendor]:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("briefings", "0003_editorial_groups")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        )
    ]
