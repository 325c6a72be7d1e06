"""The notifier: messages outside the app, through pluggable channels (SMS, WeChat Work).

    from hlgrid.notifier.services import delivery_queue
    delivery_queue(channel="SMS", address=phone, text=..., purpose=Purpose.TRACKING_CODE,
                   dedupe=f"petition:{pk}:tracking", node_id=grid_id)

`delivery_queue` records a `Delivery` in the caller's transaction (so nothing is announced for
a change that rolled back) and enqueues the send after commit (`hlgrid.tasks.delivery_send`).
The task locks the row, sends through the channel's adapter, marks it SENT or schedules a retry
with exponential backoff (FAILED after NOTIFY_MAX_ATTEMPTS); the periodic sweep re-sends what
is due. A repeat of a dedupe key queues nothing; an opted-out address or one over its daily
limit gets a SUPPRESSED row. Channels: `register_channel(name, adapter)` (hlgrid.notifier.channels).
The ground floor imports no app: callers pass the grid node id the message concerns, for
scoping the delivery log.
"""
