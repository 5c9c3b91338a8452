"""Request and response shapes of the appointment endpoints (citizen and staff)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.catalogue.schemas import CODE_PATTERN


class SlotQuery(BaseModel):
    item_code: str = Field(min_length=1, max_length=64)
    date: dt.date | None = None
    days: int = Field(7, ge=1, le=31)


class HallRef(BaseModel):
    id: int
    code: str | None = None
    name: str
    address: str


class SlotOut(BaseModel):
    id: int
    hall: HallRef
    item_id: int | None
    starts_at: str | None
    ends_at: str | None
    capacity: int
    remaining: int


class SlotList(BaseModel):
    items: list[SlotOut]


class BookIn(BaseModel):
    item_code: str = Field(min_length=1, max_length=64)
    slot_id: int
    case_id: int | None = None


class RescheduleIn(BaseModel):
    slot_id: int


class AppointmentOut(BaseModel):
    id: int
    code: str = Field(description="what the booking's QR code carries, shown at the hall")
    status: Literal["booked", "cancelled", "checked_in", "no_show"]
    item_id: int
    item_name: str
    case_id: int | None
    slot_id: int
    hall: HallRef | None
    starts_at: str | None
    ends_at: str | None
    booked_at: str | None
    checked_in_at: str | None


class AppointmentList(BaseModel):
    items: list[AppointmentOut]


class Opening(BaseModel):
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class HallIn(BaseModel):
    code: str = Field(pattern=CODE_PATTERN, max_length=32)
    name: str = Field(min_length=2, max_length=100)
    address: str = Field("", max_length=200)
    windows: int = Field(1, ge=1, le=100)
    opening: list[Opening] = Field(min_length=1, max_length=6)
    slot_minutes: int = Field(30, ge=10, le=240)


class HallOut(BaseModel):
    id: int
    code: str
    name: str
    department_id: int
    address: str
    windows: int
    opening: list[Opening]
    slot_minutes: int


class HallList(BaseModel):
    items: list[HallOut]


class SlotsIn(BaseModel):
    date_from: dt.date
    date_to: dt.date
    item_code: str | None = Field(None, max_length=64)
    capacity: int | None = Field(None, ge=1, le=1000)


class SlotsOut(BaseModel):
    added: int


class DayQuery(BaseModel):
    date: dt.date


class CheckInIn(BaseModel):
    code: str = Field(min_length=8, max_length=32)

    @field_validator("code")
    @classmethod
    def _plain(cls, value: str) -> str:
        return value.strip()
