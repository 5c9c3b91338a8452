"""What the app is made of: blueprints and per-worker background tasks, by module name."""

from __future__ import annotations

# each module exposes ``bp`` (a Blueprint or BlueprintGroup)
BLUEPRINT_MODULES: list[str] = [
    "handlers.health",
    "handlers.auth",
    "handlers.staff_auth",
    "handlers.catalogue",
    "handlers.staff_catalogue",
    "handlers.cases",
    "handlers.staff_cases",
    "handlers.staff_alerts",
    "handlers.staff_workbench",
    "handlers.staff_case_reads",
    "handlers.staff_signoff_chains",
    "handlers.staff_admin",
    "handlers.staff_supervision",
    "handlers.staff_integrity",
    "handlers.case_documents",
    "handlers.identity",
    "handlers.payments",
    "handlers.push",
    "handlers.shipments",
    "handlers.certificates",
    "handlers.staff_certificates",
    "handlers.verify",
    "handlers.licences",
    "channels.wechat.callbacks",
    "channels.wechat.jssdk_api",
    "channels.wechat.subscriptions_api",
    "channels.wechatpay.callbacks",
    "channels.alipay.callbacks",
    "channels.alipay.consents",
    "channels.express.callbacks",
    "channels.hotline.callbacks",
    "handlers.ratings",
    "handlers.staff_ratings",
    "handlers.tickets",
    "handlers.staff_tickets",
    "handlers.my_payments",
    "handlers.frontends",
]

# "module:function"; each is ``async def fn(app) -> None``, started in every worker
BACKGROUND_TASKS: list[str] = [
    "app.shipments.polling:run",
    "app.payments.jobs:payment_jobs",
    "push.worker:run",
    "app.cases.alerts:run",
    "app.cases.supplement_deadlines:run",
    "app.outbound:run",
    "app.ratings.clock_jobs:run",
    "app.tickets.clock_jobs:run",
    "app.loop_lag:run",
    "app.supervision.rollup:run",
    "app.cases.chain_audit:run",
]
