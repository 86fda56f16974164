"""A small CCF system that integrates with the Ministry's SAT-CCF API (see README.md)."""

from examples.sample_ccf.config import Config
from examples.sample_ccf.runner import SampleCcf

__all__ = ["Config", "SampleCcf"]
