"""Rule 35 (static part): the shoot's DNS domain and its DNS providers.

Called by ``shoot.validation.validate_shoot``. Global uniqueness of the domain and the seed default-domain
layout need other shoots and seeds and are the admission's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats, versions
from shoot.validation.formats import dig, items
from shoot.validation.provider import immutable

UNMANAGED = "unmanaged"
PATH = "spec.dns"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    dns = dig(new, "spec", "dns")
    domain = dig(dns, "domain")
    errors = formats.dns_subdomain(f"{PATH}.domain", domain) if domain is not None else []
    # The domain names the shoot's API server in kubeconfigs and certificates; it cannot move.
    errors += immutable(f"{PATH}.domain", new=domain, old=dig(old, "spec", "dns", "domain"))
    providers = items(dig(dns, "providers"))
    errors += _primary(providers, domain=domain)
    seen: set[tuple[Any, Any]] = set()
    for index, provider in enumerate(providers):
        errors += _provider(f"{PATH}.providers[{index}]", provider, shoot=new, seen=seen)
    return errors


def _primary(providers: list[Any], *, domain: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    primaries = [index for index, provider in enumerate(providers) if dig(provider, "primary") is True]
    for index in primaries[1:]:
        errors.append(
            fielderrors.forbidden(
                f"{PATH}.providers[{index}].primary", "multiple primary DNS providers are not supported"
            )
        )
    primary_type = dig(providers[primaries[0]], "type") if primaries else None
    if primary_type is not None and primary_type != UNMANAGED and domain is None:
        errors.append(
            fielderrors.required(
                f"{PATH}.domain", f'domain must be set when the primary provider type is not "{UNMANAGED}"'
            )
        )
    return errors


def _provider(path: str, provider: Any, *, shoot: Mapping[str, Any], seen: set[tuple[Any, Any]]) -> list[FieldError]:
    errors: list[FieldError] = []
    credentials, secret = dig(provider, "credentialsRef"), dig(provider, "secretName")
    if secret is not None and versions.at_least(shoot, 1, 35):
        errors.append(
            fielderrors.forbidden(
                f"{path}.secretName", "is no longer supported for Kubernetes >= 1.35, use credentialsRef"
            )
        )
    if dig(provider, "type") == UNMANAGED and (secret is not None or credentials is not None):
        errors.append(fielderrors.forbidden(path, f'an "{UNMANAGED}" provider takes no credentials'))
    if dig(provider, "primary") is not True and credentials is None and secret is None:
        errors.append(
            fielderrors.required(f"{path}.credentialsRef", "a non-primary DNS provider must name its credentials")
        )
    if (secret is not None or credentials is not None) and not dig(provider, "type"):
        errors.append(fielderrors.required(f"{path}.type", "type must be set when credentials are set"))
    identity = (dig(provider, "type"), _credentials_identity(credentials, secret))
    if identity[1] is not None and identity in seen:
        errors.append(
            fielderrors.invalid(
                path, identity[1], "combination of type and credentials must be unique across providers"
            )
        )
    seen.add(identity)
    return errors + _domain_filters(path, provider)


def _credentials_identity(credentials: Any, secret: Any) -> str | None:
    if credentials is not None:
        return f"{dig(credentials, 'kind')}/{dig(credentials, 'name')}"
    return None if secret is None else f"Secret/{secret}"


def _domain_filters(path: str, provider: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    for part in ("include", "exclude"):
        for index, domain in enumerate(items(dig(provider, "domains", part))):
            errors += formats.dns_subdomain(f"{path}.domains.{part}[{index}]", domain)
    return errors
