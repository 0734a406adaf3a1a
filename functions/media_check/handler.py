"""S3 `ObjectCreated` events of the media bucket's `uploads/` prefix -> the media check: the real
type from the magic bytes, the size, dimensions or duration, EXIF location removed, perceptual
hash, moderation; the item ends ready or rejected with a reason code. A key that is not an
upload key is ignored; a redelivered event finds the item checked and changes nothing. An
exception (storage or moderation unavailable) fails the invocation, and Lambda's asynchronous
retries deliver the event again."""

from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.media.model import parse_upload_key
from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    outcomes = []
    for record in event.records:
        key = unquote_plus(record.s3.get_object.key)
        upload = parse_upload_key(key)
        if upload is None:
            logger.warning("not an upload key", extra={"event_name": record.event_name})
            continue
        tenant_id, media_id = upload
        outcome = services().media.check_upload(tenant_id, media_id, int(record.s3.get_object.size or 0))
        outcomes.append(outcome)
    return {"checked": outcomes}
