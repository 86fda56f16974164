"""The RUT upload slot is signed with SigV4 (S3 refuses SigV2 on buckets created after June 2020; botocore
falls back to SigV2 for presigned POSTs in us-east-1 and sa-east-1 unless the client says s3v4)."""

from tests.integration.test_delegation_flow import (  # noqa: F401 (the env fixture)
    MISMATCH_NIT,
    _mismatch,
    delegation_env,
)


def test_post_employers_rut_fields_are_sigv4_in_us_east_1(env):
    rep, slot = _mismatch(env)  # tests/conftest.py: AWS_DEFAULT_REGION us-east-1, where SigV2 was the default
    fields = {name.lower(): value for name, value in slot["fields"].items()}
    assert fields.get("x-amz-algorithm") == "AWS4-HMAC-SHA256", sorted(fields)
    assert "/us-east-1/s3/aws4_request" in fields["x-amz-credential"]
    assert "x-amz-signature" in fields and "signature" not in fields and "awsaccesskeyid" not in fields

    status, again = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)  # a new slot: same signature
    assert status in (200, 201), again
    assert again["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
