from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """The claims a department's provider would send: each person's are given in seed.json."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "citizen_id": "profile",
        "province_code": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        people = {person["username"]: person for person in settings.SEED["people"]}
        claims: dict[str, Any] = people[request.user.username]["claims"]
        return claims
