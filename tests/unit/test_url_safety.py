"""sat_common.url_safety: the SSRF corpus (every URL refused, with the rule it trips) and accepted URLs
with a fake resolver (no DNS in tests)."""

import pytest

from sat_common import url_safety
from sat_common.url_safety import UnsafeUrl, check_url

DNS = {
    "api.caja.example.co": ["93.184.216.34"],
    "v6.caja.example.co": ["2606:2800:220:1:248:1893:25c8:1946"],
    "both.caja.example.co": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "xn--caja-compensacin-kvb.example.co": ["93.184.216.34"],
    # names that resolve to forbidden addresses (the DNS answer is what counts, not the name)
    "private.attacker.co": ["10.0.0.5"],
    "mixed.attacker.co": ["93.184.216.34", "192.168.1.1"],
    "loop.attacker.co": ["127.0.0.1"],
    "meta.attacker.co": ["169.254.169.254"],
    "cgnat.attacker.co": ["100.64.0.1"],
    "v6loop.attacker.co": ["::1"],
    "mapped.attacker.co": ["::ffff:10.0.0.1"],
    "nat64.attacker.co": ["64:ff9b::a9fe:a9fe"],
    "ula.attacker.co": ["fd12:3456::1"],
    "linklocal6.attacker.co": ["fe80::1"],
    "sixtofour.attacker.co": ["2002:a9fe:a9fe::1"],
    "teredo.attacker.co": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    "compat.attacker.co": ["::a9fe:a9fe"],
    "zero.attacker.co": ["0.0.0.0"],  # noqa: S104 - a DNS answer in the corpus, nothing binds
    "multicast.attacker.co": ["224.0.0.1"],
    "doc.attacker.co": ["192.0.2.10"],
    "bench.attacker.co": ["198.18.0.1"],
    "reserved.attacker.co": ["240.0.0.1"],
    "broadcast.attacker.co": ["255.255.255.255"],
    "sitelocal.attacker.co": ["fec0::1"],
    "doc6.attacker.co": ["2001:db8::1"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    if host in DNS:
        return DNS[host]
    raise OSError("NXDOMAIN")


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr(url_safety, "resolver", fake_resolver)


REFUSED = [
    # scheme, userinfo, port, syntax
    ("http://api.caja.example.co/", "URL_SCHEME"),
    ("ftp://api.caja.example.co/", "URL_SCHEME"),
    ("file:///etc/passwd", "URL_SCHEME"),
    ("gopher://api.caja.example.co:70/", "URL_SCHEME"),
    ("//api.caja.example.co/x", "URL_MALFORMED"),
    ("api.caja.example.co/x", "URL_MALFORMED"),
    ("https://user:pass@api.caja.example.co/", "URL_USERINFO"),
    ("https://api.caja.example.co@10.0.0.1/", "URL_USERINFO"),
    ("https://api.caja.example.co:8443/", "URL_PORT"),
    ("https://api.caja.example.co:22/", "URL_PORT"),
    ("https://api.caja.example.co:99999/", "URL_MALFORMED"),
    ("https://api.caja.example.co/ x", "URL_MALFORMED"),
    ("https://api.caja.example.co\\@10.0.0.1/", "URL_MALFORMED"),
    ("https://api.caja.example.co/\r\nHost: x", "URL_MALFORMED"),
    ("https://" + "a" * 2100 + ".co/", "URL_TOO_LONG"),
    ("https:///path", "URL_MALFORMED"),
    # non-canonical IPv4 literals
    ("https://2130706433/", "URL_IPV4_NONCANONICAL"),
    ("https://0x7f000001/", "URL_IPV4_NONCANONICAL"),
    ("https://0177.0.0.1/", "URL_IPV4_NONCANONICAL"),
    ("https://127.1/", "URL_IPV4_NONCANONICAL"),
    ("https://0x7f.0.0.1/", "URL_IPV4_NONCANONICAL"),
    ("https://10.0.0.010/", "URL_IPV4_NONCANONICAL"),
    ("https://３２３５.１/", "URL_IPV4_NONCANONICAL"),
    ("https://169.254.169.254.nip.io.1/", "URL_IPV4_NONCANONICAL"),
    # reserved / local names
    ("https://localhost/", "URL_HOST_RESERVED_NAME"),
    ("https://LOCALHOST./", "URL_HOST_RESERVED_NAME"),
    ("https://app.localhost/", "URL_HOST_RESERVED_NAME"),
    ("https://metadata.google.internal/", "URL_HOST_RESERVED_NAME"),
    ("https://printer.local/", "URL_HOST_RESERVED_NAME"),
    ("https://router.home.arpa/", "URL_HOST_RESERVED_NAME"),
    ("https://1.0.0.127.in-addr.arpa/", "URL_HOST_RESERVED_NAME"),
    ("https://servidor/", "URL_HOST_NOT_QUALIFIED"),
    ("https://under_score.caja.co/", "URL_HOST_INVALID"),
    ("https://-bad.caja.co/", "URL_HOST_INVALID"),
    ("https://nx.caja.example.co/", "URL_DNS_FAILED"),
    # IP literals
    ("https://127.0.0.1/", "ADDRESS_LOOPBACK"),
    ("https://[::1]/", "ADDRESS_LOOPBACK"),
    ("https://0.0.0.0/", "ADDRESS_UNSPECIFIED"),
    ("https://[::]/", "ADDRESS_UNSPECIFIED"),
    ("https://10.1.2.3/", "ADDRESS_PRIVATE"),
    ("https://172.16.0.1/", "ADDRESS_PRIVATE"),
    ("https://192.168.0.1/", "ADDRESS_PRIVATE"),
    ("https://169.254.169.254/latest/meta-data/", "ADDRESS_LINK_LOCAL"),
    ("https://[fe80::1]/", "ADDRESS_LINK_LOCAL"),
    ("https://[fe80::1%25eth0]/", "URL_MALFORMED"),
    ("https://100.64.0.1/", "ADDRESS_CGNAT"),
    ("https://100.127.255.254/", "ADDRESS_CGNAT"),
    ("https://224.0.0.251/", "ADDRESS_MULTICAST"),
    ("https://[ff02::1]/", "ADDRESS_MULTICAST"),
    ("https://255.255.255.255/", "ADDRESS_BROADCAST"),
    ("https://203.0.113.5/", "ADDRESS_DOCUMENTATION"),
    ("https://[2001:db8::5]/", "ADDRESS_DOCUMENTATION"),
    ("https://198.18.5.5/", "ADDRESS_RESERVED"),
    ("https://240.1.2.3/", "ADDRESS_RESERVED"),
    ("https://0.1.2.3/", "ADDRESS_RESERVED"),
    ("https://192.0.0.8/", "ADDRESS_RESERVED"),
    ("https://[fc00::1]/", "ADDRESS_PRIVATE"),
    ("https://[::ffff:127.0.0.1]/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://[::ffff:169.254.169.254]/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://[::ffff:7f00:1]/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://[::127.0.0.1]/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://[64:ff9b::7f00:1]/", "ADDRESS_NAT64"),
    ("https://[64:ff9b::808:808]/", "ADDRESS_NAT64"),
    ("https://[2002:7f00:1::1]/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    # names whose DNS answer is forbidden (every address counts)
    ("https://private.attacker.co/", "ADDRESS_PRIVATE"),
    ("https://mixed.attacker.co/", "ADDRESS_PRIVATE"),
    ("https://loop.attacker.co/", "ADDRESS_LOOPBACK"),
    ("https://meta.attacker.co/", "ADDRESS_LINK_LOCAL"),
    ("https://cgnat.attacker.co/", "ADDRESS_CGNAT"),
    ("https://v6loop.attacker.co/", "ADDRESS_LOOPBACK"),
    ("https://mapped.attacker.co/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://nat64.attacker.co/", "ADDRESS_NAT64"),
    ("https://ula.attacker.co/", "ADDRESS_PRIVATE"),
    ("https://linklocal6.attacker.co/", "ADDRESS_LINK_LOCAL"),
    ("https://sixtofour.attacker.co/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://teredo.attacker.co/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://compat.attacker.co/", "ADDRESS_IPV6_EMBEDDED_IPV4"),
    ("https://zero.attacker.co/", "ADDRESS_UNSPECIFIED"),
    ("https://multicast.attacker.co/", "ADDRESS_MULTICAST"),
    ("https://doc.attacker.co/", "ADDRESS_DOCUMENTATION"),
    ("https://bench.attacker.co/", "ADDRESS_RESERVED"),
    ("https://reserved.attacker.co/", "ADDRESS_RESERVED"),
    ("https://broadcast.attacker.co/", "ADDRESS_BROADCAST"),
    ("https://sitelocal.attacker.co/", "ADDRESS_RESERVED"),
    ("https://doc6.attacker.co/", "ADDRESS_DOCUMENTATION"),
]


def test_the_corpus_is_big_enough():
    assert len(REFUSED) >= 40


@pytest.mark.parametrize(("url", "rule"), REFUSED)
def test_refused_with_the_rule_it_trips(url, rule):
    with pytest.raises(UnsafeUrl) as caught:
        check_url(url)
    assert caught.value.rule == rule
    assert "(regla " + rule + ")" in caught.value.message_es  # Spanish, naming the rule
    assert "(rule " + rule + ")" in caught.value.message_en


@pytest.mark.parametrize(("url", "rule"), REFUSED)
def test_the_local_setting_only_lets_loopback_through(url, rule):
    if rule == "ADDRESS_LOOPBACK":
        assert check_url(url, allow_loopback=True).loopback is True
        return
    if rule in {"URL_SCHEME", "URL_PORT"} and "api.caja.example.co" in url and url.startswith(("http:", "https:")):
        with pytest.raises(UnsafeUrl) as caught:  # a public host: https and 443 still required
            check_url(url, allow_loopback=True)
        assert caught.value.rule in {"URL_SCHEME", "URL_PORT"}
        return
    with pytest.raises(UnsafeUrl) as caught:
        check_url(url, allow_loopback=True)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("url", "host", "addresses"),
    [
        ("https://api.caja.example.co/sat/notificaciones", "api.caja.example.co", ("93.184.216.34",)),
        ("https://API.Caja.Example.CO:443/x?y=1", "api.caja.example.co", ("93.184.216.34",)),
        ("https://api.caja.example.co./x", "api.caja.example.co", ("93.184.216.34",)),
        ("https://v6.caja.example.co/", "v6.caja.example.co", ("2606:2800:220:1:248:1893:25c8:1946",)),
        (
            "https://both.caja.example.co/",
            "both.caja.example.co",
            ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
        ),
        ("https://caja-compensación.example.co/", "xn--caja-compensacin-kvb.example.co", ("93.184.216.34",)),
        ("https://93.184.216.34/token", "93.184.216.34", ("93.184.216.34",)),
        (
            "https://[2606:2800:220:1:248:1893:25c8:1946]/",
            "2606:2800:220:1:248:1893:25c8:1946",
            ("2606:2800:220:1:248:1893:25c8:1946",),
        ),
    ],
)
def test_accepted(url, host, addresses):
    checked = check_url(url)
    assert (checked.host, checked.port, checked.addresses, checked.loopback) == (host, 443, addresses, False)


def test_loopback_for_local_development_any_port_and_http():
    checked = check_url("http://127.0.0.1:8089/token", allow_loopback=True)
    assert checked.addresses == ("127.0.0.1",) and checked.port == 8089 and checked.loopback
    assert check_url("https://loop.attacker.co:9443/", allow_loopback=True).loopback
    # a name with a loopback AND a public address is not "loopback only": the normal rules apply
    DNS["half.attacker.co"] = ["127.0.0.1", "93.184.216.34"]
    with pytest.raises(UnsafeUrl) as caught:
        check_url("http://half.attacker.co/", allow_loopback=True)
    assert caught.value.rule == "ADDRESS_LOOPBACK"
    with pytest.raises(UnsafeUrl) as caught:
        check_url("https://[::ffff:127.0.0.1]/", allow_loopback=True)
    assert caught.value.rule == "ADDRESS_IPV6_EMBEDDED_IPV4"


def test_the_system_resolver_is_used_by_default(monkeypatch):
    monkeypatch.setattr(url_safety, "resolver", url_safety.system_resolver)
    with pytest.raises(UnsafeUrl) as caught:
        check_url("https://127.0.0.1/")  # literal: no DNS involved
    assert caught.value.rule == "ADDRESS_LOOPBACK"
