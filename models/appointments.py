"""Hall appointments (预约): halls with windows and opening hours, slots with a capacity, and
the bookings people make (checked in at the hall by staff scanning the booking's code).

``AppointmentSlot.booked`` is the number of live bookings; a booking takes a place with one
conditional update (``booked < capacity``), so two people never get the last place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Hall(Model):
    """A service hall (政务服务大厅) of a department."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    department_id = fields.IntField(db_index=True)
    address = fields.CharField(max_length=200, default="")
    windows = fields.IntField(default=1)  # windows serving appointments: a slot's capacity
    # opening hours on working days, Asia/Shanghai: [{"start": "09:00", "end": "12:00"}, …]
    opening = fields.JSONField[list[Any]](default=list)
    slot_minutes = fields.IntField(default=30)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reform_hall"


class AppointmentSlot(Model):
    id = fields.IntField(primary_key=True)
    hall_id = fields.IntField()
    department_id = fields.IntField()
    item_id = fields.IntField(default=0)  # 0: any item of the hall's department
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    capacity = fields.IntField()
    booked = fields.IntField(default=0)

    class Meta:
        table = "reform_appointment_slot"
        unique_together = (("hall_id", "item_id", "starts_at"),)
        indexes = (("department_id", "starts_at"),)


class AppointmentStatus(StrEnum):
    booked = "booked"
    cancelled = "cancelled"
    checked_in = "checked_in"  # 已签到
    no_show = "no_show"  # 爽约


class Appointment(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)  # what the booking's QR code carries
    slot_id = fields.IntField(db_index=True)
    hall_id = fields.IntField()
    department_id = fields.IntField()
    person_id = fields.IntField(db_index=True)
    item_id = fields.IntField()
    item_name = fields.CharField(max_length=200)
    case_id = fields.IntField(null=True)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(AppointmentStatus, max_length=16,
                                  default=AppointmentStatus.booked)
    # "<slot>:<person>" while booked, empty otherwise: one live booking per person and slot
    active_key = fields.CharField(max_length=32, null=True, unique=True)
    booked_at = fields.DatetimeField()
    cancelled_at = fields.DatetimeField(null=True)
    checked_in_at = fields.DatetimeField(null=True)
    checked_in_by = fields.IntField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    no_show_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reform_appointment"
        indexes = (("status", "starts_at"), ("hall_id", "starts_at"), ("person_id", "no_show_at"))
