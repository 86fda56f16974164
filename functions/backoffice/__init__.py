"""The Ministry's back-office reads that belong to no business area: the audit search (decision 0095)."""
