"""ControlPlane/aws: the cloud-controller-manager's configuration for the shoot's VPC, subnet and cluster tag, kept
in the shoot's seed namespace and removed on delete."""

from __future__ import annotations

from extensions.contract import Kind, Operation
from tests.extensions.aws.conftest import Shoot
from tests.extensions.aws.moto import REGION

INFRA = {"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureStatus",
         "vpc": {"id": "vpc-0a1b2c", "subnets": [{"purpose": "public", "id": "subnet-p", "zone": f"{REGION}a"},
                                                 {"purpose": "nodes", "id": "subnet-n", "zone": f"{REGION}a"}],
                 "securityGroups": [{"purpose": "nodes", "id": "sg-1"}]}}


def test_the_cloud_provider_config_names_the_shoots_network(aws_shoot: Shoot) -> None:
    spec = {"type": "aws", "region": REGION, "infrastructureProviderStatus": INFRA,
            "providerConfig": {"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1",
                               "kind": "ControlPlaneConfig",
                               "cloudControllerManager": {"featureGates": {"RotateKubeletServerCertificate": True},
                                                          "useCustomRouteController": True}}}
    done = aws_shoot.run(Kind.CONTROL_PLANE, spec)
    assert done.status["lastOperation"]["state"] == "Succeeded"
    found = aws_shoot.cluster.kube.get("v1", "ConfigMap", "cloud-provider-config", namespace=aws_shoot.technical_id)
    assert found is not None
    config = found["data"]["cloudprovider.conf"].splitlines()
    ns = aws_shoot.technical_id
    assert config[0] == "[Global]"
    assert {'VPC="vpc-0a1b2c"', 'SubnetID="subnet-n"', f'Zone="{REGION}a"', f'KubernetesClusterTag="{ns}"',
            f'KubernetesClusterID="{ns}"'} <= set(config)
    flags = found["data"]["flags"].splitlines()
    assert "--feature-gates=RotateKubeletServerCertificate=true" in flags
    assert f"--cluster-name={ns}" in flags and "--allocate-node-cidrs=true" in flags

    aws_shoot.run(Kind.CONTROL_PLANE, spec, operation=Operation.DELETE)
    assert aws_shoot.cluster.kube.get("v1", "ConfigMap", "cloud-provider-config", namespace=ns) is None
