"""LoadBalancer addresses from the pool, and Endpoints following the selected Pods."""

from __future__ import annotations

from typing import Any

from seed.local.sim import Delays
from tests.seed.local.sim.conftest import Cluster, deployment, new_cluster

JSON = dict[str, Any]


def service(name: str, kind: str = "ClusterIP", **spec: Any) -> JSON:
    return {"metadata": {"name": name, "labels": {"tier": "web"}}, "spec": {
        "type": kind, "selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "web"}],
        **spec}}


def with_named_port(d: JSON) -> JSON:
    d["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"name": "web", "containerPort": 8080}]
    return d


def ingress(cluster: Cluster, name: str) -> list[JSON]:
    return list(cluster.get("Service", name)["status"].get("loadBalancer", {}).get("ingress", []))


def test_load_balancer_gets_an_address_from_the_pool_after_the_delay(timed: Cluster) -> None:
    timed.create("Service", service("lb", "LoadBalancer"))
    timed.settle()
    assert ingress(timed, "lb") == []
    timed.advance(timed.sim.delays.lb_provisioning + 0.01)
    assert ingress(timed, "lb") == [{"ip": "172.18.255.1", "ipMode": "VIP"}]
    assert [e["reason"] for e in sorted(timed.objects("Event"), key=lambda e: e["metadata"]["name"])] == [
        "EnsuringLoadBalancer", "EnsuredLoadBalancer"]


def test_addresses_are_unique_and_released_on_delete(cluster: Cluster) -> None:
    cluster.create("Service", service("a", "LoadBalancer"))
    cluster.create("Service", service("b", "LoadBalancer"))
    cluster.settle()
    assert {ingress(cluster, n)[0]["ip"] for n in "ab"} == {"172.18.255.1", "172.18.255.2"}
    first = ingress(cluster, "a")[0]["ip"]
    cluster.delete("Service", "a")
    cluster.create("Service", service("c", "LoadBalancer"))
    cluster.settle()
    assert ingress(cluster, "c")[0]["ip"] == first


def test_the_pool_is_configurable_and_load_balancer_ip_honoured() -> None:
    c = new_cluster(Delays.zero(), load_balancer_pool="192.168.50.0/28")
    c.create("Service", service("any", "LoadBalancer"))
    c.create("Service", service("fixed", "LoadBalancer", loadBalancerIP="192.168.50.9"))
    c.settle()
    assert ingress(c, "any")[0]["ip"] == "192.168.50.1"
    assert ingress(c, "fixed")[0]["ip"] == "192.168.50.9"


def test_cluster_ip_services_get_no_address(cluster: Cluster) -> None:
    cluster.create("Service", service("plain"))
    cluster.settle()
    assert ingress(cluster, "plain") == []


def test_endpoints_list_ready_pods_with_resolved_ports(cluster: Cluster) -> None:
    cluster.create("Deployment", with_named_port(deployment("web", replicas=2)))
    cluster.create("Service", service("web"))
    cluster.settle()
    ep = cluster.get("Endpoints", "web")
    assert ep["metadata"]["labels"] == {"tier": "web"}
    (subset,) = ep["subsets"]
    pods = {p["status"]["podIP"]: p for p in cluster.objects("Pod")}
    assert sorted(a["ip"] for a in subset["addresses"]) == sorted(pods)
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    address = subset["addresses"][0]
    assert address["targetRef"]["kind"] == "Pod" and address["nodeName"].startswith("local-node-")


def test_endpoints_put_unready_pods_under_not_ready_addresses(cluster: Cluster) -> None:
    cluster.create("Deployment", with_named_port(deployment("web", replicas=1, image="registry.example/crash:1")))
    cluster.create("Service", service("web"))
    cluster.settle()
    (subset,) = cluster.get("Endpoints", "web")["subsets"]
    assert "addresses" not in subset and len(subset["notReadyAddresses"]) == 1


def test_endpoints_follow_scaling_and_go_with_the_service(cluster: Cluster) -> None:
    cluster.create("Deployment", with_named_port(deployment("web", replicas=2)))
    cluster.create("Service", service("web"))
    cluster.settle()
    cluster.change("Deployment", "web", lambda d: d["spec"].update(replicas=0))
    cluster.settle()
    assert "subsets" not in cluster.get("Endpoints", "web")
    cluster.delete("Service", "web")
    cluster.settle()
    assert cluster.find("Endpoints", "web") is None
