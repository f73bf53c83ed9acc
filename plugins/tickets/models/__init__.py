"""ORM models of the ticket addon, one module per noun."""

from plugins.tickets.models.canned_reply import CannedReply
from plugins.tickets.models.category import Category
from plugins.tickets.models.comment import Attachment, Comment
from plugins.tickets.models.custom_field import FieldDefinition, FieldValue, field_category
from plugins.tickets.models.customer import Customer, CustomerPhone
from plugins.tickets.models.department import Department, StaffMembership
from plugins.tickets.models.event import TicketEvent
from plugins.tickets.models.outbox import OutboxEvent
from plugins.tickets.models.process import ProcessDefinition
from plugins.tickets.models.saved_view import SavedView
from plugins.tickets.models.sequence import TicketSequence
from plugins.tickets.models.ticket import Ticket

__all__ = [
    "Attachment",
    "CannedReply",
    "Category",
    "Comment",
    "Customer",
    "CustomerPhone",
    "Department",
    "FieldDefinition",
    "FieldValue",
    "OutboxEvent",
    "ProcessDefinition",
    "SavedView",
    "StaffMembership",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "field_category",
]
