"""OperatingSystemConfig actuators: the generic half (files and units resolved, the user data Secret written).

Subclassed by the OS extensions (``extensions.local`` bash, ``extensions.os`` Ubuntu cloud-init and Flatcar
Ignition), which only render. Gardener's contract: for purpose ``provision`` the rendered user data goes into
Secret ``osc-result-<name>`` (key ``cloud_config``) in the object's namespace and ``status.cloudConfig.secretRef``
names it; purpose ``reconcile`` yields no user data. The placeholders ``<<BOOTSTRAP_TOKEN>>`` and
``<<MACHINE_NAME>>`` of files marked ``transmitUnencoded`` stay literal for the machine provisioner to replace.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses

from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk.actuator import BaseActuator
from extensions.sdk.secrets import decoded
from shoot import errors
from shoot.errors import ErrorCode

RESULT_KEY = "cloud_config"
PROVISION, RECONCILE = "provision", "reconcile"


@dataclasses.dataclass(frozen=True)
class File:
    path: str
    content: bytes
    permissions: int = 0o644
    # Keep the content as it is in the user data (placeholders replaced by the provisioner), never encoded.
    transmit_unencoded: bool = False


@dataclasses.dataclass(frozen=True)
class DropIn:
    name: str
    content: str


@dataclasses.dataclass(frozen=True)
class Unit:
    name: str
    content: str | None = None
    command: str | None = None
    enable: bool = True
    drop_ins: tuple[DropIn, ...] = ()


def result_secret_name(obj: ExtensionObject) -> str:
    return f"osc-result-{obj.name}"


def purpose(obj: ExtensionObject) -> str:
    return str(obj.spec.get("purpose") or PROVISION)


def units_of(obj: ExtensionObject) -> list[Unit]:
    out = []
    for unit in obj.spec.get("units") or []:
        drop_ins = tuple(DropIn(name=d["name"], content=d.get("content", "")) for d in unit.get("dropIns") or [])
        out.append(Unit(name=unit["name"], content=unit.get("content"), command=unit.get("command"),
                        enable=unit.get("enable", True) is not False, drop_ins=drop_ins))
    return out


def files_of(ctx: Context, obj: ExtensionObject) -> list[File]:
    """The OSC's files with their contents: inline (plain or ``b64``) or from a Secret in the object's namespace."""
    out = []
    for index, spec in enumerate(obj.spec.get("files") or []):
        content = spec.get("content") or {}
        where = f"spec.files[{index}] ({spec.get('path')})"
        if "inline" in content:
            inline = content["inline"] or {}
            data = _decode(str(inline.get("data", "")), inline.get("encoding") or spec.get("encoding"), where)
        elif "secretRef" in content:
            data = _from_secret(ctx, obj, content["secretRef"] or {}, spec.get("encoding"), where)
        else:
            raise errors.PermanentError(f"{where}: only inline and secretRef contents can be rendered into user "
                                        "data", codes=[ErrorCode.CONFIGURATION_PROBLEM])
        permissions = spec.get("permissions")
        out.append(File(path=spec["path"], content=data,
                        permissions=int(permissions) if permissions is not None else 0o644,
                        transmit_unencoded=bool(content.get("transmitUnencoded"))))
    return out


def _decode(data: str, encoding: object, where: str) -> bytes:
    if encoding in ("b64", "base64"):
        try:
            return base64.b64decode(data, validate=True)
        except binascii.Error:
            raise errors.PermanentError(f"{where}: the content is not valid base64",
                                        codes=[ErrorCode.CONFIGURATION_PROBLEM]) from None
    return data.encode()


def _from_secret(ctx: Context, obj: ExtensionObject, ref: JSON, encoding: object, where: str) -> bytes:
    name, key = ref.get("name", ""), ref.get("dataKey", "")
    secret = ctx.seed.get("v1", "Secret", name, namespace=obj.namespace)
    if secret is None:
        raise errors.TemporaryError(f"{where}: Secret {name} does not exist (yet)", delay=5.0)
    raw = (secret.get("data") or {}).get(key)
    if raw is None:
        value = decoded(secret).get(key)
        if value is None:
            raise errors.PermanentError(f"{where}: Secret {name} has no key {key!r}",
                                        codes=[ErrorCode.CONFIGURATION_PROBLEM])
        return _decode(value, encoding, where)
    data = base64.b64decode(str(raw))
    return _decode(data.decode(), encoding, where) if encoding in ("b64", "base64") else data


class OperatingSystemConfigActuator(BaseActuator):
    """Renders user data for purpose ``provision`` and publishes it as Gardener's result Secret."""

    def render(self, ctx: Context, obj: ExtensionObject, files: list[File], units: list[Unit]) -> bytes:
        raise NotImplementedError(f"{type(self).__name__} does not render user data")

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        if purpose(obj) != PROVISION:
            return Outcome()  # the node agent applies reconcile OSCs itself; no user data
        user_data = self.render(ctx, obj, files_of(ctx, obj), units_of(obj))
        secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                  "metadata": {"name": result_secret_name(obj), "namespace": obj.namespace,
                               "labels": {"app.kubernetes.io/managed-by": "hortus",
                                          "extensions.gardener.cloud/operatingsystemconfig": obj.name}},
                  "data": {RESULT_KEY: base64.b64encode(user_data).decode()}}
        ctx.seed.apply(secret)
        ref = {"name": result_secret_name(obj), "namespace": obj.namespace}
        return Outcome(status={"cloudConfig": {"secretRef": ref}})

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        ctx.seed.delete("v1", "Secret", result_secret_name(obj), namespace=obj.namespace)
