"""DynamoDB helpers: invariants through conditional writes, AWS outages turned into a clear 503 and permission
errors into a 500 that raises an alarm."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sat_common import aws
from sat_common.errors import DomainError, unavailable
from sat_common.observability import logger, metrics

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


# Errors that mean "this function's role, a key policy or a disabled key forbids it": retrying cannot help,
# an operator must fix the stack. 500 with an error log and the AwsPermissionDenied metric (its alarm:
# infra/components/monitoring.py), never a 503 that tells clients to come back.
PERMISSION_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "KMSAccessDeniedException",
        "KMS.AccessDeniedException",
        "KMSDisabledException",
        "KMS.DisabledException",
        "DisabledException",
        "KMSInvalidStateException",
        "KMS.KMSInvalidStateException",
        "KMSNotFoundException",
        "KMS.NotFoundException",
    }
)


def is_permission_error(code: str) -> bool:
    return code in PERMISSION_CODES or code.startswith("AccessDenied")


class ConditionFailed(Exception):
    """The write's condition did not hold: the item exists already, or changed under us."""


def aws_fault(error: Exception) -> DomainError | None:
    """The answer for an AWS fault that reached the resolver: a 500 that raises an alarm for a permission error,
    a 503 with Retry-After for any other ClientError or a botocore failure; None when it is not an AWS fault.
    botocore is only looked at if something already imported it (cold starts)."""
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:
        return None
    if isinstance(error, exceptions.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if is_permission_error(code):
            return permission_denied(error)
        logger.warning("aws call failed", extra={"awsErrorCode": code})
        return unavailable()
    if isinstance(error, exceptions.BotoCoreError):
        logger.warning("aws call failed", extra={"awsErrorType": type(error).__name__})
        return unavailable()
    return None


@contextmanager
def aws_faults_as_unavailable() -> Iterator[None]:
    """For code outside the resolver (queue consumers, the authorizer): domain errors pass, AWS faults become
    the same answers the resolver gives (aws_fault)."""
    try:
        yield
    except DomainError:
        raise
    except Exception as error:
        fault = aws_fault(error)
        if fault is None:
            raise
        raise fault from error


def permission_denied(error: Any) -> DomainError:
    """Log and count a permission error (operation and code only, never the message: it names resources and
    may echo request data) and give the 500 the client gets."""
    from aws_lambda_powertools.metrics import MetricUnit

    code = error.response.get("Error", {}).get("Code", "")
    logger.error("aws permission denied", extra={"awsErrorCode": code, "awsOperation": error.operation_name})
    metrics.add_metric(name="AwsPermissionDenied", unit=MetricUnit.Count, value=1)
    return DomainError(code="INTERNAL_ERROR", status=500)


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
