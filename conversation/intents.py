"""What a customer's reply asks for: reschedule, a call back, help, a numbered choice...

STOP, START and HELP keywords, and opt-outs written as sentences, are recognized by
:mod:`policy.keywords` first, so consent is decided by its rules alone. Everything else is matched
against short phrases in the 12 shipped languages: Latin-script phrases word by word with
a small edit distance (customers type "reschedual", "cal me"), other scripts as
substrings (Japanese and Chinese have no spaces; Arabic joins prefixes to words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from policy.keywords import KeywordIntent, classify_reply, reply_language


class IntentKind(StrEnum):
    RESCHEDULE = "reschedule"
    CALL_ME = "call_me"
    HELP = "help"
    STOP = "stop"
    START = "start"
    CONFIRM_STOP = "confirm_stop"  # might be an opt-out: answered by one clarifying question
    CHOICE = "choice"  # a numbered answer to "which order?" or "which slot?"
    OTHER = "other"  # goes to support with the conversation attached


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    choice: int | None = None  # CHOICE only: the number the customer picked
    keyword: str | None = None  # set when a carrier keyword matched (consent path)
    language: str | None = None  # the language the reply was recognized in

    @property
    def is_consent_keyword(self) -> bool:
        """STOP, START, an exact HELP, an opt-out sentence or one that might be: answered by
        the consent store before anything else."""
        return self.keyword is not None


OTHER = Intent(IntentKind.OTHER)

_KEYWORD_KINDS = {
    KeywordIntent.OPT_OUT: IntentKind.STOP,
    KeywordIntent.OPT_IN: IntentKind.START,
    KeywordIntent.HELP: IntentKind.HELP,
    KeywordIntent.CONFIRM_OPT_OUT: IntentKind.CONFIRM_STOP,
}

# Written as customers type them; matched after normalization (lower case, no accents,
# punctuation as spaces, apostrophes dropped: "don't" -> "dont", "m'appeler" -> "mappeler").
PHRASES: dict[str, dict[IntentKind, tuple[str, ...]]] = {
    "en": {
        IntentKind.CALL_ME: (
            "call me",
            "callme",
            "call back",
            "callback",
            "call me back",
            "phone me",
            "ring me",
            "give me a call",
            "call please",
            "speak to someone",
            "talk to someone",
            "speak to a person",
            "talk to a person",
            "talk to a human",
        ),
        IntentKind.RESCHEDULE: (
            "reschedule",
            "rearrange",
            "change delivery date",
            "change the delivery date",
            "change delivery day",
            "change date",
            "change the date",
            "change day",
            "another day",
            "different day",
            "another time",
            "new date",
            "redeliver",
            "redelivery",
            "deliver again",
            "postpone",
            "move delivery",
            "move the delivery",
        ),
        IntentKind.HELP: ("help", "help me", "need help", "assistance", "support"),
    },
    "es": {
        IntentKind.CALL_ME: (
            "llamame",
            "llameme",
            "llamenme",
            "llamadme",
            "me llaman",
            "me pueden llamar",
            "devolver la llamada",
            "hablar con alguien",
            "quiero hablar",
        ),
        IntentKind.RESCHEDULE: (
            "reprogramar",
            "reprogramacion",
            "reagendar",
            "cambiar fecha",
            "cambiar la fecha",
            "cambiar entrega",
            "cambiar la entrega",
            "otro dia",
            "otra fecha",
            "nueva fecha",
            "aplazar",
        ),
        IntentKind.HELP: ("ayuda", "ayudame", "necesito ayuda"),
    },
    "fr": {
        IntentKind.CALL_ME: (
            "rappelez moi",
            "rappelle moi",
            "appelez moi",
            "appelle moi",
            "me rappeler",
            "mappeler",
            "mappelez",
            "rappel",
            "etre rappele",
        ),
        IntentKind.RESCHEDULE: (
            "reprogrammer",
            "replanifier",
            "changer la date",
            "changer de date",
            "autre jour",
            "autre date",
            "nouvelle date",
            "reporter",
            "decaler",
            "modifier la livraison",
            "changer la livraison",
            "nouvelle livraison",
        ),
        IntentKind.HELP: ("aide", "aidez moi", "aide moi", "besoin daide"),
    },
    "de": {
        IntentKind.CALL_ME: (
            "ruckruf",
            "zuruckrufen",
            "ruf mich an",
            "rufen sie mich an",
            "mich anrufen",
            "anrufen",
            "rufen mich an",
        ),
        IntentKind.RESCHEDULE: (
            "umplanen",
            "verschieben",
            "neuer termin",
            "neuen termin",
            "anderer termin",
            "anderen termin",
            "anderer tag",
            "anderen tag",
            "termin andern",
            "liefertermin andern",
            "neu zustellen",
            "neue zustellung",
        ),
        IntentKind.HELP: ("hilfe", "helfen", "brauche hilfe"),
    },
    "it": {
        IntentKind.CALL_ME: (
            "chiamami",
            "richiamami",
            "chiamatemi",
            "richiamatemi",
            "mi chiami",
            "mi richiami",
            "richiamare",
        ),
        IntentKind.RESCHEDULE: (
            "riprogrammare",
            "riprogramma",
            "spostare",
            "sposta la consegna",
            "cambiare data",
            "cambia data",
            "altro giorno",
            "nuova data",
            "rinviare",
        ),
        IntentKind.HELP: ("aiuto", "aiutami", "assistenza"),
    },
    "pt": {
        IntentKind.CALL_ME: (
            "me liga",
            "me ligue",
            "me ligar",
            "ligue para mim",
            "liga para mim",
            "retornar ligacao",
            "retorne a ligacao",
            "quero falar",
        ),
        IntentKind.RESCHEDULE: (
            "reagendar",
            "remarcar",
            "mudar data",
            "mudar a data",
            "mudar entrega",
            "outro dia",
            "outra data",
            "nova data",
            "adiar",
        ),
        IntentKind.HELP: ("ajuda", "me ajuda", "ajude", "preciso de ajuda"),
    },
    "nl": {
        IntentKind.CALL_ME: (
            "bel mij",
            "bel me",
            "bel mij terug",
            "bel me terug",
            "terugbellen",
            "graag bellen",
        ),
        IntentKind.RESCHEDULE: (
            "verzetten",
            "herplannen",
            "omplannen",
            "verplaatsen",
            "andere dag",
            "andere datum",
            "nieuwe datum",
            "opnieuw bezorgen",
        ),
        IntentKind.HELP: ("hulp", "help"),
    },
    "pl": {
        IntentKind.CALL_ME: (
            "zadzwon",
            "zadzwoncie",
            "oddzwon",
            "oddzwoncie",
            "prosze o telefon",
            "prosze o kontakt",
        ),
        IntentKind.RESCHEDULE: (
            "zmien termin",
            "zmiana terminu",
            "zmienic termin",
            "przeloz",
            "przelozyc",
            "inny termin",
            "inny dzien",
            "nowy termin",
        ),
        IntentKind.HELP: ("pomoc", "pomocy"),
    },
    "tr": {
        # Turkish builds questions by suffixes: "beni arar misiniz?", "erteleyebilir miyiz?".
        IntentKind.CALL_ME: (
            "beni ara",
            "beni arayin",
            "beni arar",
            "geri ara",
            "geri arayin",
            "arayin",
        ),
        IntentKind.RESCHEDULE: (
            "ertele",
            "erteleyin",
            "erteleyebilir",
            "ertelemek",
            "yeniden planla",
            "tarih degistir",
            "tarihi degistir",
            "baska gun",
            "baska bir gun",
            "yeni tarih",
        ),
        IntentKind.HELP: ("yardim", "yardim edin"),
    },
    "ja": {
        IntentKind.CALL_ME: ("電話", "折り返し", "コールバック"),
        IntentKind.RESCHEDULE: (
            "再配達",
            "日時変更",
            "日程変更",
            "配達日変更",
            "日付変更",
            # with the particle, as a sentence has it: "配達日を変更したい"
            "日時を変更",
            "日程を変更",
            "配達日を変更",
            "日付を変更",
            "お届け日を変更",
            "別の日",
            "延期",
            "リスケ",
        ),
        IntentKind.HELP: ("ヘルプ", "助けて", "問い合わせ"),
    },
    "zh": {
        IntentKind.CALL_ME: ("打电话", "回电", "致电", "联系我"),
        IntentKind.RESCHEDULE: (
            "改期",
            "改时间",
            "改日期",
            "重新安排",
            "重新派送",
            "再次派送",
            "换个时间",
            "改天",
            "延期",
        ),
        IntentKind.HELP: ("帮助", "帮忙", "求助"),
    },
    "ar": {
        IntentKind.CALL_ME: ("اتصل بي", "اتصلوا بي", "كلمني", "اتصال", "اتصل"),
        IntentKind.RESCHEDULE: (
            "اعادة جدولة",
            "تغيير الموعد",
            "تغيير موعد",
            "موعد اخر",
            "يوم اخر",
            "تاجيل",
        ),
        IntentKind.HELP: ("مساعدة", "ساعدني"),
    },
}

# A call back beats a reschedule ("call me to reschedule"); both beat a plain help.
_PRECEDENCE = (IntentKind.CALL_ME, IntentKind.RESCHEDULE, IntentKind.HELP)

# "don't call me", "ne pas rappeler", "nicht anrufen": the phrase is refused, not asked for.
_NEGATIONS = frozenset(
    {"dont", "not", "never", "pas", "nicht", "kein", "keine", "nao", "niet", "nie", "ne"}
)
_LONGEST_REPLY = 300  # past this it is a letter for support, not a command

_UNDECOMPOSABLE = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "ة": "ه", "ى": "ي"}
)
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lower case, accents and marks removed, punctuation as single spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(_UNDECOMPOSABLE).lower()
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = unicodedata.normalize("NFC", bare)  # kana voicing marks recombine
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", bare)).strip()


def classify(text: str, locale_hint: str | None = None, *, phone: str | None = None) -> Intent:
    """The intent of one inbound SMS. ``locale_hint`` (the customer's locale) decides which
    keywords apply and the language reported when a phrase exists in several, and is
    tried first; ``phone`` adds the keywords of its country's carriers."""
    keyword = classify_reply(text, locale_hint, phone=phone)
    if keyword is not None:
        return Intent(
            _KEYWORD_KINDS[keyword.intent],
            keyword=keyword.keyword,
            language=reply_language(keyword, locale_hint),
        )
    if len(text) > _LONGEST_REPLY:
        return OTHER
    choice = parse_choice(text)
    if choice is not None:
        return Intent(IntentKind.CHOICE, choice=choice)
    normalized = normalize(text)
    if not normalized:
        return OTHER
    languages = _languages_in_order(locale_hint)
    for kind in _PRECEDENCE:
        for language in languages:
            if any(_contains(normalized, p) for p in _NORMALIZED[language].get(kind, ())):
                return Intent(kind, language=language)
    return OTHER


def _languages_in_order(locale_hint: str | None) -> list[str]:
    hinted = normalize(locale_hint or "").split(" ")[0]
    return sorted(PHRASES, key=lambda language: language != hinted)


_CHOICE = re.compile(
    r"^(?:#|n[or°º]?\.?|nr\.?|num(?:ber|ero|ro)?\.?|n[uú]mero|option|opcion|opción|opção|"
    r"opcao|choix|choice|wahl|opzione|optie|opcja|secenek|seçenek|第)?\s*#?\s*"
    r"(\d{1,2})\s*(?:番|号|つ目|個目|\.|\))?\s*"
    r"(?:please|pls|plz|por favor|bitte|merci|grazie|obrigad[oa]|alstublieft|prosze|lutfen)?"
    r"\s*[.!]*$",
    re.IGNORECASE,
)


def parse_choice(text: str) -> int | None:
    """The number in "2", "#2", "option 2", "2.", "２番", "٢"; None for anything else."""
    match = _CHOICE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    number = int(match.group(1))  # int() reads any script's decimal digits
    return number if number >= 1 else None


def _contains(normalized: str, phrase: str) -> bool:
    if not phrase.isascii():
        return phrase in normalized or phrase.replace(" ", "") in normalized.replace(" ", "")
    words, wanted = normalized.split(" "), phrase.split(" ")
    for start in range(len(words) - len(wanted) + 1):
        window = words[start : start + len(wanted)]
        matches = all(_close(said, exp) for said, exp in zip(window, wanted, strict=True))
        if matches and not _negated(words[max(0, start - 2) : start]):
            return True
    return False


def _negated(preceding: list[str]) -> bool:
    return any(word in _NEGATIONS for word in preceding)


def _close(said: str, expected: str) -> bool:
    """Equal, or a typo away: one edit for words of 4+ letters, two for 7+. The first
    letter must match: typos rarely hit it, and "deliver" is not "redeliver"."""
    if said == expected:
        return True
    allowed = 2 if len(expected) >= 7 else 1 if len(expected) >= 4 else 0
    if allowed == 0 or len(said) < 3 or said[0] != expected[0]:
        return False
    return _edit_distance(said, expected, allowed) <= allowed


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with transpositions, stopping early once past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous_previous[j - 2] + 1)
            current.append(best)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


_NORMALIZED: dict[str, dict[IntentKind, tuple[str, ...]]] = {
    language: {kind: tuple(normalize(p) for p in phrases) for kind, phrases in kinds.items()}
    for language, kinds in PHRASES.items()
}
