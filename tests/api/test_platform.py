from tests.api.helpers import call, js


def test_health_reports_version_and_dynamodb(client):
    response = call(client, "GET", "/health")
    assert response.status_code == 200
    body = js(response)
    assert body["dynamodb"]["ok"] is True
    assert body["version"]


def test_unknown_route_gets_error_shape(client):
    response = call(client, "GET", "/no/such/route")
    assert 400 <= response.status_code < 500
    assert "error" in js(response)


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
