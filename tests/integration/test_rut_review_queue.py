"""The Ministry's RUT review queue and viewer (decision 0092) on moto, through the delegation lambda_handler:
the queue oldest first in one Query per page with page tokens that cannot be altered, one company next to the
reference source, the presigned GET of the accepted file (≤ 300 s, audited), and the groups each route admits."""

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests

from sat_common import clock
from sat_common.operator_groups import AUDITOR, CATALOG, REVIEWER
from tests.integration.test_delegation_flow import (  # noqa: F401 (the env fixture)
    FREE_COMPANIES,
    MAIN,
    MISMATCH_NIT,
    basic_data,
    delegation_env,
    make_pdf,
    username,
)

OPERATOR = "CC-1000000001"
QUEUE = "/admin/employers"


def group_operator(user: str, group: str) -> str:
    """An enabled operator in `group` only (not `ministerio`), TOTP on."""
    import contextlib
    import os

    from sat_common import ministry

    idp = boto3.client("cognito-idp")
    pool = os.environ["PEOPLE_USER_POOL_ID"]
    with contextlib.suppress(idp.exceptions.GroupExistsException):
        idp.create_group(UserPoolId=pool, GroupName=group)
    with contextlib.suppress(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName=group)
    boto3.resource("dynamodb").Table(MAIN).put_item(
        Item={"PK": f"PERSON#{user}", "SK": ministry.MFA_SORT_KEY, "status": ministry.TOTP_ENABLED}
    )
    return user


def as_group(env, user: str, group: str, method: str, path: str) -> tuple[int, Any]:
    import uuid

    from tests.conftest import FakeContext, api_event

    claims = {"cognito:username": user, "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, user)), "cognito:groups": group}
    response = env.module.lambda_handler(api_event(method, path, claims=claims), FakeContext())
    import json

    return response["statusCode"], json.loads(response.get("body") or "null")


def submit(env, index: int) -> str:
    """A free company registered with a typo in its name (RUT required) whose PDF is uploaded and accepted."""
    entry = FREE_COMPANIES[index]
    user = username(entry["legalRepresentative"])
    env.register_account(entry["legalRepresentative"])
    status, body = env.api("POST", "/employers", basic_data(entry["nit"], businessName="Otra Razón S.A.S."), user=user)
    assert status == 201 and body["status"] == "RUT_REQUIRED", body
    env.upload(body["upload"], make_pdf())
    assert env.employer(entry["nit"])["status"] == "PENDING_REVIEW"
    return str(entry["nit"])


def admin(env, path: str, query: dict[str, str] | None = None) -> tuple[int, Any]:
    return env.api("GET", path, user=OPERATOR, ministry=True, query=query)


def test_the_queue_is_oldest_first_paginated_and_its_tokens_cannot_be_altered(env):
    nits = []
    for index in (3, 1, 2):  # submitted in this order, a minute apart
        nits.append(submit(env, index))
        clock.advance(timedelta(minutes=1))
    status, page = admin(env, QUEUE, {"status": "PENDING_REVIEW", "limit": "2"})
    assert status == 200, page
    assert [item["nit"] for item in page["items"]] == nits[:2]
    first = page["items"][0]
    assert first["status"] == "PENDING_REVIEW" and first["rutStatus"] == "UPLOADED"
    assert first["submittedAt"] == first["since"] and first["waitingSeconds"] == 180
    rep = FREE_COMPANIES[3]["legalRepresentative"]["documentNumber"]
    assert first["legalRepresentative"]["documentNumber"] == "*" * (len(rep) - 4) + rep[-4:]
    assert page["nextPageToken"]
    status, second = admin(env, QUEUE, {"limit": "2", "pageToken": page["nextPageToken"]})  # default status
    assert status == 200 and [item["nit"] for item in second["items"]] == nits[2:]
    assert second["nextPageToken"] is None

    # A token of another status, or edited to another status's partition: 422, never other items.
    status, body = admin(env, QUEUE, {"status": "REGISTERED", "pageToken": page["nextPageToken"]})
    assert (status, body["errors"][0]["field"]) == (422, "pageToken")
    import base64
    import json

    token = page["nextPageToken"]
    payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    payload["c"][0]["GSI1PK"] = "EMPSTATUS#REGISTERED"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    status, body = admin(env, QUEUE, {"pageToken": forged})
    assert (status, body["errors"][0]["field"]) == (422, "pageToken")

    # An approved company leaves the queue and enters DRAFT's, where it is the newest.
    review = f"/admin/employers/{nits[0]}/rut-review"
    assert env.api("POST", review, {"decision": "APPROVE"}, user=OPERATOR, ministry=True)[0] == 200
    assert [item["nit"] for item in admin(env, QUEUE)[1]["items"]] == nits[1:]
    drafts = admin(env, QUEUE, {"status": "DRAFT"})[1]["items"]
    assert [item["nit"] for item in drafts] == [nits[0]] and drafts[0]["submittedAt"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "PENDIENTE"}, "status"),
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"pageToken": "not-a-token"}, "pageToken"),
        ({"sort": "newest"}, "sort"),
    ],
)
def test_queue_filters_are_validated(env, query, field):
    status, body = admin(env, QUEUE, query)
    assert status == 422, body
    assert field in [error["field"] for error in body["errors"]] or field in json_dump(body)


def json_dump(value: Any) -> str:
    import json

    return json.dumps(value)


def test_one_company_next_to_the_reference_source_with_its_rut_metadata(env):
    rep = username({"documentType": "CC", "documentNumber": env_rep_number()})
    env.register_account({"documentType": "CC", "documentNumber": env_rep_number()})
    status, body = env.api("POST", "/employers", basic_data(MISMATCH_NIT, businessName="Nombre Digitado"), user=rep)
    assert status == 201
    data = make_pdf()
    env.upload(body["upload"], data)
    status, found = admin(env, f"/admin/employers/{MISMATCH_NIT}")
    assert status == 200, found
    rows = {row["field"]: row for row in found["comparison"]}
    assert rows["businessName"]["typed"] == "Nombre Digitado" and rows["businessName"]["matches"] is False
    assert rows["dv"]["matches"] and rows["companyType"]["matches"] and rows["legalRepresentative"]["matches"]
    assert found["reference"]["found"] and found["reference"]["legalRepresentative"]["documentNumber"] == (
        env_rep_number()
    )
    assert found["legalRepresentative"]["documentNumber"] == env_rep_number()  # full in the detail
    import hashlib

    rut = found["rut"]
    assert rut["status"] == "UPLOADED" and rut["viewable"] is True
    assert (rut["sizeBytes"], rut["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert found["status"] == "PENDING_REVIEW" and found["since"] == rut["uploadedAt"]
    status, body = admin(env, "/admin/employers/900000001")
    assert (status, body["code"]) == (404, "NOT_FOUND")
    status, body = admin(env, f"/admin/employers/{MISMATCH_NIT}", {"x": "1"})
    assert status == 422


def env_rep_number() -> str:
    from tests.integration.test_delegation_flow import MISMATCH_REP

    return str(MISMATCH_REP["documentNumber"])


def test_the_viewer_gives_a_short_lived_presigned_get_of_the_accepted_version_and_audits_it(env):
    nit = submit(env, 4)
    key = env.employer(nit)["rut"]["key"]
    data = env.s3.get_object(Bucket="rut-bucket", Key=key)["Body"].read()
    status, link = env.api("GET", f"/admin/employers/{nit}/rut", user=OPERATOR, ministry=True, query=None)
    assert status == 200, link
    query = parse_qs(urlparse(link["url"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-content-disposition"][0].startswith("inline")
    assert query["versionId"] == [env.employer(nit)["rut"]["versionId"]]
    from datetime import datetime

    expires = datetime.fromisoformat(link["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(0) < expires - clock.now() <= timedelta(seconds=300)
    fetched = requests.get(link["url"], timeout=10)  # moto answers the presigned URL in-process
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert env.audit(nit).count("RUT_VIEWED") == 1
    entries = (
        boto3.resource("dynamodb")
        .Table("audit")
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#EMPLOYER#{nit}"})["Items"]
    )
    viewed = next(item for item in entries if item["action"] == "RUT_VIEWED")
    assert OPERATOR in str(viewed) and viewed["details"]["uploadId"]


def test_the_viewer_is_404_without_an_accepted_file(env):
    entry = FREE_COMPANIES[5]
    user = username(entry["legalRepresentative"])
    env.register_account(entry["legalRepresentative"])
    status, body = env.api("POST", "/employers", basic_data(entry["nit"], businessName="Otra S.A.S."), user=user)
    assert status == 201
    status, body = admin(env, f"/admin/employers/{entry['nit']}/rut")
    assert (status, body["code"]) == (404, "RUT_FILE_NOT_FOUND")
    env.upload(body_slot := env.api("POST", f"/employers/{entry['nit']}/rut", user=user)[1], b"not a pdf")
    assert body_slot["uploadId"] and env.employer(entry["nit"])["rut"]["status"] == "FILE_REJECTED"
    assert admin(env, f"/admin/employers/{entry['nit']}/rut")[1]["code"] == "RUT_FILE_NOT_FOUND"
    assert admin(env, "/admin/employers/900000001/rut")[1]["code"] == "NOT_FOUND"
    assert "RUT_VIEWED" not in env.audit(entry["nit"])


def test_groups_reviewer_and_auditor_read_the_queue_only_the_reviewer_opens_the_file(env):
    nit = submit(env, 6)
    reviewer = group_operator("CC-1000000002", REVIEWER)
    auditor = group_operator("CC-1000000003", AUDITOR)
    catalog = group_operator("CC-1000000004", CATALOG)
    for path in (QUEUE, f"/admin/employers/{nit}"):
        assert as_group(env, reviewer, REVIEWER, "GET", path)[0] == 200
        assert as_group(env, auditor, AUDITOR, "GET", path)[0] == 200
        assert as_group(env, catalog, CATALOG, "GET", path)[0] == 403
    assert as_group(env, reviewer, REVIEWER, "GET", f"/admin/employers/{nit}/rut")[0] == 200
    assert as_group(env, auditor, AUDITOR, "GET", f"/admin/employers/{nit}/rut")[0] == 403
    assert as_group(env, catalog, CATALOG, "GET", f"/admin/employers/{nit}/rut")[0] == 403
    assert env.audit(nit).count("RUT_VIEWED") == 1
