"""A message may name its own placeholders `message_id` or `locale`: the catalog lookup's own
parameters are positional, so an error's details never collide with them."""

from __future__ import annotations

from aftersales.core.errors import NotFound
from aftersales.core.i18n import translate
from aftersales.http.errors import domain_error


def test_details_named_like_the_lookups_parameters_fill_placeholders():
    text = translate("webhooks.delivery_not_found", "en", message_id="msg_1")
    assert "msg_1" in text


def test_a_not_found_naming_a_message_id_maps_to_404():
    reply = domain_error(NotFound("webhooks.delivery_not_found", message_id="msg_1"), "zh-Hans")
    assert reply.status_code == 404
