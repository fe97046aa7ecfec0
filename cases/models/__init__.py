from cases.models.requests import Attachment, Category, CoordinationRequest, RequestCounter, RequestStatus

__all__ = ["Attachment", "Category", "CoordinationRequest", "RequestCounter", "RequestStatus"]
