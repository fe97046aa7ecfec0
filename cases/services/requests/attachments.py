"""Comments and attachments on a request's timeline: the files checked by their content, not their name."""

from __future__ import annotations

import datetime
import zipfile

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Attachment, CoordinationRequest, RequestStatus
from cases.services.process import moment, step_record
from cases.services.requests.common import RequestError, clean_text
from deadlines.models import TimelineEntry
from deadlines.services.timeline import timeline_add


def request_comment(
    *, request: CoordinationRequest, by: User, text: str, now: datetime.datetime | None = None
) -> TimelineEntry:
    now = moment(now)
    text = clean_text(text, "text", limit=2000)
    return timeline_add(case=request, kind=TimelineEntry.Kind.COMMENT, at=now, actor=by, data={"text": text})


# (extension, content type, a check of the first bytes / the zip's parts)
PDF, DOCX, XLSX, JPG, PNG = "pdf", "docx", "xlsx", "jpg", "png"


CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    JPG: "image/jpeg",
    PNG: "image/png",
}


EXTENSIONS = {"pdf": PDF, "docx": DOCX, "xlsx": XLSX, "jpg": JPG, "jpeg": JPG, "png": PNG}


def sniff(upload: UploadedFile) -> str | None:
    """The file's real type from its content: PDF, PNG and JPEG by their signature; DOCX and XLSX by the
    parts of their zip package. None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    return None


def attachment_check(upload: UploadedFile) -> str:
    """The file's kind, or a ValidationError worded for the person who chose it."""
    name = upload.name or ""
    limit = settings.REQUEST_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s MB.") % {"name": name, "limit": limit // (1024 * 1024)}
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    kind = sniff(upload)
    extension = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if kind is None or extension != kind:
        raise ValidationError(
            _("%(name)s is not a PDF, Word (DOCX), Excel (XLSX), JPG or PNG file.") % {"name": name}
        )
    return kind


def may_attach(user: User, request: CoordinationRequest) -> bool:
    if request.status in RequestStatus.finished():
        return False
    return request.requester_id == user.pk or request.holder_id == user.pk


@transaction.atomic
def attachment_add(
    *, request: CoordinationRequest, by: User, upload: UploadedFile, now: datetime.datetime | None = None
) -> Attachment:
    now = moment(now)
    if not may_attach(by, request):
        raise RequestError(_("You cannot add files to this request now."))
    if request.attachments.count() >= settings.REQUEST_ATTACHMENTS_PER_REQUEST:
        raise ValidationError(
            _("A request can have at most %(n)s files.") % {"n": settings.REQUEST_ATTACHMENTS_PER_REQUEST}
        )
    kind = attachment_check(upload)
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    attachment = Attachment(
        request=request,
        name=name,
        content_type=CONTENT_TYPES[kind],
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    step_record(request, "attached", by=by, now=now, name=name)
    return attachment
