"""The default request categories and the deadline rules of the coordination request's steps: written by
migration 0002, and again by services.requests.defaults_ensure after a test's flush emptied the tables."""

from __future__ import annotations

# (code, Thai, English)
CATEGORIES: list[tuple[str, str, str]] = [
    ("law", "กฎหมายและระเบียบ", "Laws and regulations"),
    ("planning", "แผนพัฒนาท้องถิ่น", "Local development plans"),
    ("budget", "งบประมาณและการเงิน", "Budget and finance"),
    ("personnel", "บุคลากร", "Personnel"),
    ("complaint", "เรื่องร้องเรียน", "Complaints"),
    ("disaster", "สาธารณภัย", "Disasters"),
    ("other", "อื่น ๆ", "Other"),
]

# step: (working days by urgency, normal to most urgent; reminders; whether the escalation ladder applies)
STEPS: dict[str, tuple[list[int], list[int], bool]] = {
    "coordination.review": ([3, 2, 1, 1], [1, 0], True),
    "coordination.answer": ([10, 5, 3, 1], [1, 0], True),
    # The requester's reply when the director returns a request or a responder asks for clarification.
    "coordination.reply": ([5, 3, 2, 1], [1, 0], True),
    # An answered request closes itself when the requester neither accepts nor reopens it: no ladder.
    "coordination.acceptance": ([5, 5, 5, 5], [1], False),
}
