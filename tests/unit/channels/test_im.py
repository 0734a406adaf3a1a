"""The IM pushes (Qiyu MSG / SESSION_START / SESSION_END / EVA_INVITATION) read into conversation
entries: who said it, which way, what of the session is kept - and never a name."""

from __future__ import annotations

import json

import pytest

from aftersales.channels import im
from aftersales.core.errors import InvalidRequest
from tests.support.fixture_files import raw


def _qiyu(name: str, event: str) -> im.ImEvent:
    parsed = im.parse_qiyu(event, raw(f"qiyu/{name}.body.json"))
    assert parsed is not None
    return parsed


def test_a_msg_with_a_staff_id_is_the_qiyu_agents_message_to_the_visitor():
    event = _qiyu("push_MSG", "MSG")
    said = im.entry(event)
    assert (event.kind, event.visitor, event.external_id) == (im.ImKind.AGENT_MESSAGE, "user1",
                                                              "8ca1c9fb30c40aa6cc390844e2756fac")
    assert (said.direction, said.author, said.body) == ("outbound", "qiyu:staff:143", "2222")
    assert said.data == {"im_event": "agent_message", "at_ms": 1463216914316}
    assert "lantian" not in said.model_dump_json()


def test_a_msg_without_a_staff_id_is_the_visitors_own_text():
    body = json.loads(raw("qiyu/push_MSG.body.json"))
    del body["staffId"], body["staffName"]
    event = im.parse_qiyu("MSG", json.dumps(body).encode())
    said = im.entry(event)
    assert event.kind is im.ImKind.CUSTOMER_MESSAGE
    assert said.direction == "inbound" and said.author.startswith("qiyu:") and "user1" not in said.author


def test_session_start_end_and_the_evaluation_invitation_are_system_entries_of_the_session():
    start, end = _qiyu("push_SESSION_START", "SESSION_START"), _qiyu("push_SESSION_END", "SESSION_END")
    invite = _qiyu("push_EVA_INVITATION", "EVA_INVITATION")
    assert [e.kind for e in (start, end, invite)] == [im.ImKind.SESSION_STARTED, im.ImKind.SESSION_ENDED,
                                                      im.ImKind.EVALUATION_INVITED]
    assert im.entry(start).data == {"im_event": "session_started", "im_session": "62927", "code": 200,
                                    "transferFrom": 62917}
    assert im.entry(end).data == {"im_event": "session_ended", "im_session": "62927", "code": 200,
                                  "closeReason": 0, "transferTo": 62928}
    assert im.entry(invite).data == {"im_event": "evaluation_invited", "im_session": "62927"}
    assert {im.entry(e).direction for e in (start, end, invite)} == {"system"}
    assert len({start.external_id, end.external_id, invite.external_id}) == 3  # one dedupe slot each


def test_a_non_text_message_keeps_its_type_but_no_body():
    body = json.loads(raw("qiyu/push_MSG.body.json"))
    body.update(msgType="PICTURE", content={"url": "https://x/y.png", "size": 10})
    said = im.entry(im.parse_qiyu("MSG", json.dumps(body).encode()))
    assert said.body == "" and said.data["msg_type"] == "PICTURE"


def test_an_event_type_we_do_not_take_is_none_and_a_bad_body_is_a_field_error():
    assert im.parse_qiyu("STAFF_STATUS", b"{}") is None
    with pytest.raises(InvalidRequest) as bad:
        im.parse_qiyu("MSG", b"[1]")
    assert bad.value.details.get("field") == "body"
    with pytest.raises(InvalidRequest) as missing:
        im.parse_qiyu("MSG", b'{"content": "hi"}')
    assert missing.value.details.get("field") == "uid"
