"""The partner API's authentication in the OpenAPI schema: three headers, all required."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "exchange.api.PartnerSignatureAuthentication"
    name = ["PartnerKey", "PartnerTimestamp", "PartnerSignature"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-Partner-Key",
                "description": "The partner's key id.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-Timestamp",
                "description": "Unix seconds or ISO 8601 with a zone; at most 5 minutes from our clock.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-Signature",
                "description": 'hex(HMAC-SHA256(secret, X-Timestamp + "\\n" + raw body)); each used once.',
            },
        ]
