"""What the API answers: read-only shapes of the objects the pages show, and the inputs of its writes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from organisation.models import Officer


class Person(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    position = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class ProvinceRow(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()


class DistrictRow(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    province = serializers.CharField(source="province.code")


class UnitRow(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    kind = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    abbreviation = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField(required=False, default="")


class DistrictOfficer(serializers.Serializer):
    district = DistrictRow()
    officer = Person(allow_null=True)


class ActingDeputyRow(serializers.Serializer):
    officer = Person(source="deputy")
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class ProvinceDirectory(serializers.Serializer):
    province = ProvinceRow()
    group_director = Person(allow_null=True)
    acting_deputies = ActingDeputyRow(many=True)
    provincial_head = Person(allow_null=True)
    sso_admins = Person(many=True)
    districts = DistrictOfficer(many=True)


class DistrictDirectory(serializers.Serializer):
    district = DistrictRow()
    officer = Person(allow_null=True)
    since = serializers.DateField(allow_null=True)


class Attachment(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class RequestRow(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    urgency = serializers.CharField()
    category = serializers.CharField(source="category.code")
    province = serializers.IntegerField(source="province_id")
    district = serializers.IntegerField(source="district_id")
    district_name = serializers.CharField(source="district.name")
    target = serializers.CharField(source="target_label")
    requester = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()

    def get_requester(self, obj: Any) -> str:
        officer = getattr(obj.requester, "officer", None) if obj.requester_id else None
        return officer.full_name if isinstance(officer, Officer) else ""


class TimelineRow(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    text = serializers.CharField()
    detail = serializers.CharField()


class RequestDetail(RequestRow):
    details = serializers.CharField()
    answer = serializers.CharField()
    reason = serializers.CharField()
    task = serializers.IntegerField(source="current_task_id", allow_null=True)
    actions = serializers.ListField(child=serializers.CharField())
    attachments = Attachment(many=True)
    timeline = TimelineRow(many=True)


class RequestNew(serializers.Serializer):
    """Open a request: the fields of the page's form (multipart for attachments)."""

    subject = serializers.CharField()
    details = serializers.CharField()
    category = serializers.IntegerField()
    urgency = serializers.CharField()
    district = serializers.IntegerField()
    lgo = serializers.IntegerField(required=False)
    target = serializers.CharField(help_text="unit:<id> or province:<id>")
    token = serializers.UUIDField(
        required=False, help_text="Any UUID: a retry with the same one does nothing twice."
    )
    send = serializers.BooleanField(required=False, default=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class ActionInput(serializers.Serializer):
    """An action's fields, as on the request page: version (the one read), task, and the action's own."""

    version = serializers.IntegerField(required=False)
    task = serializers.IntegerField(required=False)
    target = serializers.CharField(required=False)
    comment = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    answer = serializers.CharField(required=False)
    question = serializers.CharField(required=False)
    reply = serializers.CharField(required=False)
    officer = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False)


class Done(serializers.Serializer):
    message = serializers.CharField()


class ActionDone(Done):
    request = RequestDetail(allow_null=True)


class Cycle(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    status = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class Progress(serializers.Serializer):
    total = serializers.IntegerField()
    complete = serializers.IntegerField()
    submitted = serializers.IntegerField()
    draft = serializers.IntegerField()
    returned = serializers.IntegerField()
    not_started = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ProvinceProgress(serializers.Serializer):
    province = ProvinceRow()
    progress = Progress()


class DistrictProgress(serializers.Serializer):
    report = serializers.IntegerField()
    district = serializers.CharField()
    status = serializers.CharField()
    complete = serializers.BooleanField()
    overdue = serializers.BooleanField()


class ProvinceReports(serializers.Serializer):
    province = ProvinceRow()
    progress = Progress()
    districts = DistrictProgress(many=True)


class ReportField(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    upper_bound = serializers.IntegerField(allow_null=True)
    value = serializers.IntegerField(allow_null=True)


class Report(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField()
    district = serializers.CharField()
    province = serializers.CharField()
    status = serializers.CharField()
    complete = serializers.BooleanField()
    revision = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    may_edit = serializers.BooleanField()
    fields = ReportField(many=True)


class ReportInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)
    values = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    confirmed = serializers.ListField(child=serializers.CharField(), required=False)


class ReportDone(Done):
    report = Report()


class Notification(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MarkRead(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)


class Marked(serializers.Serializer):
    marked = serializers.IntegerField()


class Error(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    current = serializers.DictField(required=False)


def paged(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """A page of a cursor-paginated list: links to the next and previous pages, and the rows."""
    return type(
        f"Paged{item.__name__}",
        (serializers.Serializer,),
        {
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item(many=True),
        },
    )


PagedProvince = paged(ProvinceRow)
PagedDistrict = paged(DistrictRow)
PagedRequest = paged(RequestRow)
PagedCycle = paged(Cycle)
PagedReport = paged(Report)
PagedNotification = paged(Notification)
