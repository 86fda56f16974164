"""Shared domain code of the SAT CCF functions, deployed as the common-code Lambda layer."""
