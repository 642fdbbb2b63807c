"""``shoots/binding``: the seed is set through the subresource only, and open CIDRs come from the seed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from apiserver import errors
from apiserver.context import system_context
from garden import bootstrap
from tests.support.garden import running_garden

SHOOT = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"


def test_binding_sets_the_seed_and_fills_pods_and_services_from_the_seed_defaults(sqlite_url: str,
                                                                                   tmp_path: Path) -> None:
    with running_garden(sqlite_url, tmp_path) as garden:
        service = garden.api.service
        bootstrap.ensure_local(service)
        bootstrap.ensure(service, bootstrap.SEED)
        shoots = service.registry.get("core.gardener.cloud", "v1beta1", "shoots")
        assert shoots is not None
        created = service.create(shoots, "garden-local", yaml.safe_load(SHOOT.read_text()), system_context())
        assert "pods" not in created["spec"]["networking"]
        update = copy.deepcopy(created)
        update["spec"]["seedName"] = "local"
        try:
            service.update(shoots, "garden-local", "local", update, system_context())
            raise AssertionError("the main resource must not set the seed")
        except errors.ApiError as exc:
            assert exc.code == 422 and exc.details and exc.details["causes"][0]["field"] == "spec.seedName"
        bound = service.patch(shoots, "garden-local", "local", json.dumps({"spec": {"seedName": "local"}}).encode(),
                              "application/merge-patch+json", system_context(), subresource="binding")
        assert bound["spec"]["seedName"] == "local"
        assert bound["spec"]["networking"]["pods"] == "10.3.0.0/16"
        assert bound["spec"]["networking"]["services"] == "10.4.0.0/16"
        assert bound["metadata"]["generation"] == created["metadata"]["generation"] + 1
