"""Rule 35, static part (``shoot.validation.dns``)."""

from __future__ import annotations

from tests.shoot.validation import shoots

SECRET = {"apiVersion": "v1", "kind": "Secret", "name": "route53"}


def test_rule_35_domain_is_a_dns_subdomain() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["dns"]["domain"] = "Crazy_Botany.example.com"
    shoots.assert_only(shoots.errors(shoot), "spec.dns.domain", "RFC 1123 subdomain")


def test_rule_35_domain_is_immutable_once_set() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["dns"]["domain"] = "other.example.com"
    shoots.assert_only(shoots.errors(new, old=old), "spec.dns.domain", "field is immutable")


def test_rule_35_managed_primary_provider_needs_domain() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["dns"] = {"providers": [{"type": "aws-route53", "primary": True, "credentialsRef": SECRET}]}
    shoots.assert_only(shoots.errors(shoot), "spec.dns.domain", "domain must be set")


def test_rule_35_at_most_one_primary_provider() -> None:
    shoot = shoots.botany_shoot()
    providers = [
        {"type": "aws-route53", "primary": True, "credentialsRef": SECRET},
        {"type": "unmanaged", "primary": True},
    ]
    shoot["spec"]["dns"]["providers"] = providers
    shoots.assert_only(shoots.errors(shoot), "spec.dns.providers[1].primary", "multiple primary DNS providers")


def test_rule_35_non_primary_provider_needs_credentials() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["dns"]["providers"] = [{"type": "aws-route53"}]
    shoots.assert_only(shoots.errors(shoot), "spec.dns.providers[0].credentialsRef", "must name its credentials")


def test_rule_35_type_and_credentials_are_unique() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["dns"]["providers"] = [{"type": "aws-route53", "credentialsRef": SECRET}] * 2
    shoots.assert_only(shoots.errors(shoot), "spec.dns.providers[1]", "must be unique")


def test_rule_35_secret_name_forbidden_from_kubernetes_1_35() -> None:
    shoot = shoots.at_version(shoots.botany_shoot(), "1.34.1")
    shoot["spec"]["dns"]["providers"] = [{"type": "aws-route53", "secretName": "route53"}]
    old = shoots.copy_of(shoot)
    assert shoots.errors(shoot) == []
    shoot = shoots.at_version(shoot, "1.35.0")
    shoots.assert_only(shoots.errors(shoot, old=old), "spec.dns.providers[0].secretName", "Kubernetes >= 1.35")
