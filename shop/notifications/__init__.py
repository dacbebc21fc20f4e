"""Notifications: the outbox, e-mail and SMS delivery, templates, calendar invites, reminders.

Other areas never call this package directly: they publish events (`shop.event_types`) and the
rules in `shop.notifications.rules` turn them into outbox messages in the same transaction.
"""

from shop.notifications.outbox import (
    Attachment,
    Backlog,
    Message,
    MessageBody,
    backlog,
    enqueue,
    get_body,
    get_message,
    list_messages,
    retry,
)
from shop.notifications.sender import SendResult, send_due, send_test_mail, worker

__all__ = [
    "Attachment",
    "Backlog",
    "Message",
    "MessageBody",
    "SendResult",
    "backlog",
    "enqueue",
    "get_body",
    "get_message",
    "list_messages",
    "retry",
    "send_due",
    "send_test_mail",
    "worker",
]
