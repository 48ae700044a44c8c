"""Background imports: large imports queued as jobs, run by a worker, watched
in the admin (briefings/jobs.py, tasks.py, admin_jobs.py).

The worker runs in this process, through `manage.py db_worker --batch`, on the
test's own database connection: what it writes is what another client would
read once its transaction commits.
"""

import io
import signal
from datetime import timedelta

import pytest
import tablib
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from reversion.models import Revision, Version

from briefings import jobs, resources, services
from briefings.models import (
    Article,
    EditorialStatus,
    ImportJob,
    ImportKind,
    ImportState,
    Topic,
)
from tests.factories import TopicFactory, UserFactory
from tests.test_admin_import import FORMAT_INDEX
from tests.test_resources import table
from tests.test_text_import import SEEDS, counts, seeds_zip, zip_of

pytestmark = pytest.mark.django_db

TEXT_UPLOAD = reverse("admin:briefings_article_import_text")
TEXT_CONFIRM = reverse("admin:briefings_article_import_text_confirm")
JOBS = reverse("admin:briefings_importjob_changelist")


@pytest.fixture
def worker(monkeypatch):
    """Runs every queued task, as `manage.py db_worker --batch` does, then stops."""
    from django_tasks_db.management.commands import db_worker

    # Between tasks the worker drops connections that look stale, and to it the
    # test's open transaction does.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        handlers = {
            number: signal.getsignal(number)
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
        }
        try:
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                verbosity=0,
                stdout=io.StringIO(),
            )
        finally:
            # The worker takes Ctrl+C for itself; give it back to pytest.
            for number, handler in handlers.items():
                signal.signal(number, handler)

    return run


@pytest.fixture
def few_files(settings):
    """Five files are more than the background threshold of four."""
    settings.IMPORT_BACKGROUND_FILES = 4


@pytest.fixture
def few_rows(settings):
    settings.IMPORT_BACKGROUND_ROWS = 2


def job_page(client, job):
    return client.get(reverse("admin:briefings_importjob_change", args=[job.pk]))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def confirm_text(client, data=None, name="seeds.zip"):
    """Upload, preview and confirm a text import, as the editor does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = seeds_zip() if data is None else data
    preview = client.post(TEXT_UPLOAD, {"file": SimpleUploadedFile(name, data)})
    token = preview.context["confirm_form"]["token"].value()
    return client.post(TEXT_CONFIRM, {"token": token})


def confirm_table(client, model, name, content, fmt="csv"):
    """Upload, preview and confirm a spreadsheet through django-import-export."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = client.post(
        reverse(f"admin:briefings_{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": FORMAT_INDEX[fmt]},
    )
    assert "confirm_form" in preview.context, preview.context.get("result")
    return client.post(
        reverse(f"admin:briefings_{model}_process_import"),
        dict(preview.context["confirm_form"].initial),
    )


def topics_file(n, fmt="csv"):
    rows = [("slug", "name", "status")] + [
        (f"topic-{i}", f"Topic {i}", "draft") for i in range(1, n + 1)
    ]
    if fmt == "csv":
        return table(*rows).encode()
    dataset = tablib.Dataset(*rows[1:], headers=rows[0])
    return resources.XLSX().export_data(dataset)


# Text files -------------------------------------------------------------------------


def test_a_zip_over_the_threshold_waits_for_a_worker_then_imports_as_the_editor(
    desk, client, editor, few_files, worker
):
    client.force_login(editor)
    upload = seeds_zip()

    response = confirm_text(client, upload)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:briefings_importjob_change", args=[job.pk])
    assert messages_of(response) == [
        "Importing 5 files in the background; this page shows its progress."
    ]
    assert (job.state, job.kind, job.total, job.created_by) == (
        ImportState.QUEUED,
        ImportKind.TEXT,
        5,
        editor,
    )
    # Nothing is imported yet, and the upload waits in the database, where a
    # worker on another machine reads it; the cache no longer holds it.
    assert counts() == (0, 0, 0, 0)
    assert jobs.uploads_unpack(bytes(job.content)) == [("seeds.zip", upload)]
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    html = job_page(client, job).content.decode()
    assert "Queued" in html and "Waiting for a worker." in html
    assert '<meta http-equiv="refresh" content="2">' in html

    worker()

    job.refresh_from_db()
    assert job.state == ImportState.SUCCEEDED
    assert (job.done, job.total) == (5, 5)
    assert job.started_at <= job.finished_at
    assert bytes(job.content) == b""
    assert job.report["counts"] == {"imported": 5, "duplicate": 0, "error": 0}
    articles = Article.objects.all()
    assert [a.status for a in articles] == [EditorialStatus.DRAFT] * 5
    assert Revision.objects.filter(user=editor).count() == 5
    assert DBTaskResult.objects.get(id=job.task_id).status == (
        TaskResultStatus.SUCCESSFUL
    )
    html = job_page(client, job).content.decode()
    assert "Succeeded" in html
    assert "5 articles imported as drafts." in html
    assert '<progress max="5" value="5">' in html
    assert "http-equiv" not in html
    assert "5 articles imported as drafts" in client.get(JOBS).content.decode()
    for article in articles:
        url = reverse("admin:briefings_article_change", args=[article.pk])
        assert f'<a href="{url}">{article.title}</a>' in html


def test_a_zip_at_the_threshold_is_imported_at_once_as_before(
    desk, client, editor, settings
):
    settings.IMPORT_BACKGROUND_FILES = 5
    client.force_login(editor)
    response = confirm_text(client)
    assert response.url.startswith(reverse("admin:briefings_article_changelist"))
    assert Article.objects.count() == 5
    assert not ImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_files_a_worker_skips_are_listed_with_their_reasons(
    desk, client, editor, few_files, worker
):
    client.force_login(editor)
    archive = zip_of(
        {**{seed.name: seed.read_bytes() for seed in SEEDS}, "empty.txt": b""}
    )
    confirm_text(client, archive, name="batch.zip")
    worker()
    job = ImportJob.objects.get()
    assert job.report["counts"] == {"imported": 5, "duplicate": 0, "error": 1}
    html = job_page(client, job).content.decode()
    assert "5 articles imported as drafts; 1 file that cannot be imported." in html
    assert "batch.zip/empty.txt" in html and "the file is empty." in html


@pytest.mark.parametrize(
    ("error", "message", "task_status"),
    [
        (
            ValidationError("The disk is on fire."),
            f"Nothing was imported: seeds.zip/{SEEDS[2].name} could not be saved "
            "(The disk is on fire.).",
            TaskResultStatus.SUCCESSFUL,
        ),
        (
            RuntimeError("The disk is on fire."),
            "The import stopped on an unexpected error, and nothing was imported "
            "(RuntimeError: The disk is on fire.). The worker's log has the details.",
            # Raised again, so that the queue keeps the traceback.
            TaskResultStatus.FAILED,
        ),
    ],
)
def test_a_failure_in_the_middle_of_a_text_import_fails_the_job_and_leaves_nothing(
    desk, client, editor, few_files, worker, monkeypatch, error, message, task_status
):
    client.force_login(editor)
    confirm_text(client)
    saved = []
    record_save = services.record_save

    def failing(**kwargs):
        saved.append(kwargs["instance"])
        if len(saved) == 3:
            raise error
        return record_save(**kwargs)

    monkeypatch.setattr(services, "record_save", failing)

    worker()

    job = ImportJob.objects.get()
    assert (job.state, job.error) == (ImportState.FAILED, message)
    assert counts() == (0, 0, 0, 0)
    assert DBTaskResult.objects.get(id=job.task_id).status == task_status
    html = job_page(client, job).content.decode()
    assert "Failed" in html
    assert "Stopped; nothing was imported." in html
    assert "The disk is on fire." in html
    assert "http-equiv" not in html


def test_the_progress_of_a_running_import_is_visible_to_another_client(
    desk, client, editor, publisher, few_files, worker, monkeypatch
):
    client.force_login(editor)
    confirm_text(client)
    job = ImportJob.objects.get()
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    # Another editor watches the job while the worker saves the third file.
    watcher = Client()
    watcher.force_login(publisher)
    seen = []
    save_draft = services._save_draft

    def watched(report, **kwargs):
        if report.name.endswith(SEEDS[2].name):
            seen.append(job_page(watcher, job).content.decode())
        return save_draft(report, **kwargs)

    monkeypatch.setattr(services, "_save_draft", watched)

    worker()

    [html] = seen
    assert "Running" in html
    assert "Saving: 2 of 5" in html
    assert '<progress max="5" value="2">40 %</progress>' in html
    assert '<meta http-equiv="refresh" content="2">' in html
    # Once the job is over, its progress leaves the cache.
    assert jobs.import_job_progress(job.pk) is None


def test_progress_is_published_at_most_so_often_but_always_at_each_stage_end():
    progress = jobs.JobProgress(7, interval=60)
    assert jobs.import_job_progress(7) is None

    assert list(progress(["a", "b", "c"], "Reading")) == ["a", "b", "c"]
    note = jobs.import_job_progress(7)
    assert (note.stage, note.done, note.total, note.percent) == ("Reading", 3, 3, 100)

    progress.publish("Saving", 1, 3)
    assert jobs.import_job_progress(7).stage == "Reading"
    progress.publish("Saving", 1, 3, force=True)
    assert jobs.import_job_progress(7).stage == "Saving"


def test_a_job_run_twice_imports_once(desk, editor, worker):
    job = jobs.import_job_enqueue_text(files=[("seeds.zip", seeds_zip())], user=editor)
    first = jobs.import_job_run(job_id=job.pk)
    again = jobs.import_job_run(job_id=job.pk)
    assert Article.objects.count() == 5
    # The second run found the job done and left it, report and all.
    assert again.report == first.report
    assert again.report["counts"]["imported"] == 5
    assert again.finished_at == first.finished_at


def test_a_job_whose_editor_was_removed_is_refused_not_run_as_the_system(desk, worker):
    leaving = UserFactory(username="leaving", is_staff=True)
    leaving.user_permissions.add(Permission.objects.get(codename="add_article"))
    jobs.import_job_enqueue_text(files=[("seeds.zip", seeds_zip())], user=leaving)
    leaving.delete()

    worker()

    job = ImportJob.objects.get()
    assert job.state == ImportState.FAILED
    assert job.error == "The account of leaving no longer exists; nothing was imported."
    assert Article.objects.count() == 0


def test_the_command_queues_a_job_with_background(desk, editor, worker, tmp_path):
    archive = tmp_path / "seeds.zip"
    archive.write_bytes(seeds_zip())
    out = io.StringIO()

    call_command(
        "import_articles", str(archive), "--background", "--user", "editor", stdout=out
    )

    job = ImportJob.objects.get()
    assert f"Queued import job {job.pk} (5 files)" in out.getvalue()
    assert Article.objects.count() == 0
    worker()
    assert Article.objects.count() == 5
    assert Revision.objects.filter(user=editor).count() == 5


def test_the_command_refuses_background_with_a_dry_run(desk, tmp_path):
    with pytest.raises(CommandError, match="--background"):
        call_command("import_articles", str(SEEDS[0]), "--background", "--dry-run")
    assert not ImportJob.objects.exists()


def test_uploads_keep_their_names_and_bytes_through_the_job():
    files = [("/srv/in/a.zip", b"PK\x05\x06" + bytes(18)), ("../b.txt", b"\x00text")]
    assert jobs.uploads_unpack(jobs.uploads_pack(files)) == files


# Spreadsheets -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_spreadsheet_over_the_threshold_waits_for_a_worker_then_imports(
    client, editor, few_rows, worker, fmt
):
    client.force_login(editor)

    response = confirm_table(client, "topic", f"topics.{fmt}", topics_file(3, fmt), fmt)

    job = ImportJob.objects.get()
    assert response.url == reverse("admin:briefings_importjob_change", args=[job.pk])
    assert messages_of(response) == [
        "Importing 3 rows in the background; this page shows its progress."
    ]
    assert (job.kind, job.file_format, job.total) == (ImportKind.TABULAR, fmt, 3)
    assert not Topic.objects.exists()

    worker()

    job.refresh_from_db()
    assert job.state == ImportState.SUCCEEDED
    assert job.report["counts"] == {"new": 3}
    assert sorted(Topic.objects.values_list("slug", flat=True)) == [
        "topic-1",
        "topic-2",
        "topic-3",
    ]
    [revision] = {v.revision for v in Version.objects.get_for_model(Topic)}
    assert (revision.user, revision.comment) == (editor, f"Imported from topics.{fmt}.")
    # The admin's "Recent actions", as an import at once records them.
    assert LogEntry.objects.filter(user=editor, action_flag=ADDITION).count() == 3
    html = job_page(client, job).content.decode()
    assert "Succeeded" in html and "3 new." in html
    for topic in Topic.objects.all():
        url = reverse("admin:briefings_topic_change", args=[topic.pk])
        assert f'<a href="{url}">{topic.name}</a>' in html


def test_a_spreadsheet_at_the_threshold_is_imported_at_once_as_before(
    client, editor, few_rows
):
    client.force_login(editor)
    response = confirm_table(client, "topic", "topics.csv", topics_file(2))
    assert response.url == reverse("admin:briefings_topic_changelist")
    assert Topic.objects.count() == 2
    assert not ImportJob.objects.exists()


def test_a_row_gone_bad_before_the_worker_fails_the_job_and_writes_nothing(
    client, editor, few_rows, worker
):
    client.force_login(editor)
    confirm_table(client, "topic", "topics.csv", topics_file(3))
    # Between the confirmation and the worker, somebody takes a name.
    TopicFactory(slug="elsewhere", name="Topic 2")

    worker()

    job = ImportJob.objects.get()
    assert job.state == ImportState.FAILED
    assert job.error == (
        "Nothing was imported: topics.csv has 1 problem, listed below."
    )
    problem = "topics.csv, row 2, column “name”: Topic with this Name already exists."
    assert job.report["problems"] == [problem]
    assert list(Topic.objects.values_list("slug", flat=True)) == ["elsewhere"]
    assert not Version.objects.exists()
    html = job_page(client, job).content.decode()
    assert "Failed" in html and "Topic with this Name already exists." in html


def test_an_exception_in_the_middle_of_a_spreadsheet_fails_the_job_and_writes_nothing(
    client, editor, few_rows, worker, monkeypatch
):
    client.force_login(editor)
    confirm_table(client, "topic", "topics.csv", topics_file(3))
    saved = []

    def failing(self, instance, row, **kwargs):
        saved.append(instance)
        if len(saved) == 2:
            raise RuntimeError("The disk is on fire.")

    monkeypatch.setattr(resources.TopicResource, "after_save_instance", failing)

    worker()

    job = ImportJob.objects.get()
    assert job.state == ImportState.FAILED
    assert job.report["problems"] == ["topics.csv, row 2: The disk is on fire."]
    assert not Topic.objects.exists()
    assert not Version.objects.exists()


# Lost jobs --------------------------------------------------------------------------


def test_a_running_job_without_progress_for_long_shows_as_lost(client, editor):
    job = jobs.import_job_enqueue_text(files=[("seeds.zip", seeds_zip())], user=editor)
    long_ago = timezone.now() - jobs.LOST_AFTER - timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING, started_at=long_ago
    )
    client.force_login(editor)
    assert "most likely stopped" in job_page(client, job).content.decode()
    assert "running (stalled)" in client.get(JOBS).content.decode()
    # A worker that still reports is alive, however long the job has run.
    jobs.JobProgress(job.pk).publish("Saving", 1, 5)
    assert "most likely stopped" not in job_page(client, job).content.decode()


def test_a_job_whose_task_ended_without_it_shows_as_lost(client, editor):
    job = jobs.import_job_enqueue_text(files=[("seeds.zip", seeds_zip())], user=editor)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING, started_at=timezone.now()
    )
    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.FAILED)
    client.force_login(editor)
    html = job_page(client, job).content.decode()
    assert "The worker ended this job&#x27;s task without finishing" in html


def test_a_job_no_worker_takes_says_a_worker_is_needed(client, editor):
    job = jobs.import_job_enqueue_text(files=[("seeds.zip", seeds_zip())], user=editor)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(editor)
    assert "manage.py db_worker" in job_page(client, job).content.decode()


# The jobs on the desk ---------------------------------------------------------------


def test_every_editor_sees_every_job_latest_first(client, editor, publisher):
    first = jobs.import_job_enqueue_text(files=[("a.txt", b"A")], user=publisher)
    second = jobs.import_job_enqueue_text(files=[("b.txt", b"B")], user=editor)
    client.force_login(editor)
    response = client.get(JOBS)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [second, first]
    index = client.get(reverse("admin:index")).content.decode()
    assert JOBS in index


def test_nobody_adds_changes_or_deletes_a_job(client, editor):
    job = jobs.import_job_enqueue_text(files=[("a.txt", b"A")], user=editor)
    client.force_login(editor)
    assert client.get(reverse("admin:briefings_importjob_add")).status_code == 403
    delete = reverse("admin:briefings_importjob_delete", args=[job.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_an_outsider_cannot_see_jobs(client, editor, outsider):
    job = jobs.import_job_enqueue_text(files=[("a.txt", b"A")], user=editor)
    client.force_login(outsider)
    for url in (JOBS, reverse("admin:briefings_importjob_change", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_staff_who_may_not_import_cannot_see_jobs(client, editor):
    job = jobs.import_job_enqueue_text(files=[("a.txt", b"A")], user=editor)
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    assert client.get(JOBS).status_code == 403
    assert job_page(client, job).status_code == 403
    assert JOBS not in client.get(reverse("admin:index")).content.decode()


def test_a_user_who_may_not_add_articles_cannot_queue_them(desk, outsider):
    with pytest.raises(PermissionDenied):
        jobs.import_job_enqueue_text(files=[("a.txt", b"A")], user=outsider)
    assert not ImportJob.objects.exists()


def test_the_jobs_list_costs_the_same_queries_for_one_job_and_thirty(client, editor):
    client.force_login(editor)
    queries = {}
    for n in (1, 30):
        ImportJob.objects.all().delete()
        for i in range(n):
            job = jobs.import_job_enqueue_text(files=[(f"{i}.txt", b"A")], user=editor)
            jobs.import_job_run(job_id=job.pk)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(JOBS).status_code == 200
        queries[n] = len(captured)
    # The session, its user, the user's and the user's groups' permissions;
    # the jobs counted as filtered and in all, then fetched with the records'
    # type and the report's counts (no upload, no report). Progress is read
    # from the cache only for unfinished jobs.
    assert queries[1] == queries[30] == 7


def test_the_jobs_list_leaves_the_uploads_in_the_database(client, editor):
    jobs.import_job_enqueue_text(files=[("big.txt", b"A" * 100_000)], user=editor)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        client.get(JOBS)
    [select] = [
        query["sql"]
        for query in captured
        if 'FROM "briefings_importjob"' in query["sql"] and "COUNT" not in query["sql"]
    ]
    assert '"content"' not in select
