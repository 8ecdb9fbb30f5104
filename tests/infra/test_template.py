"""The deployable template: built with `chalice package`, linted with cfn-lint,
and its tables checked against the PynamoDB models so they cannot drift."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="module")
def packaged(tmp_path_factory, worker_id) -> Path:
    """`chalice package` + finishing the zip costs a minute of CPU: under xdist
    the first worker to need it builds it in the run's shared temporary folder
    (behind an exclusive lock) and the others read that build instead of
    packaging again."""
    import fcntl

    from package import package

    if worker_id == "master":
        out = tmp_path_factory.mktemp("package")
        package(out)
        return out
    shared = tmp_path_factory.getbasetemp().parent  # one per run, the workers' common parent
    out, done = shared / "package", shared / "package.done"
    with open(shared / "package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            out.mkdir(exist_ok=True)
            package(out)
            done.touch()
    return out


def test_committed_merge_template_matches_the_models():
    from infra_template import build

    committed = json.loads((ROOT / "infra" / "resources.json").read_text())
    assert committed == json.loads(json.dumps(build())), \
        "infra/resources.json drifted: run scripts/infra_template.py"


def test_template_declares_every_table_as_the_models_do(packaged):
    from chalicelib.store.tables import ALL_TABLES

    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    for model in ALL_TABLES:
        props = resources[model.__name__]["Properties"]
        schema = model._get_schema()
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert [(k["AttributeName"], k["KeyType"]) for k in props["KeySchema"]] == \
            [(k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]]
        assert {(a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]} == \
            {(a["AttributeName"], a["AttributeType"]) for a in schema["attribute_definitions"]}
        declared = {g["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in g["KeySchema"]]
                    for g in props.get("GlobalSecondaryIndexes", [])}
        expected = {g["index_name"]: [(k["AttributeName"], k["KeyType"]) for k in g["key_schema"]]
                    for g in schema.get("global_secondary_indexes") or []}
        assert declared == expected
        assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
        assert props["TableName"] == {"Fn::Sub": "${TablePrefix}-" + model.Meta.table_name.rsplit("-", 1)[-1]}


def test_functions_get_least_privilege_access_to_the_tables(packaged):
    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert {"APIHandler", "IssueCertificatesJob"} <= set(functions)
    roles = {json.dumps(f["Properties"]["Role"]) for f in functions.values()}
    assert roles == {json.dumps({"Fn::GetAtt": ["DefaultRole", "Arn"]})}
    policy = resources["TablesAccessPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "DefaultRole"}]
    statements = policy["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert not any(a.endswith("*") for a in actions)
    assert "dynamodb:DeleteTable" not in actions
    for statement in statements:
        assert statement["Resource"] != "*"
        if "dynamodb:Scan" in statement["Action"]:  # the answer export only, two tables, no index
            assert statement["Action"] == ["dynamodb:Scan"]
            assert statement["Resource"] == [{"Fn::GetAtt": ["AssessmentsTable", "Arn"]},
                                             {"Fn::GetAtt": ["CertificationTable", "Arn"]}]


def test_answer_export_bucket_is_private_encrypted_and_scheduled(packaged):
    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    bucket = resources["AnswerExportBucket"]
    assert bucket["DeletionPolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["BucketName"] == {"Fn::Sub": "${TablePrefix}-answers"}
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert "ExportAnswersJob" in resources
    statements = resources["TablesAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    s3 = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
    assert s3 == [{"Effect": "Allow", "Action": ["s3:PutObject"],
                   "Resource": {"Fn::Sub": "${AnswerExportBucket.Arn}/answers/*"}},
                  {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                   "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${TablePrefix}-rosters/rosters/*"}}]


def test_roster_uploads_invoke_the_import_function_from_a_private_bucket(packaged):
    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    bucket = resources["RosterUploadBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    [notification] = bucket["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification["Function"] == {"Fn::GetAtt": ["ImportRoster", "Arn"]}
    assert "ImportRoster" in resources        # the function app.py declares, packaged by chalice
    assert resources["RosterUploadPermission"]["Properties"]["FunctionName"] == {"Ref": "ImportRoster"}


def test_gateway_errors_use_the_project_error_shape(packaged):
    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        response = resources[f"GatewayResponse{kind.replace('_', '')}"]["Properties"]
        template = response["ResponseTemplates"]["application/json"]
        assert template.startswith('{"error": {"code"')


def _render(template: str, response_type: str, message: str) -> str:
    """What API Gateway does with the mapping template: `responseType` as is,
    `messageString` as the message already in double quotes (issue 13, point 9)."""
    return (template.replace("$context.error.responseType", response_type)
            .replace("$context.error.messageString", json.dumps(message)))


def test_gateway_error_bodies_render_as_json_in_the_project_shape():
    """Rendered, not just read: the committed template wrapped messageString
    in quotes again, so every gateway error was invalid JSON."""
    resources = json.loads((ROOT / "infra" / "resources.json").read_text())["Resources"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        props = resources[f"GatewayResponse{kind.replace('_', '')}"]["Properties"]
        for response_type, message in [("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"),
                                       ("THROTTLED", "Too Many Requests"),
                                       ("INTEGRATION_TIMEOUT", "Endpoint request timed out")]:
            body = json.loads(_render(props["ResponseTemplates"]["application/json"],
                                      response_type, message))
            assert body == {"error": {"code": response_type,
                                      "message": "La requête n'a pas pu être traitée.",
                                      "details": {"gateway_message": message}}}
        headers = props["ResponseParameters"]
        assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
        assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'"
        assert headers["gatewayresponse.header.Strict-Transport-Security"].startswith(
            "'max-age=63072000")


def test_cfn_lint_accepts_the_template(packaged):
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(lint), str(packaged / "sam.json")], capture_output=True, text=True)
    # exit codes are bit flags: 2 = error (4 warning, 8 informational)
    assert result.returncode & 2 == 0, result.stdout + result.stderr


def test_package_ships_the_item_bank_and_no_dev_tools(packaged):
    with zipfile.ZipFile(packaged / "deployment.zip") as z:
        names = z.namelist()
    assert "app.py" in names
    assert any(n.startswith("item_bank/competences/") for n in names)
    assert "item_bank/schema.json" in names
    assert not any(n.startswith(("moto/", "pytest/", "_pytest/", "cfnlint/")) for n in names)


def test_secrets_and_mail_are_wired_for_the_deployed_stages(packaged):
    """Each deployed stage reads its secrets from SSM parameters the policy
    allows, and may send mail only from its own sender."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    prod = config["stages"]["prod"]["environment_variables"]
    assert prod["JWT_SECRET_PARAM"].startswith("/pix/") and prod["BADGE_KEY_PARAM"].startswith("/pix/")
    statements = json.loads((packaged / "sam.json").read_text())[
        "Resources"]["TablesAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    ssm = next(s for s in statements if s["Action"] == ["ssm:GetParameter"])
    assert ssm["Resource"]["Fn::Sub"].endswith(":parameter/pix/*")
    ses = next(s for s in statements if s["Action"] == ["ses:SendEmail"])
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": prod["MAIL_FROM"]}}
    assert ses["Resource"]["Fn::Sub"].endswith(":identity/" + prod["MAIL_FROM"].split("@")[1])


def test_mail_queue_has_a_dead_letter_queue_and_feeds_the_consumer(packaged):
    """Password-reset mail leaves the request (issue 13, point 6): the queue
    is declared, retried deliveries end in a dead-letter queue that raises an
    alarm, and the consumer's event source reads exactly that queue."""
    from chalicelib.services import mail_queue

    template = json.loads((packaged / "sam.json").read_text())
    resources = template["Resources"]
    queue = resources["MailQueue"]["Properties"]
    assert queue["QueueName"] == {"Fn::Sub": "${TablePrefix}-mail"}
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["MailDeadLetterQueue", "Arn"]},
        "maxReceiveCount": mail_queue.MAX_RECEIVES}
    consumer = resources["DeliverMail"]
    assert consumer["DependsOn"] == ["MailQueue"]
    assert queue["VisibilityTimeout"] >= 6 * consumer["Properties"]["Timeout"]
    source = consumer["Properties"]["Events"]["DeliverMailSqsEventSource"]["Properties"]
    prefix = template["Parameters"]["TablePrefix"]["Default"]
    assert source["Queue"]["Fn::Sub"].endswith(":" + prefix + "-mail") and source["BatchSize"] == 1
    alarm = resources["MailDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["MailDeadLetterQueue", "QueueName"]}
    statements = resources["TablesAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    sqs = [s for s in statements if any(a.startswith("sqs:") for a in s["Action"])]
    assert sqs and all(s["Resource"] == {"Fn::GetAtt": ["MailQueue", "Arn"]} for s in sqs)


def test_the_deployed_api_compresses_its_responses(packaged):
    """API Gateway gzips answers of 1 KB or more for clients that accept it
    (config.json's minimum_compression_size; the local server follows the same
    setting: tests/infra/test_run_local.py). Pages, scripts and JSON shrink
    4-5 times: docs/benchmarks.md, "Page weight on 3G"."""
    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    assert resources["RestAPI"]["Properties"]["MinimumCompressionSize"] == 1024
