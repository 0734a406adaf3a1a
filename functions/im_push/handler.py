"""IM pushes: POST /webhooks/im/{channel}/{tenant_id} (qiyu: checksum in the query; meiqia: the
Authorization sign). Verified on the raw body first (401, nothing stored), 400 for malformed bodies;
messages and session events go onto the linked ticket's conversation, or wait in the unmatched inbox.
The push is kept and queued and answered at once (Qiyu wants its answer within 10 s); functions/im_intake
takes it."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.errors import DomainError, NotFound
from aftersales.http import webhooks as wh
from aftersales.wiring import services

logger = Logger()
CHANNELS = frozenset({"qiyu", "meiqia"})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if (rejected := wh.too_large(event, services().http_settings.max_body_bytes)) is not None:
        return rejected
    try:
        channel, tenant_id = wh.path_param(event, "channel"), wh.path_param(event, "tenant_id")
        if channel not in CHANNELS:
            raise NotFound("error.route_not_found")
        logger.append_keys(channel=channel, tenant_id=tenant_id)
        result = services().channels.im.push(tenant_id, channel, wh.query(event), wh.headers(event),
                                             wh.raw_body(event))
    except DomainError as exc:
        logger.warning("im push rejected", extra={"code": exc.code, "reason": exc.message_id})
        return wh.error(exc, event)
    logger.info("im push", extra={"outcome": result.outcome})
    return wh.respond(200, {"code": 200, "outcome": result.outcome})
