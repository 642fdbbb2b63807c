"""``Widget``: the small test kind the API machinery's own tests run against (group test.hortus.dev).

A namespaced kind with a spec, a status subresource, printer columns and a field selector, typed by a
pydantic model, so that every generic behaviour can be exercised without the garden's kinds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from apiserver.registry import PrinterColumn, ResourceType
from apiserver.schema import list_merged_by


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Port(_Model):
    name: str | None = None
    container_port: int = Field(alias="containerPort")


class Container(_Model):
    name: str
    image: str | None = None
    ports: list[Port] | None = Field(default=None, json_schema_extra=list_merged_by("containerPort"))


class WidgetSpec(_Model):
    color: str | None = None
    size: int | None = None
    tags: list[str] | None = None
    # Tagged as a Pod's containers are, so that strategic merge patches merge them by name.
    containers: list[Container] | None = Field(default=None, json_schema_extra=list_merged_by("name"))
    config: dict[str, Any] | None = None


class Condition(_Model):
    type: str
    status: str
    reason: str | None = None
    message: str | None = None
    observed_generation: int | None = Field(default=None, alias="observedGeneration")
    last_transition_time: str | None = Field(default=None, alias="lastTransitionTime")


class WidgetStatus(_Model):
    phase: str | None = None
    observed_generation: int | None = Field(default=None, alias="observedGeneration")
    conditions: list[Condition] | None = None


class Widget(_Model):
    api_version: str | None = Field(default=None, alias="apiVersion")
    kind: str | None = None
    metadata: dict[str, Any] | None = None
    spec: WidgetSpec | None = None
    status: WidgetStatus | None = None


def widget_type() -> ResourceType:
    from apiserver import schema

    return ResourceType(
        group="test.hortus.dev", version="v1alpha1", kind="Widget", plural="widgets", namespaced=True,
        short_names=("wd",), categories=("all",), subresources=("status",),
        schema=schema.model_schema(Widget), model=Widget,
        field_selectors={"spec.color": "spec.color", "status.phase": "status.phase"},
        printer_columns=(
            PrinterColumn(name="Color", path=".spec.color"),
            PrinterColumn(name="Size", path=".spec.size", type="integer"),
            PrinterColumn(name="Phase", path=".status.phase"),
            PrinterColumn(name="Ready", path='.status.conditions[?(@.type=="Ready")].status', priority=1),
            PrinterColumn(name="Age", path=".metadata.creationTimestamp", type="date"),
        ),
    )


def gadget_type() -> ResourceType:
    """A cluster-scoped, schemaless, CRD-like kind (strategic merge patch refused)."""
    return ResourceType(group="test.hortus.dev", version="v1alpha1", kind="Gadget", plural="gadgets",
                        namespaced=False, strategic_merge=False)
