"""Signed delivery of trámite notifications to the CCFs' shared endpoints (SQS worker)."""
