"""Password policy (NIST SP 800-63B-4 §3.1.1.2): length, no composition rules, no guessable passwords.

- at least 12 and at most 128 characters (Unicode code points after NFKC normalization; spaces count);
- not built on the person's own data (document number, names, surnames);
- not one of 414,570 common passwords (SecLists, password_lists/NOTICE.md), as typed, without spaces or
  separators, without accents, or with l33t digits read as letters;
- not easily guessed (decision 0025): zxcvbn must estimate at least 10^8 guesses, with three ranked lists
  added to its own (those common passwords, 39,799 frequent Spanish words, Spanish names and surnames), the
  service's own words and the person's data as user inputs, and the years up to 2099 seen as years. It is
  evaluated on the password as typed, on its compact form (no spaces, separators or accents: "contraseña
  segura 2026" is "contrasenasegura2026") and on its core with the digits and symbols around it priced
  apart ("password2026!!" is "password" + "2026!!"): the lowest estimate counts. Past zxcvbn's 72
  characters the password is estimated in 72-character pieces and the estimates multiplied;
- no composition rules (no "one capital letter and one symbol") and no periodic expiry.

Only the first violation is reported: the user fixes one thing at a time.
"""

import gzip
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sat_common import clock

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_GUESSES = 1e8  # zxcvbn's score 3, "safely unguessable"
MIN_PERSONAL_TOKEN = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input (it would answer 500): longer passwords go in pieces
LISTS = Path(__file__).resolve().parent / "password_lists"
# The service's own words: what a password for this portal is likely to be built on.
DOMAIN_WORDS: tuple[str, ...] = (
    "sat", "ministerio", "ministeriodesalud", "salud", "minsalud", "proteccion", "protección", "social",
    "seguridad", "miseguridadsocial", "sispro", "caja", "cajadecompensacion", "compensacion", "compensación",
    "familiar", "ccf", "eps", "afiliacion", "afiliación", "afiliado", "pension", "pensión", "registro", "portal",
    "usuario", "empresa", "empleador", "clave", "contraseña", "contrasena", "segura", "seguro", "colombia",
)  # fmt: skip
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_SEPARATORS = re.compile(r"[\s\-_.,;:·/\\|+*'\"`~]+")
_CORE = re.compile(r"^([\W\d_]*)([^\W\d_](?:.*[^\W\d_])?)([\W\d_]*)$", re.DOTALL)  # decoration, word(s), decoration

# Words that Spanish-speaking users in Colombia put in passwords and zxcvbn's English lists miss.
SPANISH_COMMON_WORDS: tuple[str, ...] = (
    "contraseña", "contrasena", "clave", "micontraseña", "miclave", "secreto", "colombia", "bogota", "bogotá",
    "medellin", "medellín", "cali", "barranquilla", "cartagena", "bucaramanga", "minsalud", "ministerio",
    "salud", "seguridad", "social", "miseguridadsocial", "sispro", "bienvenido", "hola", "amor", "teamo",
    "tequiero", "futbol", "fútbol", "millonarios", "nacional", "america", "junior", "santafe", "dios",
    "jesus", "jesús", "maria", "maría", "familia", "feliz", "princesa", "mama", "papa", "hijo", "hija",
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
    "noviembre", "diciembre", "lunes", "domingo", "cafe", "café",
)  # fmt: skip


@dataclass(frozen=True)
class Violation:
    rule: str  # also the key of its message in sat_common.i18n.FIELD_MESSAGES
    params: dict[str, object] = field(default_factory=dict)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _fold(text: str) -> str:
    """Lower case without accents, for "contains the person's name" comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def check(password: str, personal_data: Iterable[str | None] = ()) -> Violation | None:
    """The first rule the password breaks, or None when it is acceptable."""
    value = normalize(password)
    if len(value) < MIN_LENGTH:
        return Violation("password_too_short", {"min_length": MIN_LENGTH})
    if len(value) > MAX_LENGTH:
        return Violation("password_too_long", {"max_length": MAX_LENGTH})
    folded = _fold(value)
    compact = "".join(char for char in folded if char.isalnum())
    personal = [_fold(item) for item in personal_data if item]
    for item in personal:
        for part in item.split():
            token = "".join(char for char in part if char.isalnum())
            if len(token) >= MIN_PERSONAL_TOKEN and (token in folded or token in compact):
                return Violation("password_personal_data")
    if _listed(value) or _guesses(value, personal) < MIN_GUESSES:
        return Violation("password_common")
    return None


def _variants(password: str) -> list[str]:
    """The password as typed, without separators, and also without accents: in that order, no repeats."""
    spaced = _SEPARATORS.sub("", password)
    return list(dict.fromkeys([password, spaced, _fold(spaced)]))


def _listed(password: str) -> bool:
    common = _common_passwords()
    return any(item in common or item.translate(_LEET) in common for item in _variants(password.casefold()))


def _guesses(password: str, personal: list[str]) -> float:
    """zxcvbn's lowest estimate over the password's variants and their "core plus decoration" splits."""
    inputs = [*SPANISH_COMMON_WORDS, *DOMAIN_WORDS, *personal]
    lowest = math.inf
    for variant in _variants(password):
        lowest = min(lowest, _estimate(variant, inputs))
        split = _CORE.match(variant)
        if split and (split.group(1) or split.group(3)):  # the digits and symbols around a word, priced apart
            parts = [part for part in split.groups() if part]
            lowest = min(lowest, math.prod(_estimate(part, inputs) for part in parts))
    return lowest


def _estimate(text: str, inputs: list[str]) -> float:
    zxcvbn = _zxcvbn()
    pieces = [text[start : start + ZXCVBN_MAX_LENGTH] for start in range(0, len(text), ZXCVBN_MAX_LENGTH)]
    return math.prod(float(zxcvbn(piece, user_inputs=inputs)["guesses"]) for piece in pieces)


def _read_list(name: str) -> list[str]:
    with gzip.open(LISTS / name, "rt", encoding="utf-8") as lines:
        return [line for line in lines.read().split("\n") if line]


def _common_passwords() -> dict[str, int]:
    """The common passwords (password -> rank): zxcvbn's ranked copy, not a second one in memory."""
    _zxcvbn()
    from zxcvbn import matching

    ranked: dict[str, int] = matching.RANKED_DICTIONARIES["common_passwords"]
    return ranked


@cache
def _zxcvbn():  # type: ignore[no-untyped-def]
    """zxcvbn with the lists added, and years up to 2099 (its own stop at 2019): imported on first use
    (~0.3 s with the lists, paid once per container and only by password routes)."""
    from zxcvbn import matching, scoring, zxcvbn

    matching.add_frequency_lists(
        {
            "common_passwords": _read_list("common-passwords.txt.gz"),
            "spanish_words": _read_list("spanish-words.txt.gz"),
            "spanish_names": _read_list("spanish-names.txt.gz"),
        }
    )
    matching.REGEXEN["recent_year"] = re.compile(r"19\d\d|20\d\d")
    scoring.REFERENCE_YEAR = clock.now().year
    return zxcvbn
