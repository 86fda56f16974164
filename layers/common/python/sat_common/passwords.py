"""Password policy (NIST SP 800-63B-4 §3.1.1.2): length, no composition rules, no guessable passwords.

- at least 12 and at most 128 characters (Unicode code points after NFKC normalization; spaces count);
- not built on the person's own data (document number, names, surnames);
- not a common, breached or easily guessed password: zxcvbn (its lists of the most common
  passwords and words, keyboard patterns, sequences, repeats, dates, l33t) must estimate at least
  10^8 guesses (score 3), with Spanish words that are popular in Colombian passwords added;
- no composition rules (no "one capital letter and one symbol") and no periodic expiry.

Only the first violation is reported: the user fixes one thing at a time.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" (>= 10^8 guesses)
MIN_PERSONAL_TOKEN = 3

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
    if _guessable(value, personal):
        return Violation("password_common")
    return None


def _guessable(password: str, personal: list[str]) -> bool:
    from zxcvbn import zxcvbn  # imported on first use: ~30 ms, paid only by password routes

    result = zxcvbn(password, user_inputs=[*SPANISH_COMMON_WORDS, *personal])
    return int(result["score"]) < MIN_SCORE
