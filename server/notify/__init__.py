"""Web Push to the warehouse's phones: VAPID key, subscriptions, the notification outbox
(``queue_notification``, written in the caller's transaction) and the worker that fans out, groups
bursts, keeps quiet hours and sends with retries (ADR-0019); the push rules a manager edits, the
events and the rules worker that follow them, and each person's inbox (ADR-0020)."""
