"""The device's sync engine: the outbox to the service in batches, the service's changes into the store."""
