"""The aws plugin under the conformance kit (``hortus.kit.conformance``) with keys of the moto server: what the kit
can drive of a cloud provider passes, and what it cannot is refused at once with the reason (the kit's shoot lives
in region ``local``, which is no AWS region; its Worker would also lack an Infrastructure's status)."""

from __future__ import annotations

from pathlib import Path

from hortus.kit import conformance
from tests.extensions.aws.conftest import registry
from tests.extensions.aws.moto import MotoServer


def test_the_kit_drives_the_aws_control_plane_through_its_whole_lifecycle(moto: MotoServer, tmp_path: Path) -> None:
    report = conformance.run("aws", registry=registry(), directory=tmp_path, timeout=60, credentials=moto.admin)
    by_resource: dict[str, dict[str, conformance.Check]] = {}
    for check in report.checks:
        by_resource.setdefault(check.resource, {})[check.step] = check
    assert all(c.ok for c in by_resource["ControlPlane/aws"].values()), report.text()
    assert set(by_resource["ControlPlane/aws"]) == {
        "create", "reconcile again changes nothing", "invalid providerConfig is a configuration problem",
        "migrate", "restore", "delete cleans up"}
    for resource in ("Infrastructure/aws", "Worker/aws"):
        create = by_resource[resource]["create"]
        assert not create.ok and "region 'local' is not an AWS region" in create.detail, report.text()
