"""Background tasks (django-tasks), run by a worker: `manage.py db_worker`, on
any machine that reaches the database, which holds the queue. Each task is a
thin door onto a service, as the admin's views are."""

from __future__ import annotations

from django_tasks import task

from briefings import jobs


@task()
def import_job_task(job_id: int) -> dict[str, int | str]:
    """Run a queued import (briefings/jobs.py); the outcome is on the job."""
    job = jobs.import_job_run(job_id=job_id)
    return {"job": job.pk, "state": job.state}
