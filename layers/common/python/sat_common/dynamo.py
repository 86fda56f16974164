"""DynamoDB helpers: invariants through conditional writes, AWS faults turned into a clear 503."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sat_common import aws
from sat_common.errors import DomainError, unavailable
from sat_common.observability import logger

# Errors that mean "try again later", not "your request is wrong".
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        "KMSThrottlingException",
        "KMSInternalException",
    }
)


class ConditionFailed(Exception):
    """The write's condition did not hold: the item exists already, or changed under us."""


@contextmanager
def aws_faults_as_unavailable() -> Iterator[None]:
    """Let domain errors through; turn AWS outages into 503 with Retry-After (logged without payloads)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except DomainError:
        raise
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        logger.warning("aws call failed", extra={"awsErrorCode": code})
        raise unavailable() from error
    except BotoCoreError as error:
        logger.warning("aws call failed", extra={"awsErrorType": type(error).__name__})
        raise unavailable() from error


def put_new(table_name: str, item: dict[str, Any]) -> None:
    """Create the item only if its key is free; ConditionFailed otherwise."""
    from botocore.exceptions import ClientError

    try:
        aws.table(table_name).put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise ConditionFailed from error
        raise


def transact(items: list[dict[str, Any]]) -> None:
    """All-or-nothing write (low-level TransactItems); ConditionFailed when any condition does not hold."""
    from botocore.exceptions import ClientError

    try:
        aws.client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as error:
        reasons = error.response.get("CancellationReasons") or []
        if any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons):
            raise ConditionFailed from error
        raise
