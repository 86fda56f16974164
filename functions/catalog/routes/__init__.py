"""The catalog function's routes, one Powertools Router per concern; handler.py includes them in its resolver."""
