"""Shoot rules checked against its CloudProfile: region, provider type, Kubernetes versions, machine types,
images, volumes, zones, node limits and kubelet reservations (Gardener's ShootValidator admission, §3 rules
5, 6, 10, 12, 16, 18, 21, 22).

Pure: the garden's admission looks the CloudProfile up and passes it in as a JSON dict, with the old shoot on
UPDATE so that unchanged fields are not re-checked against a profile that has moved on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from shoot import fielderrors
from shoot.api.cloudprofile import (
    CloudProfile,
    CloudProfileSpec,
    ExpirableVersion,
    MachineImageVersion,
    MachineType,
    Region,
    VolumeType,
)
from shoot.api.shoot import KubeletConfig, Shoot, Volume, Worker
from shoot.fielderrors import FieldError
from shoot.quantity import parse_quantity

# Gardener defaults an unset architecture (shoot worker, machine type, image version) to amd64.
DEFAULT_ARCHITECTURE = "amd64"
IN_PLACE_STRATEGIES = ("AutoInPlaceUpdate", "ManualInPlaceUpdate")
WORKERS = "spec.provider.workers"
_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)")


def validate_against_cloudprofile(
    shoot: dict[str, object], cloudprofile: dict[str, object], *, old: dict[str, object] | None, now: datetime
) -> list[FieldError]:
    """All CloudProfile rules; ``old`` is None on CREATE. Expects objects that decode into ``shoot.api``."""
    new_shoot = Shoot.model_validate(shoot)
    old_shoot = Shoot.model_validate(old) if old is not None else None
    profile = CloudProfile.model_validate(cloudprofile)
    spec = profile.spec
    if new_shoot.spec.provider.type != spec.type:
        # Every other check would only add noise when the whole profile is for another provider.
        detail = f"provider type in shoot must equal provider type of referenced CloudProfile: {spec.type!r}"
        return [fielderrors.invalid("spec.provider.type", new_shoot.spec.provider.type, detail)]
    errors = _validate_region(new_shoot, old_shoot, spec)
    errors += _validate_control_plane_version(new_shoot, old_shoot, spec, now=now)
    errors += _validate_limits(new_shoot, spec)
    old_workers = {w.name: w for w in (old_shoot.spec.provider.workers or [])} if old_shoot else {}
    for index, worker in enumerate(new_shoot.spec.provider.workers or []):
        context = _WorkerContext(
            shoot=new_shoot, old_shoot=old_shoot, worker=worker, old_worker=old_workers.get(worker.name),
            path=f"{WORKERS}[{index}]", spec=spec, now=now,
        )
        errors += context.validate()
    return errors


def _validate_region(shoot: Shoot, old: Shoot | None, spec: CloudProfileSpec) -> list[FieldError]:
    if old is not None and old.spec.region == shoot.spec.region:
        return []
    names = [region.name for region in spec.regions]
    if shoot.spec.region in names:
        return []
    return [fielderrors.not_supported("spec.region", shoot.spec.region, names)]


def _validate_control_plane_version(
    shoot: Shoot, old: Shoot | None, spec: CloudProfileSpec, *, now: datetime
) -> list[FieldError]:
    version = shoot.spec.kubernetes.version if shoot.spec.kubernetes else None
    old_version = old.spec.kubernetes.version if old and old.spec.kubernetes else None
    if not version or (old is not None and version == old_version):
        return []
    return _validate_version(
        version, versions=spec.kubernetes.versions or [], allow_expired=old is not None,
        path="spec.kubernetes.version", now=now,
    )


def _validate_version(
    version: str, *, versions: list[ExpirableVersion], allow_expired: bool, path: str, now: datetime
) -> list[FieldError]:
    """Rule 10: listed, and not expired where a version is newly chosen (create, new worker pool).

    An existing cluster may move to an expired version: maintenance force-updates step through them.
    """
    offered = [v for v in versions if allow_expired or not is_expired(v, now=now)]
    if any(v.version == version for v in offered):
        return []
    shown = [v.version + (" (preview)" if is_preview(v, now=now) else "") for v in offered]
    return [fielderrors.not_supported(path, version, shown)]


def is_expired(version: ExpirableVersion, *, now: datetime) -> bool:
    return version.expiration_date is not None and version.expiration_date <= now


def is_preview(version: ExpirableVersion, *, now: datetime) -> bool:
    """The classification in force now: the last lifecycle stage that has started, else ``classification``."""
    started = [s for s in version.lifecycle or [] if s.start_time is None or s.start_time <= now]
    classification = started[-1].classification if started else version.classification
    return classification == "preview"


def _validate_limits(shoot: Shoot, spec: CloudProfileSpec) -> list[FieldError]:
    """Rule 21: ``limits.maxNodesTotal`` caps each pool and the sum of all minimums."""
    limit = spec.limits.max_nodes_total if spec.limits else None
    workers = shoot.spec.provider.workers or []
    if limit is None:
        return []
    detail = f"must not exceed the limit of {limit} nodes configured in the CloudProfile"
    errors = []
    for index, worker in enumerate(workers):
        if worker.maximum > limit:
            errors.append(fielderrors.invalid(f"{WORKERS}[{index}].maximum", worker.maximum, detail))
    total = sum(worker.minimum for worker in workers)
    if total > limit:
        errors.append(fielderrors.invalid(WORKERS, total, f"the total minimum node count of all pools {detail}"))
    return errors


class _WorkerContext:
    """One worker pool checked against the profile; ``old_worker`` is None for a new pool."""

    def __init__(
        self, *, shoot: Shoot, old_shoot: Shoot | None, worker: Worker, old_worker: Worker | None,
        path: str, spec: CloudProfileSpec, now: datetime,
    ) -> None:
        self.shoot, self.old_shoot, self.worker, self.old_worker = shoot, old_shoot, worker, old_worker
        self.path, self.spec, self.now = path, spec, now
        self.architecture = worker.machine.architecture or DEFAULT_ARCHITECTURE
        self.region = next((r for r in spec.regions if r.name == shoot.spec.region), None)

    def validate(self) -> list[FieldError]:
        errors = self._validate_zones()
        errors += self._validate_machine_type()
        errors += self._validate_machine_image()
        errors += self._validate_volumes()
        errors += self._validate_worker_version()
        errors += self._validate_reserved()
        return errors

    @property
    def is_new_pool(self) -> bool:
        return self.old_worker is None

    def _unchanged(self, read: Callable[[Worker], object]) -> bool:
        return (
            self.old_worker is not None
            and read(self.old_worker) == read(self.worker)
            and (self.old_worker.machine.architecture or DEFAULT_ARCHITECTURE) == self.architecture
        )

    def _unavailable(self, name: str, read: Callable[[Region], Iterable[tuple[str, list[str] | None]]]) -> bool:
        """Whether ``name`` is listed as unavailable in one of the pool's zones."""
        zones = set(self.worker.zones or [])
        return self.region is not None and any(
            zone in zones and name in (unavailable or []) for zone, unavailable in read(self.region)
        )

    # --- rule 18 -------------------------------------------------------------------------------------

    def _validate_zones(self) -> list[FieldError]:
        region_unchanged = self.old_shoot is not None and self.old_shoot.spec.region == self.shoot.spec.region
        if region_unchanged and self._unchanged(lambda w: w.zones):
            return []
        valid = [zone.name for zone in (self.region.zones or [])] if self.region else []
        errors = []
        for index, zone in enumerate(self.worker.zones or []):
            path = f"{self.path}.zones[{index}]"
            if not valid:
                detail = f"region {self.shoot.spec.region!r} has no availability zones, do not configure any"
                errors.append(fielderrors.invalid(path, zone, detail))
            elif zone not in valid:
                errors.append(fielderrors.not_supported(path, zone, valid))
        return errors

    # --- rule 16: machine type -----------------------------------------------------------------------

    def _machine_type_problems(self, machine_type: MachineType) -> list[str]:
        problems = []
        if not machine_type.usable:
            problems.append("is unusable")
        if self._unavailable(machine_type.name, _machine_zones):
            problems.append("is unavailable in at least one of the selected zones")
        if (machine_type.architecture or DEFAULT_ARCHITECTURE) != self.architecture:
            problems.append(f"does not support CPU architecture {self.architecture!r}")
        return problems

    def _validate_machine_type(self) -> list[FieldError]:
        if self._unchanged(lambda w: w.machine.type):
            return []
        path, wanted = f"{self.path}.machine.type", self.worker.machine.type
        usable = [t.name for t in self.spec.machine_types if not self._machine_type_problems(t)]
        machine_type = self.machine_type
        if machine_type is None:
            return [fielderrors.not_supported(path, wanted, usable)]
        problems = self._machine_type_problems(machine_type)
        if not problems:
            return []
        detail = f"machine type {wanted!r} {', '.join(problems)}; supported types are {usable}"
        return [fielderrors.invalid(path, wanted, detail)]

    @property
    def machine_type(self) -> MachineType | None:
        return next((t for t in self.spec.machine_types if t.name == self.worker.machine.type), None)

    # --- rule 16: machine image ----------------------------------------------------------------------

    def _image_version_active(self, version: MachineImageVersion) -> bool:
        if not is_expired(version, now=self.now):
            return True
        # An existing pool may move up to an expired image: maintenance force-updates need that step.
        old_image = self.old_worker.machine.image if self.old_worker else None
        if self.old_shoot is None or old_image is None or old_image.version is None:
            return False
        return version_key(version.version) >= version_key(old_image.version)

    def _image_problems(self, version: MachineImageVersion) -> list[str]:
        problems = []
        if not self._image_version_active(version):
            problems.append("is expired")
        if self.architecture not in (version.architectures or [DEFAULT_ARCHITECTURE]):
            problems.append(f"does not support CPU architecture {self.architecture!r}")
        in_place = self.worker.update_strategy in IN_PLACE_STRATEGIES
        if in_place and not (version.in_place_updates and version.in_place_updates.supported):
            problems.append(f"does not support in-place updates (updateStrategy {self.worker.update_strategy})")
        return problems

    def _validate_machine_image(self) -> list[FieldError]:
        image = self.worker.machine.image
        # A missing image or version is the defaulting's and the static validation's business.
        if image is None or image.version is None or self._unchanged(lambda w: w.machine.image):
            return []
        path, wanted = f"{self.path}.machine.image", f"{image.name}:{image.version}"
        valid = [
            f"{candidate.name}:{version.version}"
            for candidate in self.spec.machine_images
            for version in candidate.versions
            if not self._image_problems(version)
        ]
        found = next(
            (v for m in self.spec.machine_images if m.name == image.name for v in m.versions
             if v.version == image.version),
            None,
        )
        if found is None:
            detail = f"machine image version is not offered by the CloudProfile; supported versions are {valid}"
            return [fielderrors.invalid(path, wanted, detail)]
        problems = self._image_problems(found)
        if not problems:
            return []
        detail = f"machine image version {wanted!r} {', '.join(problems)}; supported versions are {valid}"
        return [fielderrors.invalid(path, wanted, detail)]

    # --- rule 16: volumes ----------------------------------------------------------------------------

    def _volume_problems(self, volume_type: VolumeType) -> list[str]:
        problems = []
        if not volume_type.usable:
            problems.append("is unusable")
        if self._unavailable(volume_type.name, _volume_zones):
            problems.append("is unavailable in at least one of the selected zones")
        return problems

    def _validate_volume_type(self, type_name: str, *, path: str) -> list[FieldError]:
        volume_types = self.spec.volume_types or []
        usable = [v.name for v in volume_types if not self._volume_problems(v)]
        volume_type = next((v for v in volume_types if v.name == type_name), None)
        if volume_type is None:
            return [fielderrors.not_supported(path, type_name, usable)]
        problems = self._volume_problems(volume_type)
        if not problems:
            return []
        detail = f"volume type {type_name!r} {', '.join(problems)}; supported types are {usable}"
        return [fielderrors.invalid(path, type_name, detail)]

    def _validate_volume_size(self, volume: Volume, *, path: str) -> list[FieldError]:
        minimum = _minimum_volume_size(self.spec, machine_type=self.machine_type, volume_type=volume.type)
        try:
            size = parse_quantity(volume.size)
        except ValueError:
            return []  # the static validation reports the malformed size
        if minimum is None or size >= parse_quantity(minimum):
            return []
        detail = f"volume size must be at least {minimum} for volume type {volume.type!r}"
        return [fielderrors.invalid(path, volume.size, detail)]

    def _validate_volumes(self) -> list[FieldError]:
        errors = []
        volume = self.worker.volume
        if volume is not None and volume.type is not None:
            if not self._unchanged(lambda w: w.volume.type if w.volume else None):
                errors += self._validate_volume_type(volume.type, path=f"{self.path}.volume.type")
            errors += self._validate_volume_size(volume, path=f"{self.path}.volume.size")
        old_data = {d.name: d.type for d in (self.old_worker.data_volumes or [])} if self.old_worker else {}
        for index, data in enumerate(self.worker.data_volumes or []):
            path = f"{self.path}.dataVolumes[{index}]"
            if data.type is not None and old_data.get(data.name) != data.type:
                errors += self._validate_volume_type(data.type, path=f"{path}.type")
            if data.type is not None:
                sized = Volume(name=data.name, type=data.type, size=data.size)
                errors += self._validate_volume_size(sized, path=f"{path}.size")
        return errors

    # --- rule 12 -------------------------------------------------------------------------------------

    def _validate_worker_version(self) -> list[FieldError]:
        version = self.worker.kubernetes.version if self.worker.kubernetes else None
        if not version:
            return []
        old_version = _effective_version(self.old_shoot, self.old_worker)
        if not self.is_new_pool and version == old_version:
            return []
        return _validate_version(
            version, versions=self.spec.kubernetes.versions or [],
            allow_expired=self.old_shoot is not None and not self.is_new_pool,
            path=f"{self.path}.kubernetes.version", now=self.now,
        )

    # --- rule 22 -------------------------------------------------------------------------------------

    def _validate_reserved(self) -> list[FieldError]:
        worker_kubelet = self.worker.kubernetes.kubelet if self.worker.kubernetes else None
        shoot_kubelet = self.shoot.spec.kubernetes.kubelet if self.shoot.spec.kubernetes else None
        kubelet = worker_kubelet or shoot_kubelet
        machine_type = self.machine_type
        if kubelet is None or machine_type is None:
            return []
        path = f"{self.path}.kubernetes.kubelet" if worker_kubelet else "spec.kubernetes.kubelet"
        errors = []
        for resource, capacity in (("cpu", machine_type.cpu), ("memory", machine_type.memory)):
            reserved = _reserved(kubelet, resource)
            if reserved >= parse_quantity(capacity):
                detail = (
                    f"total reserved {resource} (kubeReserved + systemReserved) must be less than the "
                    f"{resource} capacity {capacity} of machine type {machine_type.name!r} "
                    f"(worker pool {self.worker.name!r})"
                )
                errors.append(fielderrors.invalid(f"{path}.kubeReserved.{resource}", str(reserved), detail))
        return errors


def _machine_zones(region: Region) -> Iterable[tuple[str, list[str] | None]]:
    return ((zone.name, zone.unavailable_machine_types) for zone in region.zones or [])


def _volume_zones(region: Region) -> Iterable[tuple[str, list[str] | None]]:
    return ((zone.name, zone.unavailable_volume_types) for zone in region.zones or [])


def _minimum_volume_size(
    spec: CloudProfileSpec, *, machine_type: MachineType | None, volume_type: str | None
) -> str | int | None:
    """A machine type's own storage constraint wins over the volume type's ``minSize``."""
    storage = machine_type.storage if machine_type else None
    if storage is not None and storage.min_size is not None and storage.type == volume_type:
        return storage.min_size
    found = next((v for v in spec.volume_types or [] if v.name == volume_type), None)
    return found.min_size if found else None


def _effective_version(shoot: Shoot | None, worker: Worker | None) -> str | None:
    if worker is not None and worker.kubernetes and worker.kubernetes.version:
        return worker.kubernetes.version
    return shoot.spec.kubernetes.version if shoot and shoot.spec.kubernetes else None


def _reserved(kubelet: KubeletConfig, resource: str) -> Decimal:
    total = Decimal(0)
    for reserved in (kubelet.kube_reserved, kubelet.system_reserved):
        value = getattr(reserved, resource) if reserved else None
        if value is not None:
            total += parse_quantity(value)
    return total


def version_key(version: str) -> tuple[int, ...]:
    """Numeric parts of a version for ordering ("1.33.2" -> (1, 33, 2)); pre-release suffixes are ignored."""
    match = _VERSION.match(version)
    return tuple(int(part) for part in match[1].split(".")) if match else ()
