"""Domain events and the transactional outbox.

A service records an event in the same transaction as the change that causes it
(`record_event`); the worker's relay moves committed events to handler jobs; each
(event, handler) pair is tracked in `event_deliveries`, so a retry never repeats a
finished handler and a handler that keeps failing is dead-lettered, visibly.
"""
