"""How tickets are named to people."""

from __future__ import annotations

from models.tickets import CloseReason, TicketState, TicketType

TYPE_NAMES: dict[TicketType, str] = {
    TicketType.consult: "咨询", TicketType.complaint: "投诉", TicketType.suggestion: "建议",
    TicketType.help: "求助", TicketType.report: "举报",
}
TYPES_BY_NAME = {name: kind for kind, name in TYPE_NAMES.items()}
STATE_NAMES: dict[TicketState, str] = {
    TicketState.dispatching: "待派单", TicketState.handling: "办理中",
    TicketState.replied: "已答复", TicketState.escalated: "督办中", TicketState.closed: "已办结",
    TicketState.merged: "已并件",
}
CLOSE_NAMES: dict[CloseReason, str] = {
    CloseReason.confirmed: "来电人/申请人确认满意", CloseReason.no_response: "逾期未确认，自动办结",
    CloseReason.staff: "部门办结", CloseReason.duplicate: "重复件，已并入原工单",
}
