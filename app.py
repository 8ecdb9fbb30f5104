"""Wiring only: the app, its blueprints, its middleware and its scheduled job."""
from chalice import Chalice

from chalicelib.api import health, openapi, positioning
from chalicelib.api.middleware import request_middleware
from chalicelib.observability import configure_logging

configure_logging()
app = Chalice(app_name="pix-serverless")
app.api.binary_types.append("application/pdf")
app.register_middleware(request_middleware, "http")

app.register_blueprint(health.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(positioning.bp)
openapi.bind(app)
