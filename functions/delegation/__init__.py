"""Employer role (persona jurídica), its delegate and the CCF's authorized persons (manual §5)."""
