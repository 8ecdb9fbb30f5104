"""Wiring only: the app, its blueprints, its middleware, its scheduled jobs and its queue consumer."""
import os

from chalice import Chalice

from chalicelib.api import certificates, certification, health, openapi, positioning
from chalicelib.api import accounts, api_clients
from chalicelib.api import item_files
from chalicelib.bank.assets import BINARY_MEDIA_TYPES
from chalicelib.api import campaigns, gar, organizations, school
from chalicelib.api import web
from chalicelib.api.middleware import request_middleware
from chalicelib.jobs import deliver_mail, export_answers, import_roster, issue_certificates
from chalicelib.observability import configure_logging

configure_logging()
app = Chalice(app_name="pix-serverless")
app.api.binary_types.append("application/pdf")
app.api.binary_types.extend(t for t in BINARY_MEDIA_TYPES if t not in app.api.binary_types)
app.register_middleware(request_middleware, "http")

app.register_blueprint(health.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(accounts.bp)
app.register_blueprint(api_clients.bp)
app.register_blueprint(positioning.bp)
app.register_blueprint(certification.bp)
app.register_blueprint(certificates.bp)
app.register_blueprint(organizations.bp)
app.register_blueprint(campaigns.bp)
app.register_blueprint(item_files.bp)
app.register_blueprint(school.bp)
app.register_blueprint(gar.bp)
app.register_blueprint(web.bp)
openapi.bind(app)


@app.schedule("rate(5 minutes)")
def issue_certificates_job(event):
    return issue_certificates.handler(event, getattr(event, "context", None))


# Answered responses to S3 (JSON Lines, no identifiers) for calibration: docs/calibration.md
@app.schedule("rate(1 hour)")
def export_answers_job(event):
    return export_answers.handler(event, getattr(event, "context", None))


# The queue's ARN in the template comes from infra/resources.json (merged over
# this name); locally scripts/run_local.py drains moto's queue on a timer.
@app.on_sqs_message(queue=os.environ.get("TABLE_PREFIX", "pix-prod") + "-mail", batch_size=1,
                    name="deliver_mail")
def deliver_mail_consumer(event):
    return deliver_mail.handler(event, getattr(event, "context", None))


# Large roster files: S3 invokes this function when an upload lands under rosters/
# (bucket notification and permission in infra/resources.json: RosterUploadBucket).
@app.lambda_function(name="import_roster")
def import_roster_upload(event, context):
    return import_roster.handler(event, context)
