"""Follow-up tasks on contacts, often decided at a meeting ("call Ms Nowak about the garden")."""

from __future__ import annotations

from datetime import date
from typing import Any

from fieldapp.errors import Errors
from fieldapp.model import FollowUpTask, Meeting
from fieldapp.model.base import today
from fieldapp.services.cooperation.common import (
    check_exists,
    delete_record,
    live_contact,
    live_rows,
    parse,
    parsers_for,
    update_record,
)
from fieldapp.store import Store

_TASK_FIELDS = parsers_for(
    FollowUpTask, "contact_id", "meeting_id", "title", "due_on", "assignee_id", "note", required=("title",)
)
#: What an edit may change: the task stays about its contact and meeting, and may be done.
_EDITABLE = parsers_for(
    FollowUpTask, "title", "due_on", "assignee_id", "note", "done_on", required=("title",)
)


def add_task(store: Store, data: dict[str, Any]) -> FollowUpTask:
    """A task about a contact (``contact_id`` and ``title`` required), assigned to the user by default."""
    errors = Errors()
    clean = parse(data, _TASK_FIELDS, errors, required=("contact_id", "title"))
    with store.read() as session:
        if "contact_id" in clean:
            live_contact(session, clean["contact_id"], "contact_id", errors)
        check_exists(session, Meeting, clean.get("meeting_id"), "meeting_id", errors)
    errors.raise_if_any()
    clean.setdefault("assignee_id", store.user_id)
    task = FollowUpTask(**clean)
    with store.write() as conn:
        store.save(conn, task)
    return task


def update_task(store: Store, task_id: str, changes: dict[str, Any]) -> FollowUpTask:
    return update_record(store, FollowUpTask, task_id, changes, _EDITABLE)


def complete_task(store: Store, task_id: str, *, on: date | str | None = None) -> FollowUpTask:
    return update_task(store, task_id, {"done_on": on or today()})


def reopen_task(store: Store, task_id: str) -> FollowUpTask:
    return update_task(store, task_id, {"done_on": None})


def delete_task(store: Store, task_id: str) -> None:
    delete_record(store, FollowUpTask, task_id)


def _sorted(tasks: list[FollowUpTask]) -> list[FollowUpTask]:
    """Open before done, then by due date (undated last)."""
    return sorted(
        tasks, key=lambda t: (t.done_on is not None, t.due_on is None, t.due_on or date.max, t.base_hlc)
    )


def tasks_of_contact(store: Store, contact_id: str, *, include_done: bool = False) -> list[FollowUpTask]:
    with store.read() as session:
        rows = live_rows(session, FollowUpTask, FollowUpTask.contact_id == contact_id)
    return _sorted([t for t in rows if include_done or t.done_on is None])


def tasks_of_meeting(store: Store, meeting_id: str) -> list[FollowUpTask]:
    with store.read() as session:
        rows = live_rows(session, FollowUpTask, FollowUpTask.meeting_id == meeting_id)
    return _sorted([t for t in rows if t.contact_id is not None])


def open_tasks(
    store: Store, *, due_by: date | None = None, assignee_id: str | None = None
) -> list[FollowUpTask]:
    """Tasks not done yet; with ``due_by``, only those due on or before that day."""
    conditions = [FollowUpTask.done_on.is_(None), FollowUpTask.contact_id.is_not(None)]
    if assignee_id is not None:
        conditions.append(FollowUpTask.assignee_id == assignee_id)
    with store.read() as session:
        rows = live_rows(session, FollowUpTask, *conditions)
    if due_by is not None:
        rows = [t for t in rows if t.due_on is not None and t.due_on <= due_by]
    return _sorted(rows)
