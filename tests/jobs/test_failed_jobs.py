"""失败任务 screen: a job fails for real on a real queue (SimpleWorker, burst), the admin
sees it with its last error line and traceback, retries it and deletes it. Redis missing or
down is a message, never a 500; only Admin holds the screen's permissions."""

from __future__ import annotations

import re
import uuid

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from plugins.automation.ops import failed_jobs

URL = "/failed-jobs/"


def explode(n: int) -> None:
    """The job that fails (module-level, so the worker imports it by name)."""
    raise ValueError(f"boom {n}")


@pytest.fixture
def queue(app, redis_url):
    """A queue of this test only, configured as one of the app's queues."""
    name = f"h2-failed-{uuid.uuid4().hex[:8]}"
    old = app.config.get("REDIS_URL"), app.config.get("RQ_QUEUES")
    app.config["REDIS_URL"], app.config["RQ_QUEUES"] = redis_url, ["default", name]
    from plugins.automation.outbox.queue import queue_for

    base = queue_for(redis_url)
    q = Queue(name, connection=base.connection, serializer=JSONSerializer)
    yield q
    for job_id in FailedJobRegistry(queue=q).get_job_ids():
        FailedJobRegistry(queue=q).remove(job_id, delete_job=True)
    q.delete(delete_jobs=True)
    app.config["REDIS_URL"], app.config["RQ_QUEUES"] = old


def _fail(queue: Queue, *numbers: int) -> list[str]:
    ids = [queue.enqueue(explode, n).id for n in numbers]
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    return ids


def test_failed_job_is_listed_shown_retried_and_deleted(login, queue):
    [job_id] = _fail(queue, 7)
    client = login("admin")
    page = client.get(f"{URL}?queue={queue.name}").get_data(as_text=True)
    assert f'data-job="{job_id}"' in page
    assert "tests.jobs.test_failed_jobs.explode" in page
    assert "ValueError: boom 7" in page
    detail = client.get(f"{URL}job/{job_id}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert "Traceback (most recent call last)" in text and "in explode" in text
    assert client.get(f"{URL}job/no-such-job").status_code == 404
    assert client.post(f"{URL}job/no-such-job/retry").status_code == 404

    resp = client.post(f"{URL}job/{job_id}/retry", data={"queue": queue.name})
    assert resp.status_code == 302 and queue.name in resp.headers["Location"]
    assert FailedJobRegistry(queue=queue).count == 0
    assert queue.job_ids == [job_id]  # back on its queue
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    assert FailedJobRegistry(queue=queue).get_job_ids() == [job_id]  # ran and failed again

    resp = client.post(f"{URL}job/{job_id}/delete", data={"queue": queue.name})
    assert resp.status_code == 302
    assert FailedJobRegistry(queue=queue).count == 0
    assert not Job.exists(job_id, connection=queue.connection)
    page = client.get(f"{URL}?queue={queue.name}").get_data(as_text=True)
    assert 'id="no-failed-jobs"' in page


def test_failed_jobs_are_paginated(login, queue, monkeypatch):
    monkeypatch.setattr(failed_jobs, "PAGE_SIZE", 2)
    ids = _fail(queue, 1, 2, 3)
    client = login("admin")
    first = client.get(f"{URL}?queue={queue.name}").get_data(as_text=True)
    second = client.get(f"{URL}?queue={queue.name}&page=2").get_data(as_text=True)
    shown = [re.findall(r'data-job="([^"]+)"', p) for p in (first, second)]
    assert [len(s) for s in shown] == [2, 1]
    assert sorted(shown[0] + shown[1]) == sorted(ids)
    assert 'data-total="3" data-page="1" data-pages="2"' in first
    assert client.get(f"{URL}?queue=nope").status_code == 404


def test_no_redis_is_a_message_not_a_500(app, login):
    client = login("admin")
    old = app.config.get("REDIS_URL")
    try:
        for url in (None, "redis://127.0.0.1:1/0"):  # not configured; nothing listening
            app.config["REDIS_URL"] = url
            page = client.get(URL)
            assert page.status_code == 200
            assert 'id="redis-unavailable"' in page.get_data(as_text=True)
            assert client.get(f"{URL}job/abc").status_code == 200
            assert client.post(f"{URL}job/abc/retry").status_code == 302
    finally:
        app.config["REDIS_URL"] = old


@pytest.mark.parametrize("user", ["agent", "dispatcher", "tech", "techlead", "manager", "qa"])
def test_only_admin_reaches_the_screen(app, login, user):
    client = login(user)
    for resp in (client.get(URL), client.get(f"{URL}job/x"), client.post(f"{URL}job/x/retry")):
        assert resp.status_code in (302, 403)
        assert "Failed jobs" not in resp.get_data(as_text=True)


def test_no_role_pattern_grants_the_screen(app):
    """FAB_ROLES are regexes matched with re.match: none may reach FailedJob or its menu."""
    names = [("FailedJob", f"can_{p}") for p in ("read", "write", "list", "show")]
    names.append(("Failed Jobs", "menu_access"))
    for role, rules in app.config["FAB_ROLES"].items():
        for view_re, perm_re in rules:
            for view, perm in names:
                assert not (re.match(view_re, view) and re.match(perm_re, perm)), (role, view)
