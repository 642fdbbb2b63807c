"""The SDK for extension authors: a base actuator, typed access to the shoot, health checks, error codes, secrets.

Imported by the built-in extensions and by third-party plugins (``hortus extension new`` generates one that uses
it). Everything here works on the contract's ``Context`` and ``ExtensionObject``; nothing imports a cluster client.
"""

from extensions.sdk.actuator import BaseActuator
from extensions.sdk.codes import CodeTable, determine_codes, flow_error
from extensions.sdk.health import deployment_condition, nodes_condition, pods_condition
from extensions.sdk.secrets import decoded, require_credentials
from extensions.sdk.shoot import ShootView

__all__ = [
    "BaseActuator",
    "CodeTable",
    "ShootView",
    "decoded",
    "deployment_condition",
    "determine_codes",
    "flow_error",
    "nodes_condition",
    "pods_condition",
    "require_credentials",
]
