"""Outbound delivery worker: consumes the outbox queue (e-mails now; CCF notifications later)."""
