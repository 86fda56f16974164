"""Examples of systems that integrate with the SAT-CCF API."""
