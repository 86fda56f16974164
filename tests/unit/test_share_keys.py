"""The CCF's public key or certificate (functions/share/public_keys.py), with keys generated here; and the
terms version the share area checks, which must be the catalog's."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa, x25519
from cryptography.x509.oid import NameOID

from share.public_keys import KeyProblem, parse

SPKI = (serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def pem(public_key) -> str:
    return public_key.public_bytes(*SPKI).decode()


def cert(private_key, not_before: datetime, not_after: datetime) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "caja.example.co")])
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(private_key, hashes.SHA256())
    )
    return built.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize(("bits", "expected"), [(2048, "RSA-2048"), (3072, "RSA-3072"), (4096, "RSA-4096")])
def test_rsa_2048_and_more(bits, expected):
    parsed = parse(pem(rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()))
    assert parsed.key_type == expected and parsed.form == "PUBLIC_KEY" and len(parsed.fingerprint) == 64


def test_rsa_pkcs1_public_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    text = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    assert parse(text).key_type == "RSA-2048"


def test_rsa_1024_refused():
    with pytest.raises(KeyProblem) as caught:
        parse(pem(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()))  # noqa: S505 - the test proves it is refused
    assert caught.value.key == "public_key_rsa_size" and caught.value.params == {"bits": 1024}


@pytest.mark.parametrize(("curve", "expected"), [(ec.SECP256R1(), "EC-P-256"), (ec.SECP384R1(), "EC-P-384")])
def test_ec_p256_and_p384(curve, expected):
    assert parse(pem(ec.generate_private_key(curve).public_key())).key_type == expected


@pytest.mark.parametrize(
    "make",
    [
        lambda: ec.generate_private_key(ec.SECP521R1()).public_key(),
        lambda: ec.generate_private_key(ec.SECP256K1()).public_key(),
        lambda: ed25519.Ed25519PrivateKey.generate().public_key(),
        lambda: x25519.X25519PrivateKey.generate().public_key(),
        lambda: dsa.generate_private_key(key_size=2048).public_key(),
    ],
)
def test_other_algorithms_refused(make):
    with pytest.raises(KeyProblem) as caught:
        parse(pem(make()))
    assert caught.value.key == "public_key_algorithm"


def test_certificates_valid_expired_and_not_yet_valid():
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    parsed = parse(cert(key, now - timedelta(days=1), now + timedelta(days=90)))
    assert parsed.form == "CERTIFICATE" and parsed.key_type == "EC-P-256" and parsed.not_after
    with pytest.raises(KeyProblem) as caught:
        parse(cert(key, now - timedelta(days=30), now - timedelta(days=1)))
    assert caught.value.key == "certificate_expired"
    with pytest.raises(KeyProblem) as caught:
        parse(cert(key, now + timedelta(days=1), now + timedelta(days=30)))
    assert caught.value.key == "certificate_not_yet_valid"
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - refused
    with pytest.raises(KeyProblem) as caught:
        parse(cert(weak, now - timedelta(days=1), now + timedelta(days=30)))
    assert caught.value.key == "public_key_rsa_size"


def test_private_keys_several_blocks_and_garbage_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    for text, problem in [
        (private, "public_key_private"),
        (pem(key.public_key()) + private, "public_key_private"),
        (pem(key.public_key()) * 2, "public_key_multiple"),
        ("hola", "public_key_invalid"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "public_key_invalid"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "public_key_invalid"),
        ("-----BEGIN OPENSSH PUBLIC KEY-----\nAAAA\n-----END OPENSSH PUBLIC KEY-----", "public_key_invalid"),
    ]:
        with pytest.raises(KeyProblem) as caught:
            parse(text)
        assert caught.value.key == problem, text[:40]
