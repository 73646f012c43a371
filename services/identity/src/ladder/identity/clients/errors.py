"""Errors of machine-client management."""

from __future__ import annotations

from ladder.kit.errors import Conflict, Forbidden, NotFound


class ClientNotFound(NotFound):
    code = "client_not_found"
    message = "未找到该客户端"
    message_en = "No such client"


class MayNotHaveClients(Forbidden):
    """Only authorities (units, SOE HQs, the ministry) integrate systems with Ladder."""

    code = "may_not_have_clients"
    message = "该类单位不能创建对接客户端"
    message_en = "Organisations of this kind cannot create integration clients"


class ClientRevoked(Conflict):
    code = "client_revoked"
    message = "该客户端已撤销"
    message_en = "The client is revoked"
