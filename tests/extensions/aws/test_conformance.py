"""The aws plugin under the conformance kit (``hortus.kit.conformance``) with keys of the moto server, in an AWS
region: Infrastructure, then ControlPlane and Worker on top of an Infrastructure the kit creates first (its
providerStatus forwarded, as the flow does), each through its whole lifecycle."""

from __future__ import annotations

from pathlib import Path

from hortus.kit import conformance, scenarios
from tests.extensions.aws.conftest import cloud_profile, registry
from tests.extensions.aws.moto import REGION, MotoServer

STEPS = {"create", "reconcile again changes nothing", "invalid providerConfig is a configuration problem",
         "migrate", "restore", "delete cleans up"}


def test_the_kit_drives_every_aws_kind_through_its_whole_lifecycle(moto: MotoServer, tmp_path: Path) -> None:
    settings = scenarios.Settings(region=REGION, zones=(f"{REGION}a",), machine_type="m5.large",
                                  machine_image=("ubuntu", "24.4.0"),
                                  cloud_profile_config=cloud_profile()["spec"]["providerConfig"])
    report = conformance.run("aws", registry=registry(), directory=tmp_path, timeout=120, credentials=moto.admin,
                             settings=settings)
    assert report.passed, report.text()
    by_resource: dict[str, set[str]] = {}
    for check in report.checks:
        by_resource.setdefault(check.resource, set()).add(check.step)
    assert by_resource == {"Infrastructure/aws": STEPS, "ControlPlane/aws": STEPS, "Worker/aws": STEPS}
