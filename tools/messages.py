"""Source of the message catalogs: (msgid, en, zh-Hans). `python -m tools.messages` rewrites
shared/aftersales/locales/*/LC_MESSAGES/messages.po; `make i18n` then compiles them with Babel."""

from __future__ import annotations

from pathlib import Path

MESSAGES: list[tuple[str, str, str]] = [
    # ticket types
    ("type.return_refund", "Return and refund", "退货退款"),
    ("type.exchange", "Exchange", "换货"),
    ("type.repair", "Repair", "维修"),
    ("type.refund_only", "Refund only", "仅退款"),
    ("type.shipping_fee_refund", "Shipping fee refund", "运费退款"),
    ("type.complaint", "Complaint", "投诉"),
    # statuses
    ("status.submitted", "Submitted", "已提交"),
    ("status.pending_approval", "Pending approval", "待审核"),
    ("status.waiting_customer", "Waiting for customer", "等待客户回复"),
    ("status.approved", "Approved", "已同意"),
    ("status.rejected", "Rejected", "已拒绝"),
    ("status.awaiting_return", "Awaiting return", "待退回商品"),
    ("status.return_in_transit", "Return in transit", "退货运输中"),
    ("status.return_received", "Return received", "退货已签收"),
    ("status.inspecting", "Inspecting", "质检中"),
    ("status.refund_pending", "Refund pending", "退款处理中"),
    ("status.refunded", "Refunded", "已退款"),
    ("status.reshipping", "Reshipping", "换货发出中"),
    ("status.reshipped", "Reshipped", "换货已发出"),
    ("status.repair_dispatched", "Repair dispatched", "已派修"),
    ("status.repair_in_progress", "Repair in progress", "维修中"),
    ("status.repaired", "Repaired", "已修复"),
    ("status.unrepairable", "Unrepairable", "无法修复"),
    ("status.returned_to_customer", "Returned to customer", "已寄回客户"),
    ("status.investigating", "Investigating", "处理中"),
    ("status.resolved", "Resolved", "已解决"),
    ("status.closed", "Closed", "已关闭"),
    ("status.cancelled", "Cancelled", "已取消"),
    # events (customer timeline titles)
    ("event.ticket.created", "Request submitted", "申请已提交"),
    ("event.ticket.submitted_for_approval", "Under review", "审核中"),
    ("event.ticket.approved", "Request approved", "申请已通过"),
    ("event.ticket.rejected", "Request declined", "申请被拒绝"),
    ("event.ticket.info_requested", "We need more information", "需要您补充信息"),
    ("event.ticket.info_provided", "Information received", "已收到补充信息"),
    ("event.ticket.cancelled", "Request cancelled", "申请已取消"),
    ("event.ticket.reopened", "Request reopened", "申请已重新打开"),
    ("event.ticket.closed", "Request closed", "服务单已关闭"),
    ("event.ticket.return_authorized", "Please send the item back", "请寄回商品"),
    ("event.ticket.return_shipped", "Return shipped", "退货已寄出"),
    ("event.ticket.return_received", "We received your return", "我们已收到退货"),
    ("event.ticket.inspection_started", "Inspection started", "开始质检"),
    ("event.ticket.inspection_passed", "Inspection passed", "质检通过"),
    ("event.ticket.inspection_failed", "Inspection failed", "质检未通过"),
    ("event.ticket.refund_requested", "Refund being processed", "退款处理中"),
    ("event.ticket.refunded", "Refund issued", "退款已完成"),
    ("event.ticket.reshipped", "Replacement shipped", "换货商品已发出"),
    ("event.ticket.repair_dispatched", "Sent for repair", "已安排维修"),
    ("event.ticket.repair_received_by_provider", "Repair centre received the item", "维修点已收到商品"),
    ("event.ticket.repaired", "Repaired", "维修完成"),
    ("event.ticket.unrepairable", "Item cannot be repaired", "商品无法修复"),
    ("event.ticket.returned_to_customer", "Item on its way back to you", "商品已寄回"),
    ("event.ticket.investigation_started", "We are looking into it", "我们正在处理"),
    ("event.ticket.resolved", "Resolved", "已解决"),
    ("event.ticket.assigned", "Assigned", "已分配"),
    # errors
    ("error.validation", "The request is not valid; see fields.", "请求参数有误，请查看 fields。"),
    ("error.not_found", "Not found.", "未找到。"),
    ("error.route_not_found", "No such endpoint.", "接口不存在。"),
    ("error.ticket_not_found", "Ticket {ticket_id} was not found.", "未找到服务单 {ticket_id}。"),
    ("error.order_not_found", "Order {order_id} was not found.", "未找到订单 {order_id}。"),
    ("error.unknown_order", "Order {order_id} is unknown; push it first.", "订单 {order_id} 不存在，请先推送订单。"),
    ("error.unknown_order_line", "Line {line_id} is not on this order.", "订单中没有明细行 {line_id}。"),
    ("error.quantity_exceeds_purchase", "Line {line_id}: {requested} requested but only {available} available.",
     "明细行 {line_id}：申请 {requested} 件，可申请 {available} 件。"),
    ("error.duplicate_line", "Line {line_id} appears twice.", "明细行 {line_id} 重复。"),
    ("error.lines_required", "This ticket type needs at least one order line.", "该类型服务单至少需要一个订单明细行。"),
    ("error.customer_mismatch", "The customer does not match the order.", "客户与订单不一致。"),
    ("error.order_not_yours", "This order is not yours.", "该订单不属于您。"),
    ("error.order_id_mismatch", "order_id in the body differs from the path.", "请求体中的 order_id 与路径不一致。"),
    ("error.order_version_conflict", "Version {version} was already stored with different content.",
     "版本 {version} 已存在且内容不同。"),
    ("error.order_version_stale", "Version {version} is older than the stored version {current}.",
     "版本 {version} 早于已存储的版本 {current}。"),
    ("error.unknown_parent", "The parent ticket was not found.", "未找到父服务单。"),
    ("error.parent_other_order", "The parent ticket belongs to another order.", "父服务单属于其他订单。"),
    ("error.illegal_transition", "A ticket in status {status} cannot move to {to}.", "状态为 {status} 的服务单不能变更为 {to}。"),
    ("error.ticket_closed", "The ticket is closed.", "服务单已关闭。"),
    ("error.role_not_permitted", "Your role may not do this.", "您的角色无权执行此操作。"),
    ("error.concurrent_modification", "The ticket changed meanwhile; retry.", "服务单已被他人修改，请重试。"),
    ("error.version_mismatch", "Expected version {expected}, the ticket is at {current}.",
     "期望版本 {expected}，当前版本为 {current}。"),
    ("error.bad_if_match", "If-Match must be a ticket version.", "If-Match 必须是服务单版本号。"),
    ("error.bad_cursor", "The cursor is not valid.", "分页游标无效。"),
    ("error.field_required", "This field is required for this action.", "该操作需要此字段。"),
    ("error.idempotency_key_reused", "This Idempotency-Key was used with a different request.",
     "该 Idempotency-Key 已用于不同的请求。"),
    ("error.idempotency_in_progress", "A request with this Idempotency-Key is still in progress.",
     "使用该 Idempotency-Key 的请求仍在处理中。"),
    ("error.idempotency_key_too_long", "Idempotency-Key is longer than 255 characters.", "Idempotency-Key 超过 255 个字符。"),
    ("error.missing_credentials", "Credentials are missing.", "缺少认证信息。"),
    ("error.malformed_credentials", "Credentials are malformed.", "认证信息格式错误。"),
    ("error.invalid_api_key", "The API key is not valid.", "API Key 无效。"),
    ("error.invalid_token", "The token is not valid.", "令牌无效。"),
    ("error.token_expired", "The token has expired.", "令牌已过期。"),
    ("error.staff_inactive", "This staff account is disabled.", "该员工账号已停用。"),
    ("error.staff_not_found", "Staff user {user_id} was not found.", "未找到员工 {user_id}。"),
    ("error.tenant_not_found", "Tenant not found.", "未找到商户。"),
    ("error.payload_too_large", "The request body is too large.", "请求体过大。"),
    # SLA and dispatch (issue 4)
    ("event.ticket.sla_reminder", "SLA reminder", "SLA 提醒"),
    ("event.ticket.sla_breached", "SLA deadline missed", "SLA 已超时"),
    ("event.ticket.sla_escalated", "Escalated", "已升级"),
    ("event.ticket.sla_default_action", "Automatic action on timeout", "超时自动处理"),
    ("sla.policy_rejected", "The SLA policy was not saved; see the issues.", "SLA 策略未保存，请查看问题列表。"),
    ("sla.policy_not_found", "No SLA policy has been saved.", "尚未保存 SLA 策略。"),
    ("sla.calendar_not_found", "Unknown calendar {calendar_id}.", "未知的日历 {calendar_id}。"),
    ("sla.bad_date_range", "The date range ends before it starts.", "日期范围的结束早于开始。"),
    ("sla.date_range_too_long", "The date range may span at most {max_days} days.", "日期范围最多 {max_days} 天。"),
    ("sla.unknown_timezone", "Unknown time zone {timezone}.", "未知的时区 {timezone}。"),
    ("dispatch.unknown_team", "Unknown team {team_id}.", "未知的团队 {team_id}。"),
    ("dispatch.team_has_agents", "Team {team_id} still has agents.", "团队 {team_id} 仍有坐席。"),
    ("dispatch.agent_not_found", "Unknown agent {agent_id}.", "未知的坐席 {agent_id}。"),
    ("dispatch.reassign_supervisors_only", "Only supervisors may reassign tickets.", "只有主管可以改派服务单。"),
    ("dispatch.reassign_reason_required", "A reason is required.", "必须填写原因。"),
    ("dispatch.target_offline", "Agent {agent_id} is offline.", "坐席 {agent_id} 已离线。"),
    ("dispatch.target_lacks_skills", "Agent {agent_id} lacks the skills for some tickets.",
     "坐席 {agent_id} 不具备部分服务单所需的技能。"),
    ("dispatch.target_over_capacity", "Agent {agent_id} has room for {room} tickets, not {requested}.",
     "坐席 {agent_id} 只能再接 {room} 单，而不是 {requested} 单。"),
    ("error.event_publish_failed", "The event could not be published.", "事件发布失败。"),
]

HEADER = '''# After-sales platform messages ({locale}).
# Generated from tools/messages.py: edit there, then `make i18n`.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {locale}\\n"

'''


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(locale: str) -> str:
    column = 1 if locale == "en" else 2
    body = "".join(f"msgid {_quote(row[0])}\nmsgstr {_quote(row[column])}\n\n" for row in MESSAGES)
    return HEADER.format(locale=locale) + body


def write(root: Path) -> None:
    for locale in ("en", "zh_Hans"):
        target = root / locale / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(locale), encoding="utf-8")


if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "shared" / "aftersales" / "locales")
