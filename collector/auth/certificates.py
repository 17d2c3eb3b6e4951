"""Certificate auth: load the key and certificate once, sign a fresh client assertion per request.

The assertion is built here (RS256, `x5t`, `x5t#S256`, `x5c`, audience = the exact token
endpoint) so its header and lifetime follow contract §2.6 exactly; azure-identity's
ClientAssertionCredential sends it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from collector.core.errors import AuthError

ASSERTION_LIFETIME_SECONDS = 600


def _fail(reason: str) -> AuthError:
    return AuthError(f"client certificate could not be loaded: {reason}")


@dataclass(frozen=True)
class ClientCertificate:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def _matching(key: object, certificates: list[x509.Certificate]) -> ClientCertificate:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _fail("unsupported key type")
    public = key.public_key().public_numbers()
    for certificate in certificates:
        candidate = certificate.public_key()
        if isinstance(candidate, rsa.RSAPublicKey) and candidate.public_numbers() == public:
            others = tuple(c for c in certificates if c is not certificate)
            return ClientCertificate(key, certificate, (certificate, *others))
    raise _fail("no certificate matching the private key")


def load_pem(data: bytes, password: bytes | None) -> ClientCertificate:
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        certificates = []
    key_blocks = [block for label, block in _pem_blocks(data) if label.endswith(b"PRIVATE KEY")]
    if not key_blocks:
        raise _fail("no private key")
    try:
        key = serialization.load_pem_private_key(key_blocks[0], password=password)
    except TypeError:
        raise _fail("decryption failed") from None  # encrypted without a password, or vice versa
    except ValueError as error:
        raise _fail("decryption failed" if password else "invalid format") from error
    except Exception:
        raise _fail("unsupported key type") from None
    if not certificates:
        raise _fail("no certificate matching the private key")
    return _matching(key, certificates)


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", re.S)


def _pem_blocks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(label, block) for every PEM block in `data`."""
    return [(match.group(1), match.group(0)) for match in _PEM_BLOCK.finditer(data)]


def load_pkcs12(data: bytes, password: bytes | None) -> ClientCertificate:
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as error:
        reason = "decryption failed" if "password" in str(error).lower() else "invalid format"
        raise _fail(reason) from None
    if key is None:
        raise _fail("no private key")
    certificates = [c for c in [certificate, *extra] if c is not None]
    return _matching(key, certificates)


def load_certificate(data: bytes, password: str | None) -> ClientCertificate:
    secret = password.encode() if password else None
    return load_pem(data, secret) if b"-----BEGIN" in data else load_pkcs12(data, secret)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class CertificateAssertion:
    """Signs a new JWT client assertion for every token request; remembers the last one."""

    def __init__(self, certificate: ClientCertificate, client_id: str, token_endpoint: str) -> None:
        self._certificate = certificate
        self._client_id = client_id
        self._audience = token_endpoint
        self.last: str | None = None

    def __call__(self) -> str:
        der = self._certificate.certificate.public_bytes(serialization.Encoding.DER)
        header = {
            "alg": "RS256",
            "typ": "JWT",
            "x5t": _b64url(hashlib.sha1(der).digest()),
            "x5t#S256": _b64url(hashlib.sha256(der).digest()),
            "x5c": [
                base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
                for c in self._certificate.chain
            ],
        }
        now = int(time.time())
        claims = {
            "aud": self._audience,
            "iss": self._client_id,
            "sub": self._client_id,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        }
        signing_input = (
            f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        )
        signature = self._certificate.key.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        self.last = f"{signing_input}.{_b64url(signature)}"
        return self.last
