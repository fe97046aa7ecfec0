"""Two tabs, or two people, on the same coordination request (issue 10, item 3): every form that changes the
request carries the request's version; a form from before the request's last change answers 409, says what
the other tab or person did and when, changes nothing, and shows the page again with everything typed in
it. A double click of the same form does the action once and is told where the request is."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.services import requests as services
from organisation.models.people import person_name
from tests.coordination import Org, fresh, request_input, sent_request

pytestmark = pytest.mark.django_db


def th(msgid: str, **params: object) -> str:
    """The Thai the page shows for an English msgid."""
    with translation.override("th"):
        text = gettext(msgid)
    return text % params if params else text


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def version_on(body: str) -> int:
    """The version the page's forms carry (every form of a page carries the same)."""
    found = set(re.findall(r'name="version" value="(\d+)"', body))
    assert len(found) == 1, found
    return int(found.pop())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def task_of(request: CoordinationRequest) -> int:
    return Task.objects.get(
        process_id=request.process_id, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).pk


def act_url(request: CoordinationRequest, action: str) -> str:
    return reverse("requests:act", args=[request.pk, action])


# The states a request is brought to, each by the services.


def reviewing(org: Org) -> CoordinationRequest:
    return sent_request(org)


def routed(org: Org, target: Any = None) -> CoordinationRequest:
    request = sent_request(org, target=target)
    return services.request_route(request=request, task_id=task_of(request), by=org.director)


def at_desk(org: Org) -> CoordinationRequest:
    request = routed(org)
    return services.request_claim(request=request, task_id=task_of(request), by=org.desk)


def at_lamphun(org: Org) -> CoordinationRequest:
    return routed(org, target=org.lamphun)


def asked(org: Org) -> CoordinationRequest:
    request = at_desk(org)
    return services.request_ask_clarification(
        request=request, task_id=task_of(request), by=org.desk, question="ขอสำเนาหนังสือสั่งการ"
    )


def answered(org: Org) -> CoordinationRequest:
    request = at_desk(org)
    return services.request_answer(request=request, task_id=task_of(request), by=org.desk, answer="เบิกได้")


def returned(org: Org) -> CoordinationRequest:
    request = sent_request(org)
    return services.request_return(
        request=request, task_id=task_of(request), by=org.director, reason="ขาดเอกสาร"
    )


@dataclass
class Stale:
    """`user` opens the request's page in state `setup`; meanwhile `other` does `meanwhile`; then the page's
    form `action` is posted with `typed`. The page must answer 409 with every typed text in it."""

    setup: Callable[[Org], CoordinationRequest]
    user: str
    action: str
    typed: dict[str, str]
    other: str
    meanwhile: Callable[[Org, CoordinationRequest], Any]
    # What the other tab or person did, as the timeline says it (an English msgid, in Thai on the page).
    event: str


def _route(org: Org, request: CoordinationRequest) -> Any:
    return services.request_route(request=request, task_id=task_of(request), by=org.director)


def _return(org: Org, request: CoordinationRequest) -> Any:
    return services.request_return(request=request, task_id=task_of(request), by=org.director, reason="ขาด")


STALE = {
    "route": Stale(
        reviewing,
        "director",
        "route",
        {"comment": "โปรดเร่งพิจารณาให้ด้วย"},
        "director",
        _return,
        "Returned to the requester for more information",
    ),
    "return": Stale(
        reviewing,
        "director",
        "return",
        {"reason": "โปรดแนบบันทึกข้อความของเทศบาล"},
        "director",
        _route,
        "Approved and routed to %(to)s",
    ),
    "reject": Stale(
        reviewing,
        "director",
        "reject",
        {"reason": "ไม่อยู่ในอำนาจหน้าที่ของกรม"},
        "director",
        lambda org, r: services.request_answer(
            request=r, task_id=task_of(r), by=org.director, answer="ตอบเองแล้ว"
        ),
        "Answered directly by the group director",
    ),
    "answer_at_review": Stale(
        reviewing,
        "director",
        "answer",
        {"answer": "ระเบียบข้อ ๘๙ ให้เบิกได้"},
        "director",
        _route,
        "Approved and routed to %(to)s",
    ),
    "answer": Stale(
        at_desk,
        "desk",
        "answer",
        {"answer": "เบิกจ่ายได้ตามหนังสือสั่งการที่ มท ๐๘๐๘.๒/ว ๑๒๓๔"},
        "desk",
        lambda org, r: services.request_ask_clarification(
            request=r, task_id=task_of(r), by=org.desk, question="ขอเลขที่โครงการ"
        ),
        "Clarification asked of the requester",
    ),
    "ask": Stale(
        at_desk,
        "desk",
        "ask",
        {"question": "โครงการนี้ผ่านสภาท้องถิ่นแล้วหรือยัง"},
        "desk",
        lambda org, r: services.request_answer(request=r, task_id=task_of(r), by=org.desk, answer="ได้"),
        "Answered",
    ),
    "hand_on": Stale(
        at_lamphun,
        "lp_director",
        "hand_on",
        {"note": "โปรดตอบภายในสัปดาห์นี้"},
        "lp_director",
        lambda org, r: services.request_answer(
            request=r, task_id=task_of(r), by=org.lp_director, answer="ได้"
        ),
        "Answered",
    ),
    "clarify": Stale(
        asked,
        "officer",
        "clarify",
        {"reply": "โครงการเลขที่ ๖๗/๒๕๖๙ ผ่านสภาแล้ว"},
        "officer",
        lambda org, r: services.request_withdraw(request=r, by=org.officer, reason="แก้ไขได้เองแล้ว"),
        "Withdrawn by the requester",
    ),
    "reopen": Stale(
        answered,
        "officer",
        "reopen",
        {"reason": "ยังไม่ได้ตอบเรื่องงบผูกพัน"},
        "officer",
        lambda org, r: services.request_accept(request=r, task_id=task_of(r), by=org.officer),
        "Answer accepted: closed",
    ),
    "accept": Stale(
        answered,
        "officer",
        "accept",
        {},
        "officer",
        lambda org, r: services.request_reopen(request=r, task_id=task_of(r), by=org.officer, reason="ยังขาด"),
        "Reopened",
    ),
    "withdraw": Stale(
        reviewing,
        "officer",
        "withdraw",
        {"reason": "ท้องถิ่นแก้ปัญหาได้เองแล้ว"},
        "director",
        _route,
        "Approved and routed to %(to)s",
    ),
    "reassign": Stale(
        reviewing,
        "head",
        "reassign",
        {"reason": "ผอ.กง.ทอ. ลาป่วย"},
        "director",
        _route,
        "Approved and routed to %(to)s",
    ),
    "claim": Stale(
        routed,
        "desk2",
        "claim",
        {},
        "desk",
        lambda org, r: services.request_claim(request=r, task_id=task_of(r), by=org.desk),
        "Claimed from the pool",
    ),
    "release": Stale(
        at_desk,
        "desk",
        "release",
        {},
        "desk",
        lambda org, r: services.request_answer(request=r, task_id=task_of(r), by=org.desk, answer="ได้"),
        "Answered",
    ),
}


def _post_data(org: Org, case: Stale, request: CoordinationRequest, body: str) -> dict[str, Any]:
    data: dict[str, Any] = {"task": request.current_task_id or "", "version": version_on(body), **case.typed}
    if case.action == "route":
        data["target"] = f"unit:{org.bureau.pk}"
    if case.action == "hand_on":
        data["officer"] = org.lp_officer.officer.pk
    if case.action == "reassign":
        data["officer"] = org.neighbour.officer.pk  # any candidate: the page is refused before the choice
    return data


@pytest.mark.parametrize("name", list(STALE))
def test_a_form_from_before_the_last_change_answers_409_with_what_happened_and_what_was_typed(
    org: Org, name: str
) -> None:
    case = STALE[name]
    request = case.setup(org)
    user = getattr(org, case.user)
    client = client_for(user)
    body = page(client.get(request.get_absolute_url()))
    data = _post_data(org, case, fresh(request), body)
    # Another tab of the same person, or another person, acts first.
    case.meanwhile(org, fresh(request))
    before = fresh(request)
    timeline = before.version, before.status, before.holder_id

    response = client.post(act_url(request, case.action), data)

    assert response.status_code == 409
    after = fresh(request)
    assert (after.version, after.status, after.holder_id) == timeline  # nothing done
    shown = page(response)
    message = messages_of(response)[-1]
    assert person_name(getattr(org, case.other)) in message
    assert th(case.event, to=str(after.target)) in message
    assert message in shown
    for text in case.typed.values():
        assert text in shown  # every typed value is on the page again
    # Any form still offered carries the version now: sending it again is a decision made knowing this.
    assert set(re.findall(r'name="version" value="(\d+)"', shown)) <= {str(after.version)}


def test_a_form_from_the_current_version_goes_through(org: Org) -> None:
    request = reviewing(org)
    client = client_for(org.director)
    body = page(client.get(request.get_absolute_url()))
    data = {"task": task_of(request), "version": version_on(body), "reason": "โปรดแนบเอกสาร"}
    assert client.post(act_url(request, "return"), data).status_code == 302
    assert fresh(request).status == RequestStatus.RETURNED


def test_a_refused_form_shown_again_can_be_sent_at_once(org: Org) -> None:
    """The 409 page's form carries the new version: the director, having read what happened, sends it."""
    request = at_desk(org)
    client = client_for(org.desk)
    body = page(client.get(request.get_absolute_url()))
    stale = {"task": task_of(request), "version": version_on(body), "answer": "เบิกได้ตามระเบียบ"}
    services.request_comment(request=request, by=org.officer, text="เพิ่มเติม: เป็นงบกลาง")  # not a change
    services.request_release(request=fresh(request), task_id=task_of(request), by=org.desk)
    services.request_claim(request=fresh(request), task_id=task_of(request), by=org.desk)
    refused = client.post(act_url(request, "answer"), stale)
    assert refused.status_code == 409
    shown = page(refused)
    assert "เบิกได้ตามระเบียบ" in shown
    again = {**stale, "task": task_of(request), "version": version_on(shown)}
    assert client.post(act_url(request, "answer"), again).status_code == 302
    assert fresh(request).status == RequestStatus.ANSWERED and fresh(request).answer == "เบิกได้ตามระเบียบ"


def test_a_comment_or_a_file_does_not_make_a_page_stale(org: Org) -> None:
    request = reviewing(org)
    client = client_for(org.director)
    body = page(client.get(request.get_absolute_url()))
    services.request_comment(request=request, by=org.officer, text="ขอเร่งด่วน")
    data = {"task": task_of(request), "version": version_on(body), "target": f"unit:{org.bureau.pk}"}
    assert client.post(act_url(request, "route"), data).status_code == 302
    assert fresh(request).status == RequestStatus.AT_TARGET


def test_sending_a_draft_edited_in_another_tab_answers_409(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    client = client_for(org.officer)
    body = page(client.get(draft.get_absolute_url()))
    services.request_save_draft(by=org.officer, data=request_input(org, subject="เรื่องใหม่"), request=draft)
    response = client.post(reverse("requests:send", args=[draft.pk]), {"version": version_on(body)})
    assert response.status_code == 409
    assert fresh(draft).status == RequestStatus.DRAFT
    assert "เรื่องใหม่" in page(response)  # the page shows what would have been sent


# A double click: the same form, the same values, twice.


def test_a_double_click_on_route_routes_once_and_says_so(org: Org) -> None:
    request = reviewing(org)
    client = client_for(org.director)
    body = page(client.get(request.get_absolute_url()))
    data = {
        "task": task_of(request),
        "version": version_on(body),
        "target": f"unit:{org.bureau.pk}",
        "comment": "ด่วน",
    }
    assert client.post(act_url(request, "route"), data).status_code == 302
    second = client.post(act_url(request, "route"), data, follow=True)
    assert second.status_code == 200 and second.redirect_chain[0][1] == 302
    assert th("Approved and routed to %(to)s", to=str(org.bureau)) in messages_of(second)[-1]
    assert Task.objects.filter(process_id=request.process_id, flow_task_type="HUMAN").count() == 2


def test_a_double_click_on_accept_closes_once(org: Org) -> None:
    request = answered(org)
    client = client_for(org.officer)
    body = page(client.get(request.get_absolute_url()))
    data = {"task": task_of(request), "version": version_on(body)}
    assert client.post(act_url(request, "accept"), data).status_code == 302
    assert client.post(act_url(request, "accept"), data).status_code == 302
    assert fresh(request).status == RequestStatus.CLOSED


# The edit form: a draft, or a request returned to the requester.


def edit_data(org: Org, body: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": version_on(body),
        "subject": "ขอหารือการเบิกจ่ายงบประมาณโครงการป้องกันน้ำท่วม",
        "details": "เทศบาลตำบลขอหารือแนวทางการเบิกจ่ายงบกลางกรณีฉุกเฉิน",
        "category": org.category.pk,
        "urgency": "NORMAL",
        "district": org.district.pk,
        "target": f"unit:{org.bureau.pk}",
        "draft": "1",
    }
    data.update(changes)
    return data


def test_two_tabs_editing_a_draft_the_second_save_answers_409_and_keeps_what_it_typed(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    url = reverse("requests:edit", args=[draft.pk])
    tab_a, tab_b = client_for(org.officer), client_for(org.officer)
    body_a, body_b = page(tab_a.get(url)), page(tab_b.get(url))
    assert tab_a.post(url, edit_data(org, body_a, subject="หัวเรื่องจากแท็บแรก")).status_code == 302

    typed = edit_data(org, body_b, subject="หัวเรื่องจากแท็บที่สอง", details="รายละเอียดที่พิมพ์ในแท็บที่สอง")
    response = tab_b.post(url, typed)

    assert response.status_code == 409
    assert fresh(draft).subject == "หัวเรื่องจากแท็บแรก"  # nothing overwritten
    shown = page(response)
    assert "หัวเรื่องจากแท็บที่สอง" in shown and "รายละเอียดที่พิมพ์ในแท็บที่สอง" in shown
    message = response.context["form"].non_field_errors()[0]
    assert message in shown and timezone_hhmm(fresh(draft).updated_at) in message
    # Saved again from the page shown: it goes through.
    assert tab_b.post(url, {**typed, "version": version_on(shown)}).status_code == 302
    assert fresh(draft).subject == "หัวเรื่องจากแท็บที่สอง"


def timezone_hhmm(moment: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%H:%M")


def test_a_draft_sent_in_another_tab_then_saved_in_this_one_answers_409(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    url = reverse("requests:edit", args=[draft.pk])
    client = client_for(org.officer)
    body = page(client.get(url))
    sent = services.request_send(request=draft, by=org.officer)

    response = client.post(url, edit_data(org, body, details="เพิ่มรายละเอียดก่อนส่ง"))

    assert response.status_code == 409
    shown = page(response)
    assert "เพิ่มรายละเอียดก่อนส่ง" in shown
    message = response.context["form"].non_field_errors()[0]
    assert person_name(org.officer) in message
    assert th("Sent to the group director as %(number)s", number=sent.number) in message
    assert fresh(draft).status == RequestStatus.REVIEW and fresh(draft).details == draft.details


def test_a_returned_request_resent_in_two_tabs_the_second_answers_409_with_its_values(org: Org) -> None:
    request = returned(org)
    url = reverse("requests:edit", args=[request.pk])
    tab_a, tab_b = client_for(org.officer), client_for(org.officer)
    body_a, body_b = page(tab_a.get(url)), page(tab_b.get(url))
    first = edit_data(org, body_a, details="แนบบันทึกแล้ว", send="1", comment="แก้ไขตามที่แจ้ง")
    del first["draft"]
    assert tab_a.post(url, first).status_code == 302
    second = edit_data(org, body_b, details="รายละเอียดแท็บที่สอง", send="1", comment="หมายเหตุแท็บที่สอง")
    del second["draft"]

    response = tab_b.post(url, second)

    assert response.status_code == 409
    shown = page(response)
    assert "รายละเอียดแท็บที่สอง" in shown and "หมายเหตุแท็บที่สอง" in shown
    message = response.context["form"].non_field_errors()[0]
    assert th("Edited and sent again") in message and person_name(org.officer) in message
    after = fresh(request)
    assert after.status == RequestStatus.REVIEW and after.details == "แนบบันทึกแล้ว"
    assert Task.objects.filter(process_id=request.process_id, flow_task_type="HUMAN").count() == 3


def test_a_returned_request_edited_after_the_requester_withdrew_it_answers_409(org: Org) -> None:
    request = returned(org)
    url = reverse("requests:edit", args=[request.pk])
    client = client_for(org.officer)
    body = page(client.get(url))
    services.request_withdraw(request=request, by=org.officer, reason="ไม่ต้องการแล้ว")
    data = edit_data(org, body, details="ข้อความที่พิมพ์ไว้", send="1", comment="")
    response = client.post(url, data)
    assert response.status_code == 409
    assert "ข้อความที่พิมพ์ไว้" in page(response)
    assert th("Withdrawn by the requester") in response.context["form"].non_field_errors()[0]
    assert fresh(request).status == RequestStatus.WITHDRAWN


def test_a_double_click_on_save_draft_saves_once_and_is_not_refused(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    url = reverse("requests:edit", args=[draft.pk])
    client = client_for(org.officer)
    data = edit_data(org, page(client.get(url)), subject="แก้หัวเรื่อง")
    assert client.post(url, data).status_code == 302
    version = fresh(draft).version
    assert client.post(url, data).status_code == 302
    assert fresh(draft).version == version


def test_a_double_click_on_send_from_the_edit_form_sends_once(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    url = reverse("requests:edit", args=[draft.pk])
    client = client_for(org.officer)
    data = edit_data(org, page(client.get(url)), send="1")
    del data["draft"]
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302 and second["Location"] == draft.get_absolute_url()
    assert Task.objects.filter(process_id=fresh(draft).process_id, flow_task_type="HUMAN").count() == 1


# The services: one version, changed by every write, checked under the row lock.


def test_every_change_of_a_request_moves_its_version(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    seen = [fresh(draft).version]

    def moved() -> None:
        now = fresh(draft).version
        assert now > seen[-1]
        seen.append(now)

    services.request_save_draft(by=org.officer, data=request_input(org, subject="ใหม่"), request=draft)
    moved()
    request = services.request_send(request=fresh(draft), by=org.officer)
    moved()
    services.request_return(request=request, task_id=task_of(request), by=org.director, reason="ขาด")
    moved()
    services.request_resend(
        request=fresh(draft), task_id=task_of(fresh(draft)), by=org.officer, data=request_input(org)
    )
    moved()
    services.request_reassign(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.head, to=org.head)
    moved()
    services.request_route(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.head)
    moved()
    services.request_claim(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.desk)
    moved()
    services.request_release(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.desk)
    moved()
    services.request_claim(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.desk)
    moved()
    services.request_ask_clarification(
        request=fresh(draft), task_id=task_of(fresh(draft)), by=org.desk, question="?"
    )
    moved()
    services.request_clarify(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.officer, reply="ตอบ")
    moved()
    services.request_answer(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.desk, answer="ได้")
    moved()
    services.request_reopen(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.officer, reason="ยัง")
    moved()
    services.request_answer(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.desk, answer="ได้แล้ว")
    moved()
    services.request_accept(request=fresh(draft), task_id=task_of(fresh(draft)), by=org.officer)
    moved()
    services.request_comment(request=fresh(draft), by=org.officer, text="ขอบคุณ")
    assert fresh(draft).version == seen[-1]  # a comment is not a change of the request


def test_a_stale_version_is_refused_by_the_service_and_nothing_is_written(org: Org) -> None:
    request = reviewing(org)
    version = fresh(request).version
    services.request_comment(request=request, by=org.director, text="รับทราบ")
    services.request_reassign(request=fresh(request), task_id=task_of(request), by=org.head, to=org.head)
    with pytest.raises(services.RequestConflict) as refused:
        services.request_route(request=fresh(request), task_id=task_of(request), by=org.head, version=version)
    assert person_name(org.head) in str(refused.value)
    assert fresh(request).status == RequestStatus.REVIEW and fresh(request).holder == org.head
