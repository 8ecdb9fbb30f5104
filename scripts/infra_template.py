"""Writes infra/resources.json, the template merged into `chalice package`.

Generated from the PynamoDB models so the deployed tables are the ones the
code uses; `tests/infra/test_template.py` fails if the committed file drifts.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# API Gateway's own errors (missing route, throttling, timeout...) in the
# project's shape. `$context.error.messageString` is already a quoted JSON
# string: wrapping it in quotes again made the body invalid JSON (issue 13,
# point 9). The message shown is French; the gateway's English one is a detail.
ERROR_TEMPLATE = ('{"error": {"code": "$context.error.responseType", '
                  '"message": "La requête n\'a pas pu être traitée.", '
                  '"details": {"gateway_message": $context.error.messageString}}}')
# The same headers the application sets on its own answers (api/middleware.py).
GATEWAY_HEADERS = {
    "gatewayresponse.header.Strict-Transport-Security": "'max-age=63072000; includeSubDomains'",
    "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
    "gatewayresponse.header.Cache-Control": "'no-store'",
}


def table_resource(model) -> dict:
    schema = model._get_schema()
    attr_defs = [{"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
                 for a in schema["attribute_definitions"]]
    props = {
        "TableName": {"Fn::Sub": "${TablePrefix}-" + model.Meta.table_name.rsplit("-", 1)[-1]},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": sorted(attr_defs, key=lambda a: a["AttributeName"]),
        "KeySchema": [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                      for k in schema["key_schema"]],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    gsis = schema.get("global_secondary_indexes") or []
    if gsis:
        props["GlobalSecondaryIndexes"] = [{
            "IndexName": g["index_name"],
            "KeySchema": [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                          for k in g["key_schema"]],
            "Projection": {"ProjectionType": g["projection"]["ProjectionType"]},
        } for g in gsis]
    ttl = model._ttl_attribute() if hasattr(model, "_ttl_attribute") else None
    if ttl is not None:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl.attr_name, "Enabled": True}
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain", "Properties": props}


def mail_queue_resources() -> dict:
    """The mail queue, its dead-letter queue, an alarm when a mail dies, and
    the consumer created after the queue its event source reads."""
    from chalicelib.services import mail_queue

    return {
        "MailDeadLetterQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": {"Fn::Sub": "${TablePrefix}-mail-dead"},
                           "MessageRetentionPeriod": mail_queue.DEAD_LETTER_RETENTION_S,
                           "SqsManagedSseEnabled": True}},
        "MailQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": {"Fn::Sub": "${TablePrefix}-mail"},
                "VisibilityTimeout": mail_queue.VISIBILITY_TIMEOUT_S,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["MailDeadLetterQueue", "Arn"]},
                                  "maxReceiveCount": mail_queue.MAX_RECEIVES}}},
        "MailDeadLetterAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "A mail (password reset) failed every delivery attempt",
                "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName",
                                "Value": {"Fn::GetAtt": ["MailDeadLetterQueue", "QueueName"]}}],
                "Statistic": "Maximum", "Period": 300, "EvaluationPeriods": 1,
                "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching"}},
        # chalice names the queue "<TABLE_PREFIX>-mail" (app.py; scripts/package.py
        # sets TABLE_PREFIX from the stage): the mapping must wait for it
        "DeliverMail": {"DependsOn": ["MailQueue"]},
    }


def answer_export_resources() -> dict:
    """The answer export's bucket (jobs/export_answers.py): private, encrypted,
    versioned (an overwrite by a resumed run stays recoverable), kept when the
    stack goes. Its name is the one config.py derives from the table prefix."""
    return {
        "AnswerExportBucket": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BucketName": {"Fn::Sub": "${TablePrefix}-answers"},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True, "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "VersioningConfiguration": {"Status": "Enabled"},
            },
        },
    }


def roster_upload_resources() -> dict:
    """Large roster files (services/rosters.py, start_upload): the school posts
    the file straight to this bucket with a presigned POST; S3 then invokes the
    import_roster function (app.py). Private, encrypted; objects under rosters/
    expire after a day even if an import never ran (pupils' personal data; the
    import deletes its file itself). The permission is named by the bucket's
    name, not its ARN, so the bucket can wait for it without a cycle."""
    bucket_name = {"Fn::Sub": "${TablePrefix}-rosters"}
    return {
        "RosterUploadPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "ImportRoster"},
                "Principal": "s3.amazonaws.com",
                "SourceAccount": {"Ref": "AWS::AccountId"},
                "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${TablePrefix}-rosters"}}},
        "RosterUploadBucket": {
            "Type": "AWS::S3::Bucket",
            "DependsOn": ["RosterUploadPermission"],
            "Properties": {
                "BucketName": bucket_name,
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True, "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                "LifecycleConfiguration": {"Rules": [
                    {"Id": "forget-roster-uploads", "Status": "Enabled", "Prefix": "rosters/",
                     "ExpirationInDays": 1}]},
                "NotificationConfiguration": {"LambdaConfigurations": [{
                    "Event": "s3:ObjectCreated:*",
                    "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "rosters/"}]}},
                    "Function": {"Fn::GetAtt": ["ImportRoster", "Arn"]}}]},
            },
        },
    }


def logical_id(model) -> str:
    return model.__name__  # AccountsTable, ...


def _stage_environment(stage: str) -> dict:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}),
            **config["stages"][stage].get("environment_variables", {})}


def build() -> dict:
    from chalicelib.store.tables import ALL_TABLES

    resources: dict = {}
    mail_from = _stage_environment("prod")["MAIL_FROM"]
    arns = []
    for model in ALL_TABLES:
        resources[logical_id(model)] = table_resource(model)
        arn = {"Fn::GetAtt": [logical_id(model), "Arn"]}
        arns += [arn, {"Fn::Sub": "${" + logical_id(model) + ".Arn}/index/*"}]
    resources["TablesAccessPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "pix-tables-access",
            "Roles": [{"Ref": "DefaultRole"}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow",
                 "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                            "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                            "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                            "dynamodb:DescribeTable"],
                 "Resource": arns},
                {"Effect": "Allow", "Action": ["ssm:GetParameter"],
                 "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pix/*"}},
                # Password-reset mail (services/mailer.py, SES v2): only from the
                # stage's sender, whose domain is the verified SES identity.
                {"Effect": "Allow", "Action": ["ses:SendEmail"],
                 "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
                                         + mail_from.split("@", 1)[1]},
                 "Condition": {"StringEquals": {"ses:FromAddress": mail_from}}},
                # The mail queue (services/mail_queue.py): the API sends, the
                # consumer (DeliverMail) receives and deletes; nothing else.
                {"Effect": "Allow", "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"],
                 "Resource": {"Fn::GetAtt": ["MailQueue", "Arn"]}},
                {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                               "sqs:ChangeMessageVisibility",
                                               "sqs:GetQueueAttributes"],
                 "Resource": {"Fn::GetAtt": ["MailQueue", "Arn"]}},
                # The answer export (jobs/export_answers.py): a Scan of the two tables
                # holding answers (no index lists them), and writes under answers/.
                {"Effect": "Allow", "Action": ["dynamodb:Scan"],
                 "Resource": [{"Fn::GetAtt": ["AssessmentsTable", "Arn"]},
                              {"Fn::GetAtt": ["CertificationTable", "Arn"]}]},
                {"Effect": "Allow", "Action": ["s3:PutObject"],
                 "Resource": {"Fn::Sub": "${AnswerExportBucket.Arn}/answers/*"}},
                # Roster uploads: the API signs the school's POST (PutObject), the
                # import_roster function reads and then deletes the file.
                {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                 "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${TablePrefix}-rosters/rosters/*"}},
            ]},
        },
    }
    resources.update(mail_queue_resources())
    resources.update(answer_export_resources())
    resources.update(roster_upload_resources())
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        resources[f"GatewayResponse{kind.replace('_', '')}"] = {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": {"Ref": "RestAPI"},
                "ResponseType": kind,
                "ResponseTemplates": {"application/json": ERROR_TEMPLATE},
                "ResponseParameters": dict(GATEWAY_HEADERS),
            },
        }
    return {
        "Parameters": {"TablePrefix": {"Type": "String", "Default": "pix-prod"}},
        "Resources": resources,
    }


if __name__ == "__main__":
    out = ROOT / "infra" / "resources.json"
    out.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
