"""Authentication: OAuth 2.0 bearer tokens (JWT or introspected) and API keys, into a Principal."""

from gateway.auth.authenticator import Authenticator
from gateway.auth.config import (
    ApiKeyConfig,
    AuthConfig,
    IntrospectionConfig,
    IssuerConfig,
    auth_config_from_mapping,
)
from gateway.auth.principal import API_KEY_ISSUER, Principal

__all__ = [
    "API_KEY_ISSUER",
    "ApiKeyConfig",
    "AuthConfig",
    "Authenticator",
    "IntrospectionConfig",
    "IssuerConfig",
    "Principal",
    "auth_config_from_mapping",
]
