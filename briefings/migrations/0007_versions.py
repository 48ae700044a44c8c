"""A version number on every record editors change (optimistic concurrency).

PostgreSQL adds each column in place; SQLite cannot add a NOT NULL column with
ALTER TABLE under Django and remakes each table, which drops the full-text
triggers of migration 0004 with it: they are installed again at the end.
"""

import importlib

from django.db import migrations, models

search_index = importlib.import_module("briefings.migrations.0004_search_index")

VERSIONED = [
    "actor",
    "actoralias",
    "annotation",
    "article",
    "commitment",
    "complianceassessment",
    "meeting",
    "mention",
    "participation",
    "topic",
]


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0006_listing_indexes"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="version",
                field=models.PositiveIntegerField(
                    db_default=1, default=1, editable=False, verbose_name="version"
                ),
            )
            for model_name in VERSIONED
        ),
        migrations.RunPython(
            search_index.install_sqlite_triggers, migrations.RunPython.noop
        ),
    ]
