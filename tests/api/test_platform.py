from tests.api.helpers import call, js


def test_health_reports_version_and_dynamodb(client):
    response = call(client, "GET", "/health")
    assert response.status_code == 200
    body = js(response)
    assert body["dynamodb"]["ok"] is True
    assert body["version"]


def test_unknown_route_is_refused_by_the_gateway(client):
    """Unknown routes never reach Lambda: API Gateway answers 403 (chalice's
    local gateway does the same). The deployed template rewrites that answer
    into our error shape with gateway responses (checked in tests/infra)."""
    response = call(client, "GET", "/no/such/route")
    assert response.status_code == 403


def test_chalice_errors_are_rewrapped_in_our_shape(client):
    response = call(client, "POST", "/me/competences/1.1/assessment",
                    headers={"Content-Type": "image/png"}, raw="<a/>")
    assert response.status_code == 415
    assert js(response)["error"]["code"]


def test_openapi_lists_exactly_the_registered_routes(client):
    from app import app

    document = js(call(client, "GET", "/openapi.json"))
    assert document["openapi"].startswith("3.1")
    registered = {(p, m.lower()) for p, methods in app.routes.items() for m in methods}
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert registered == documented
    for path, ops in document["paths"].items():
        for op in ops.values():
            assert op["summary"] and op["x-access"]
