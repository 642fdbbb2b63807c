"""The ``aws`` provider: shoots on Amazon EC2 through boto3, with Gardener's provider-aws formats.

Entry point ``aws = "extensions.aws:plugin"`` (group ``hortus.extensions``). Infrastructure = VPC, subnets per zone,
gateways, route tables, security group, IAM instance profile and key pair (``extensions.aws.infrastructure``);
Worker = EC2 instances running the OperatingSystemConfig's user data (``extensions.aws.worker``); ControlPlane =
the cloud-controller-manager's configuration (``extensions.aws.controlplane``). Its providerConfigs are provider-aws's
``aws.provider.extensions.gardener.cloud/v1alpha1`` kinds (``extensions.aws.schemas``), checked further by
``extensions.aws.validation``. The cloud-provider Secret holds ``accessKeyID`` and ``secretAccessKey`` (and, for an
emulator such as moto, ``endpoint``).
"""

from __future__ import annotations

from extensions.aws import schemas, validation
from extensions.aws.controlplane import ControlPlaneActuator
from extensions.aws.infrastructure import InfrastructureActuator
from extensions.aws.worker import WorkerActuator
from extensions.contract import Kind, Plugin, Registration

TYPE = "aws"
VERSION = "0.1.0"

plugin = Plugin(
    name="provider-aws",
    version=VERSION,
    description="Shoots on AWS: VPC, subnets, NAT, security group, IAM profile and EC2 instances (boto3)",
    resources=(
        Registration(kind=Kind.INFRASTRUCTURE, type=TYPE, actuator=InfrastructureActuator(),
                     provider_config_schema=schemas.INFRASTRUCTURE_CONFIG, provider_config_required=True,
                     validator=validation.infrastructure_config),
        Registration(kind=Kind.CONTROL_PLANE, type=TYPE, actuator=ControlPlaneActuator(),
                     provider_config_schema=schemas.CONTROL_PLANE_CONFIG),
        Registration(kind=Kind.WORKER, type=TYPE, actuator=WorkerActuator(),
                     provider_config_schema=schemas.WORKER_CONFIG, validator=validation.worker_config),
    ),
)
