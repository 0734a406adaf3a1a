"""Records each S3 object event (bucket, key, body) and copies the body to COPY_BUCKET; a key
containing "fail" raises (async-invoke retries)."""

import os
from urllib.parse import unquote_plus

import boto3


def lambda_handler(event, context):
    s3, ddb = boto3.client("s3"), boto3.client("dynamodb")
    for record in event["Records"]:
        bucket, key = record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        ddb.put_item(TableName=os.environ["RECORDS_TABLE"], Item={
            "pk": {"S": "s3"}, "sk": {"S": f"{bucket}/{key}/{context.aws_request_id}"},
            "event": {"S": record["eventName"]}, "body": {"S": body}})
        if "fail" in key:
            raise RuntimeError("refusing " + key)
        s3.put_object(Bucket=os.environ["COPY_BUCKET"], Key=f"copies/{key}", Body=body.encode())
    return {"records": len(event["Records"])}
