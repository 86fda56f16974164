"""One construct per concern of the SatCcf stack.

(Named `components` rather than `constructs` so that running `python infra/app.py`, which puts
`infra/` on sys.path, cannot shadow the `constructs` library.)
"""
