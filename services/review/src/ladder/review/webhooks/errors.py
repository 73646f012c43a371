"""The webhook routes' errors (stable codes, Chinese and English)."""

from __future__ import annotations

from ladder.kit.errors import Conflict, Forbidden, LadderError, NotFound


class MachineClientsOnly(Forbidden):
    code = "webhooks_machine_clients_only"
    message = "只有对接系统（机器客户端）可以订阅事件推送"
    message_en = "Only machine clients (integrated systems) may subscribe to webhooks"


class SubscriptionNotFound(NotFound):
    code = "webhook_subscription_not_found"
    message = "没有该事件订阅"
    message_en = "No such webhook subscription"


class DeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    message = "没有该推送记录"
    message_en = "No such webhook delivery"


class DeliveryDelivered(Conflict):
    code = "webhook_delivery_delivered"
    message = "该推送已送达，无需重放"
    message_en = "This delivery already arrived; there is nothing to replay"


class SubscriptionDisabled(Conflict):
    code = "webhook_subscription_disabled"
    message = "该订阅已删除，不能修改或重放"
    message_en = "This subscription was deleted; it cannot be changed or replayed"


class TooManySubscriptions(Conflict):
    code = "webhook_subscriptions_limit"
    message = "订阅数量已达上限"
    message_en = "The client has reached its limit of webhook subscriptions"


class WebhookUrlRefused(LadderError):
    status_code = 422
    code = "webhook_url_refused"
    message = "推送地址不可用：生产环境须为 https，且不得含用户名、口令或片段"
    message_en = "The target URL is refused: https in production, no credentials, no fragment"


class RegionOutOfReach(LadderError):
    status_code = 422
    code = "webhook_region_out_of_reach"
    message = "订阅的地区不在本单位管辖范围内"
    message_en = "A region of the filter is outside the client's jurisdiction"
