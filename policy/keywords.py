"""STOP, START and HELP: the carriers' reply keywords, in the 12 shipped languages.

A reply counts as a keyword when, ignoring case, accents, spaces and punctuation, it is
exactly one ("Stop.", " stop all ", "ARRÊT!", "opt-out", "「停止」", "ＳＴＯＰ", "إلغاء"),
as carriers and Twilio match them: a sentence that contains one is never a keyword.
Full-width forms, Arabic vowel signs, tatweel and hamza on alef are ignored too. Opting
out blocks every SMS from the brand until the number opts back in; HELP is answered with
the brand's help text in the keyword's language.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from messaging.brand import Brand


class KeywordIntent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


class KeywordMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    intent: KeywordIntent
    keyword: str  # canonical: capitals, no accents, no spaces
    languages: tuple[str, ...]  # every language that has this keyword, English first


# Spelled as customers type them; matched in their canonical form (see _canonical), which
# for Latin script is the spelling itself: capitals, no accents, no separators. STOP and
# START are understood everywhere; listing them per language lets the answer follow the
# customer's language.
KEYWORDS: dict[str, dict[KeywordIntent, frozenset[str]]] = {
    "en": {
        KeywordIntent.OPT_OUT: frozenset(
            {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
        ),
        KeywordIntent.OPT_IN: frozenset({"START", "YES", "UNSTOP"}),
        KeywordIntent.HELP: frozenset({"HELP", "INFO"}),
    },
    "es": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "BAJA", "ALTO", "PARAR", "CANCELAR", "DETENER"}),
        KeywordIntent.OPT_IN: frozenset({"ALTA", "SI"}),
        KeywordIntent.HELP: frozenset({"AYUDA"}),
    },
    "fr": {
        KeywordIntent.OPT_OUT: frozenset(
            {"STOP", "ARRET", "ARRETER", "DESABONNER", "DESINSCRIRE", "FIN"}
        ),
        KeywordIntent.OPT_IN: frozenset({"START", "OUI", "DEMARRER"}),
        KeywordIntent.HELP: frozenset({"AIDE"}),
    },
    "de": {
        KeywordIntent.OPT_OUT: frozenset(
            {"STOP", "STOPP", "ABMELDEN", "ABBESTELLEN", "ENDE", "BEENDEN"}
        ),
        KeywordIntent.OPT_IN: frozenset({"START", "JA", "ANMELDEN"}),
        KeywordIntent.HELP: frozenset({"HILFE"}),
    },
    "it": {
        KeywordIntent.OPT_OUT: frozenset(
            {"STOP", "BASTA", "FERMA", "ANNULLA", "CANCELLA", "DISISCRIVI"}
        ),
        KeywordIntent.OPT_IN: frozenset({"START", "SI", "AVVIA"}),
        KeywordIntent.HELP: frozenset({"AIUTO"}),
    },
    "pt": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "SAIR", "PARAR", "CANCELAR", "DESCADASTRAR"}),
        KeywordIntent.OPT_IN: frozenset({"SIM", "INICIAR"}),
        KeywordIntent.HELP: frozenset({"AJUDA"}),
    },
    "nl": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "AFMELDEN", "UITSCHRIJVEN", "STOPPEN"}),
        KeywordIntent.OPT_IN: frozenset({"START", "JA", "AANMELDEN"}),
        KeywordIntent.HELP: frozenset({"HULP"}),
    },
    "pl": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "KONIEC", "WYPISZ", "REZYGNUJE", "ANULUJ"}),
        KeywordIntent.OPT_IN: frozenset({"START", "TAK", "ZAPISZ"}),
        KeywordIntent.HELP: frozenset({"POMOC"}),
    },
    "tr": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "DUR", "DURDUR", "IPTAL", "CIK"}),
        KeywordIntent.OPT_IN: frozenset({"EVET", "BASLA"}),
        KeywordIntent.HELP: frozenset({"YARDIM"}),
    },
    # Japanese carriers' and mailing lists' wording: 配信停止/配信解除 ("stop/cancel delivery").
    "ja": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "停止", "配信停止", "配信解除", "ストップ"}),
        KeywordIntent.OPT_IN: frozenset({"START", "開始", "再開"}),
        KeywordIntent.HELP: frozenset({"ヘルプ"}),
    },
    # Mainland senders end every SMS with "回复TD退订" (reply TD to unsubscribe).
    "zh": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "TD", "退订", "取消订阅", "停止"}),
        KeywordIntent.OPT_IN: frozenset({"START", "订阅", "开始"}),
        KeywordIntent.HELP: frozenset({"帮助"}),
    },
    # Not ابدأ ("start"): without its hamza it reads أبداً, "never".
    "ar": {
        KeywordIntent.OPT_OUT: frozenset({"STOP", "إيقاف", "توقف", "إلغاء", "إلغاء الاشتراك"}),
        KeywordIntent.OPT_IN: frozenset({"START", "اشتراك", "اشترك"}),
        KeywordIntent.HELP: frozenset({"مساعدة"}),
    },
}

# Letters that Unicode decomposition leaves whole, and the Arabic letters SMS writers use
# interchangeably (ٱ for ا, ه for final ة, ى for final ي).
_UNDECOMPOSABLE = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ٱ": "ا", "ة": "ه", "ى": "ي"}
)
# Kana voicing marks are part of the letter (ブ is not フ); every other mark goes: Latin
# accents, Arabic vowel signs and the hamza that turns ا into أ, إ, آ.
_KANA_VOICING_MARKS = frozenset("\u3099\u309a")
# What is left of a keyword: Latin capitals and digits, kana (with ー), CJK ideographs and
# Arabic letters (tatweel, U+0640, is not one). Spaces, punctuation, emoji and other
# scripts are ignored, as before.
_NOT_KEYWORD_CHARACTER = re.compile(
    r"[^A-Z0-9\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff"
    r"\u0621-\u063a\u0641-\u064a]+"
)
_LONGEST_KEYWORD = 16  # longer replies are sentences, not keywords


def classify_reply(text: str) -> KeywordMatch | None:
    """The keyword ``text`` is, or None for anything else (a question, a thank-you...)."""
    canonical = _canonical(text)
    if not canonical or len(canonical) > _LONGEST_KEYWORD:
        return None
    found = [
        (language, intent)
        for language, intents in _CANONICAL_KEYWORDS.items()
        for intent, words in intents.items()
        if canonical in words
    ]
    if not found:
        return None
    return KeywordMatch(
        intent=found[0][1], keyword=canonical, languages=tuple(lang for lang, _ in found)
    )


def _canonical(text: str) -> str:
    """NFKD folds full-width and half-width forms (ＳＴＯＰ, ｽﾄｯﾌﾟ) and Arabic presentation
    forms to plain letters and splits off the marks dropped here."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    bare = "".join(
        c for c in decomposed if not unicodedata.combining(c) or c in _KANA_VOICING_MARKS
    )
    return _NOT_KEYWORD_CHARACTER.sub("", unicodedata.normalize("NFC", bare).upper())


_CANONICAL_KEYWORDS: dict[str, dict[KeywordIntent, frozenset[str]]] = {
    language: {intent: frozenset(map(_canonical, words)) for intent, words in intents.items()}
    for language, intents in KEYWORDS.items()
}


# Latin-script answers stay GSM-7 (one segment with a typical brand): accents outside it
# are left off, as SMS writers in those languages do. Japanese, Chinese and Arabic need
# UCS-2 and take two segments at most; Japanese and Chinese put the brand in 【】 as their
# templates do. Each names a keyword of its own language.
REPLIES: dict[str, dict[KeywordIntent, str]] = {
    "en": {
        KeywordIntent.HELP: (
            "{brand}: order and return updates. Help: {support}. "
            "Msg&data rates may apply. Reply STOP to opt out."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: you are unsubscribed and will get no more messages. "
            "Reply START to resubscribe."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: you are subscribed again to order and return updates. "
            "Reply HELP for help, STOP to opt out."
        ),
    },
    "es": {
        KeywordIntent.HELP: (
            "{brand}: avisos de pedidos y devoluciones. Ayuda: {support}. "
            "Pueden aplicarse tarifas. Responde BAJA para darte de baja."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: te has dado de baja y no te enviaremos mas mensajes. "
            "Responde ALTA para volver."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: vuelves a recibir avisos de pedidos y devoluciones. "
            "Responde BAJA para darte de baja."
        ),
    },
    "fr": {
        KeywordIntent.HELP: (
            "{brand}: suivi des commandes et des retours. Aide: {support}. "
            "Des frais peuvent s'appliquer. Répondez STOP pour vous désabonner."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: vous ne recevrez plus de messages. Répondez START pour vous réabonner."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: vous recevrez à nouveau le suivi de vos commandes. "
            "Répondez STOP pour vous désabonner."
        ),
    },
    "de": {
        KeywordIntent.HELP: (
            "{brand}: Infos zu Bestellungen und Retouren. Hilfe: {support}. "
            "Es können Gebühren anfallen. Antworte STOPP zum Abmelden."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: Du bist abgemeldet und erhältst keine Nachrichten mehr. "
            "Antworte START zum Anmelden."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: Du bist wieder angemeldet für Infos zu Bestellungen und Retouren. "
            "Antworte STOPP zum Abmelden."
        ),
    },
    "it": {
        KeywordIntent.HELP: (
            "{brand}: aggiornamenti su ordini e resi. Assistenza: {support}. "
            "Possono essere applicati costi. Rispondi STOP per disiscriverti."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: non riceverai più messaggi. Rispondi START per iscriverti di nuovo."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: riceverai di nuovo gli aggiornamenti su ordini e resi. "
            "Rispondi STOP per disiscriverti."
        ),
    },
    "pt": {
        KeywordIntent.HELP: (
            "{brand}: avisos de pedidos e trocas. Ajuda: {support}. "
            "Podem ser cobradas tarifas. Responda SAIR para cancelar."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: voce nao recebera mais mensagens. Responda INICIAR para voltar a receber."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: voce voltou a receber avisos de pedidos e trocas. "
            "Responda SAIR para cancelar."
        ),
    },
    "nl": {
        KeywordIntent.HELP: (
            "{brand}: berichten over bestellingen en retouren. Hulp: {support}. "
            "Er kunnen kosten gelden. Antwoord STOP om je af te melden."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: je bent afgemeld en krijgt geen berichten meer. "
            "Antwoord START om je weer aan te melden."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: je krijgt weer berichten over bestellingen en retouren. "
            "Antwoord STOP om je af te melden."
        ),
    },
    "pl": {
        KeywordIntent.HELP: (
            "{brand}: powiadomienia o zamowieniach i zwrotach. Pomoc: {support}. "
            "Moga obowiazywac oplaty. Odpisz STOP, aby zrezygnowac."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: wypisano Cie z powiadomien, nie dostaniesz wiecej wiadomosci. "
            "Odpisz START, aby wrocic."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: znow dostaniesz powiadomienia o zamowieniach i zwrotach. "
            "Odpisz STOP, aby zrezygnowac."
        ),
    },
    "tr": {
        KeywordIntent.HELP: (
            "{brand}: siparis ve iade bildirimleri. Yardim: {support}. "
            "Ucret uygulanabilir. Ayrilmak icin IPTAL yazin."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: aboneliginiz iptal edildi, artik mesaj almayacaksiniz. "
            "Geri donmek icin BASLA yazin."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: siparis ve iade bildirimlerine yeniden abone oldunuz. "
            "Ayrilmak icin IPTAL yazin."
        ),
    },
    "ja": {
        KeywordIntent.HELP: (
            "【{brand}】注文・返品のお知らせ。お問い合わせ：{support}。"
            "通信料がかかる場合があります。配信停止は「停止」と返信してください。"
        ),
        KeywordIntent.OPT_OUT: (
            "【{brand}】配信を停止しました。今後メッセージは届きません。"
            "再開するには「開始」と返信してください。"
        ),
        KeywordIntent.OPT_IN: (
            "【{brand}】注文・返品のお知らせの配信を再開しました。"
            "配信停止は「停止」と返信してください。"
        ),
    },
    "zh": {
        KeywordIntent.HELP: (
            "【{brand}】订单和退货通知。帮助：{support}。可能产生短信和流量费用。回复TD退订。"
        ),
        KeywordIntent.OPT_OUT: ("【{brand}】您已退订，将不再收到消息。回复“订阅”可重新订阅。"),
        KeywordIntent.OPT_IN: ("【{brand}】您已重新订阅订单和退货通知。回复TD退订。"),
    },
    "ar": {
        KeywordIntent.HELP: (
            "{brand}: إشعارات الطلبات والمرتجعات. للمساعدة: {support}. "
            "قد تطبق رسوم الرسائل والبيانات. للإلغاء أرسل «إيقاف»."
        ),
        KeywordIntent.OPT_OUT: (
            "{brand}: تم إلغاء اشتراكك ولن تصلك رسائل أخرى. أرسل «اشتراك» للاشتراك من جديد."
        ),
        KeywordIntent.OPT_IN: (
            "{brand}: تم تجديد اشتراكك في إشعارات الطلبات والمرتجعات. أرسل «إيقاف» لإلغاء الاشتراك."
        ),
    },
}


def reply_language(match: KeywordMatch, locale: str | None = None) -> str:
    """The customer's language when the keyword exists in it, else the keyword's own."""
    preferred = (locale or "").split("-")[0].split("_")[0].lower()
    return preferred if preferred in match.languages else match.languages[0]


def reply_text(intent: KeywordIntent, brand: Brand, language: str = "en") -> str:
    """The brand's answer to a keyword: the HELP text, or the opt-out/opt-in confirmation."""
    template = REPLIES.get(language, REPLIES["en"])[intent]
    return template.format(brand=brand.name, support=brand.support_contact)


def help_text(brand: Brand, language: str = "en") -> str:
    return reply_text(KeywordIntent.HELP, brand, language)
