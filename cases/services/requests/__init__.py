"""The work of the coordination request flow (flows/coordination.py is its wiring): drafts and numbers,
each human step's decision, deadlines through the engine, the timeline and notifications.

Every action on a task goes through `act_on`, the shared task life (flows/task_life.py): the flow's lock, then
the request's row, then the task is checked; if someone else has just completed, claimed or cancelled it the
caller gets TaskUnavailable and nothing is written.

Every form of a request carries the version its page showed (`version`; None for a caller with no page, a
worker or the demo). Under the request's row lock a version older than the request's is refused with
RequestConflict, which says what the other tab or person did; nothing is written. When that last change
was this very action by the same person (a double click), the conflict says so (`repeated`).

The steps live in modules by who takes them (drafting, steps, pool, attachments), over what they share
(common); this package is their one way in: `from cases.services import requests as services`."""

from __future__ import annotations

from cases.services.requests.attachments import (
    CONTENT_TYPES,
    DOCX,
    EXTENSIONS,
    JPG,
    PDF,
    PNG,
    XLSX,
    attachment_add,
    attachment_check,
    may_attach,
    request_comment,
    sniff,
)
from cases.services.requests.common import (
    SUBJECT_MAX,
    TEXT_MAX,
    RequestConflict,
    RequestError,
    Same,
    conflict_message,
    last_change,
)
from cases.services.requests.drafting import (
    NUMBER_PREFIX,
    RequestInput,
    province_abbreviation,
    request_resend,
    request_save_draft,
    request_send,
    request_withdraw,
    requester_districts,
    target_units,
)
from cases.services.requests.policy import defaults_ensure
from cases.services.requests.pool import (
    REVIEW_RESPONSIBILITY,
    may_draw_from,
    may_reassign,
    request_claim,
    request_reassign,
    request_release,
)
from cases.services.requests.steps import (
    request_accept,
    request_answer,
    request_ask_clarification,
    request_clarify,
    request_hand_on,
    request_reject,
    request_reopen,
    request_return,
    request_route,
)
from flows.task_life import TaskUnavailable

__all__ = [
    "CONTENT_TYPES",
    "DOCX",
    "EXTENSIONS",
    "JPG",
    "NUMBER_PREFIX",
    "PDF",
    "PNG",
    "REVIEW_RESPONSIBILITY",
    "SUBJECT_MAX",
    "TEXT_MAX",
    "XLSX",
    "RequestConflict",
    "RequestError",
    "RequestInput",
    "Same",
    "TaskUnavailable",
    "attachment_add",
    "attachment_check",
    "conflict_message",
    "defaults_ensure",
    "last_change",
    "may_attach",
    "may_draw_from",
    "may_reassign",
    "province_abbreviation",
    "request_accept",
    "request_answer",
    "request_ask_clarification",
    "request_claim",
    "request_clarify",
    "request_comment",
    "request_hand_on",
    "request_reassign",
    "request_reject",
    "request_release",
    "request_reopen",
    "request_resend",
    "request_return",
    "request_route",
    "request_save_draft",
    "request_send",
    "request_withdraw",
    "requester_districts",
    "sniff",
    "target_units",
]
