"""Settings of the share area, read on first use (tooling that imports the handler needs no resources)."""

from functools import cache

from sat_common.settings import ShareSettings


@cache
def settings() -> ShareSettings:
    return ShareSettings()  # type: ignore[call-arg]
