"""The notification pipeline: outbox → notifications → per-channel deliveries → receipts.

- ``expand``: claims outbox events (critical first) and, through ``templates`` and
  ``routing``, writes a ``Notification``, its ``InboxMessage`` and the first ``Delivery`` of
  its route (``enqueue``). ``campaigns`` does the same a chunk at a time for staff campaigns.
- ``delivery``: claims due deliveries of one priority, sends them through the channel's
  ``Notifier`` and records honest outcomes; retries with backoff, dead letters, and falls
  through the route on final refusals.
- ``dispatcher``: the lanes (outbox, campaigns, critical, normal, bulk) of one dispatcher;
  ``worker``: where dispatchers run (Sanic background task or ``python -m app worker``).
- ``receipts``: platform delivery receipts; ``inbox``: the message centre.
"""
