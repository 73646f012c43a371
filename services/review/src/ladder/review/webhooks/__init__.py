"""Webhooks for other platforms (issue 16): machine clients subscribe to Ladder's public
event types; deliveries go out through this service's outbox (`ladder.kit.webhooks`)."""
