"""Repositories of items that several areas read (docs/decisions/0114): each names its operations; the keys come
from sat_common.keys and every DynamoDB expression stays in these modules."""
