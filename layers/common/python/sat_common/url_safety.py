"""Partner URL safety (SSRF): which URLs the platform may call on a CCF's behalf.

Decision docs/decisions/0051-partner-url-safety.md. `check_url` parses the URL, applies the syntactic
rules, resolves the host and checks EVERY address; the first rule that fails raises `UnsafeUrl(rule)`
with a Spanish message (sat_common.i18n FIELD_MESSAGES[field_key(rule)]). The result carries the
checked addresses so the caller can pin the connection to them (sat_common.outbound_http).

Rules, in the order they are checked:
    URL_TOO_LONG, URL_MALFORMED     over 2048 characters; not parseable, spaces/control characters, no host
    URL_SCHEME                      https only (http only for loopback with allow_loopback)
    URL_USERINFO                    no user:password@ in the URL
    URL_PORT                        443 only (any port on loopback with allow_loopback)
    URL_IPV4_NONCANONICAL           numeric hosts must be a canonical dotted quad (no 2130706433,
                                    0x7f000001, 0177.0.0.1, 127.1)
    URL_HOST_INVALID                not a valid DNS name (LDH labels, IDNA)
    URL_HOST_RESERVED_NAME          localhost, *.localhost, *.local, *.internal, *.localdomain, *.home.arpa,
                                    *.arpa, *.test, *.invalid, *.example, *.onion, *.lan, *.intranet, *.corp
    URL_HOST_NOT_QUALIFIED          single-label names (intranet short names)
    URL_DNS_FAILED                  the name does not resolve
    ADDRESS_*                       every resolved address must be globally routable (see _address_rule)

`allow_loopback` (env ALLOW_LOOPBACK_URLS, local runtime only; never set by the CDK app) lets
127.0.0.0/8 and ::1 through, on any port, over http or https: only loopback, nothing else.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sat_common.i18n import ENGLISH, FIELD_MESSAGES, SPANISH

MAX_URL_LENGTH = 2048
DEFAULT_PORT = 443
RESERVED_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "broadcasthost"})
# Special-use or private-use names (RFC 6761, RFC 6762, RFC 8375, RFC 7686, ICANN's .internal) and
# names commonly used inside corporate networks.
RESERVED_SUFFIXES = (
    "localhost",
    "local",
    "internal",
    "localdomain",
    "home.arpa",
    "arpa",
    "test",
    "invalid",
    "example",
    "onion",
    "lan",
    "intranet",
    "corp",
    "home",
)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_CANONICAL_QUAD = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")

# Ranges named by their own rule (Python's ipaddress flags cover most, not all, of them).
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_BROADCAST = ipaddress.ip_address("255.255.255.255")
_DOCUMENTATION = tuple(
    ipaddress.ip_network(net)
    for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "3fff::/20")
)
_NAT64 = tuple(ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48"))
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_IPV6_DISCARD = ipaddress.ip_network("100::/64")
_IPV4_RESERVED = tuple(
    ipaddress.ip_network(net) for net in ("0.0.0.0/8", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4")
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


class UnsafeUrl(ValueError):
    """The URL breaks `rule`; `message_es` says why, in Spanish (no secrets: the URL has no userinfo)."""

    def __init__(self, rule: str, detail: str = "") -> None:
        self.rule = rule
        self.detail = detail  # e.g. the offending address; safe to show
        super().__init__(f"{rule}{': ' + detail if detail else ''}")

    @property
    def message_es(self) -> str:
        return message(self.rule, SPANISH)

    @property
    def message_en(self) -> str:
        return message(self.rule, ENGLISH)

    @property
    def field_key(self) -> str:
        """Key of the field message in sat_common.i18n.FIELD_MESSAGES."""
        return field_key(self.rule)


def field_key(rule: str) -> str:
    """URL_SCHEME -> url_scheme, ADDRESS_LOOPBACK -> url_address_loopback."""
    return rule.lower() if rule.startswith("URL_") else f"url_{rule.lower()}"


def message(rule: str, lang: str = SPANISH) -> str:
    entry = FIELD_MESSAGES.get(field_key(rule))
    return entry[lang] if entry else rule


@dataclass(frozen=True)
class CheckedUrl:
    url: str  # as given (it passed every rule)
    scheme: str
    host: str  # lower-case, IDNA (A-label) form, no trailing dot; IPv6 without brackets
    port: int
    addresses: tuple[str, ...]  # every address the host resolved to, all checked; connect only to these
    loopback: bool = False  # True only when allow_loopback let a loopback address through


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


# Tests replace this (monkeypatch) to answer without DNS; handlers always use the system resolver.
resolver: Resolver = system_resolver


def check_url(url: str, allow_loopback: bool = False, resolve: Resolver | None = None) -> CheckedUrl:
    """Raise UnsafeUrl naming the first rule the URL breaks; otherwise the host, port and checked addresses."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl("URL_TOO_LONG")
    if not url or _FORBIDDEN_CHARS.search(url):
        raise UnsafeUrl("URL_MALFORMED")
    try:
        parts = urlsplit(url)
        raw_port = parts.port
    except ValueError as error:
        raise UnsafeUrl("URL_MALFORMED") from error
    scheme = parts.scheme.lower()
    if not parts.scheme:
        raise UnsafeUrl("URL_MALFORMED")
    if scheme not in {"https", "http"}:
        raise UnsafeUrl("URL_SCHEME")
    if not parts.netloc:
        raise UnsafeUrl("URL_MALFORMED")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UnsafeUrl("URL_USERINFO")
    host = (parts.hostname or "").rstrip(".") if parts.hostname else ""
    if not host:
        raise UnsafeUrl("URL_MALFORMED")
    port = raw_port if raw_port is not None else (DEFAULT_PORT if scheme == "https" else 80)
    if scheme != "https" and not allow_loopback:
        raise UnsafeUrl("URL_SCHEME")
    if port != DEFAULT_PORT and not allow_loopback:
        raise UnsafeUrl("URL_PORT", str(port))
    literal = _ip_literal(host, parts.netloc)
    if literal is None:
        host = _check_name(host)

    if literal is not None:
        addresses = [literal]
    else:
        try:
            answers = (resolve or resolver)(host, port)
        except (OSError, UnicodeError) as error:
            raise UnsafeUrl("URL_DNS_FAILED") from error
        if not answers:
            raise UnsafeUrl("URL_DNS_FAILED")
        addresses = []
        for answer in answers:
            try:
                addresses.append(ipaddress.ip_address(str(answer).split("%")[0]))
            except ValueError as error:
                raise UnsafeUrl("URL_DNS_FAILED") from error

    loopback_only = all(address.is_loopback for address in addresses)
    loopback_allowed = allow_loopback and loopback_only
    for address in addresses:
        rule = _address_rule(address)
        if rule == "ADDRESS_LOOPBACK" and loopback_allowed:
            continue
        if rule:
            raise UnsafeUrl(rule, str(address))
    if scheme != "https" and not loopback_allowed:
        raise UnsafeUrl("URL_SCHEME")
    if port != DEFAULT_PORT and not loopback_allowed:
        raise UnsafeUrl("URL_PORT", str(port))
    return CheckedUrl(
        url=url,
        scheme=scheme,
        host=host,
        port=port,
        addresses=tuple(str(address) for address in addresses),
        loopback=loopback_allowed,
    )


def _ip_literal(host: str, netloc: str) -> Address | None:
    """An IP literal host (IPv6 in brackets, or a canonical dotted quad); None for a name.

    A host whose last label is numeric is an IPv4 literal in the WHATWG URL standard and in many
    resolvers (inet_aton): unless it is the canonical a.b.c.d form, it is refused.
    """
    if "[" in netloc:
        try:
            address = ipaddress.ip_address(host.split("%")[0])
        except ValueError as error:
            raise UnsafeUrl("URL_MALFORMED") from error
        if not isinstance(address, ipaddress.IPv6Address) or "%" in host:
            raise UnsafeUrl("URL_MALFORMED")
        return address
    lowered = host.lower()
    last = lowered.split(".")[-1]
    if _NUMERIC_LABEL.match(last):
        if not _CANONICAL_QUAD.match(lowered):
            raise UnsafeUrl("URL_IPV4_NONCANONICAL")
        return ipaddress.IPv4Address(lowered)
    return None


def _check_name(host: str) -> str:
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise UnsafeUrl("URL_HOST_INVALID") from error
    labels = ascii_host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):  # digits written with non-ASCII characters (fullwidth, ...)
        raise UnsafeUrl("URL_IPV4_NONCANONICAL")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise UnsafeUrl("URL_HOST_INVALID")
    if ascii_host in RESERVED_NAMES or any(
        ascii_host == suffix or ascii_host.endswith("." + suffix) for suffix in RESERVED_SUFFIXES
    ):
        raise UnsafeUrl("URL_HOST_RESERVED_NAME")
    if len(labels) < 2:
        raise UnsafeUrl("URL_HOST_NOT_QUALIFIED")
    return ascii_host


def _address_rule(address: Address) -> str | None:
    """The rule a resolved address breaks, or None when it is globally routable unicast."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped
        if mapped is not None:
            inner = _address_rule(mapped)
            return "ADDRESS_IPV6_EMBEDDED_IPV4" if inner else None
        if any(address in net for net in _NAT64):
            return "ADDRESS_NAT64"
        if address in _IPV4_COMPATIBLE and address not in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")):
            return "ADDRESS_IPV6_EMBEDDED_IPV4"
        if address in _SIXTOFOUR or address in _TEREDO:
            return "ADDRESS_IPV6_EMBEDDED_IPV4"
    if address.is_unspecified:
        return "ADDRESS_UNSPECIFIED"
    if address.is_loopback:
        return "ADDRESS_LOOPBACK"
    if address.is_link_local:
        return "ADDRESS_LINK_LOCAL"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "ADDRESS_CGNAT"
    if address.is_multicast:
        return "ADDRESS_MULTICAST"
    if address == _BROADCAST:
        return "ADDRESS_BROADCAST"
    if any(address in net for net in _DOCUMENTATION if net.version == address.version):
        return "ADDRESS_DOCUMENTATION"
    if isinstance(address, ipaddress.IPv6Address) and (address in _SITE_LOCAL or address in _IPV6_DISCARD):
        return "ADDRESS_RESERVED"
    if isinstance(address, ipaddress.IPv4Address) and any(address in net for net in _IPV4_RESERVED):
        return "ADDRESS_RESERVED"
    if address.is_reserved:
        return "ADDRESS_RESERVED"
    if address.is_private:
        return "ADDRESS_PRIVATE"
    if not address.is_global:
        return "ADDRESS_NOT_GLOBAL"
    return None
