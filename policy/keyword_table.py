"""The reply keywords: a universal English set, one set per language, one per country.

A customer's reply is matched against the universal English set (CTIA's list: every
US and Canadian carrier honours it, and customers everywhere type STOP), the words of
their own language, and the words the carriers of their country recognise. A word of
another language never applies: "basta" or "si" are ordinary words to a Spanish reader.

Spelled as customers type them; matched in canonical form (capitals, no accents, no
spaces or punctuation), see :func:`policy.keywords.canonical`.
"""

from __future__ import annotations

from enum import StrEnum


class KeywordIntent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    CONFIRM_OPT_OUT = "confirm_opt_out"  # might be an opt-out: one clarifying question


OPT_OUT, OPT_IN, HELP = KeywordIntent.OPT_OUT, KeywordIntent.OPT_IN, KeywordIntent.HELP

UNIVERSAL: dict[KeywordIntent, frozenset[str]] = {
    OPT_OUT: frozenset(
        {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
    ),
    OPT_IN: frozenset({"START", "UNSTOP", "YES"}),
    HELP: frozenset({"HELP", "INFO"}),
}

BY_LANGUAGE: dict[str, dict[KeywordIntent, frozenset[str]]] = {
    "en": {
        OPT_OUT: frozenset({"STOP PLEASE", "UNSUBSCRIBE ME", "OPT OUT", "STOP TEXTING"}),
        OPT_IN: frozenset({"SUBSCRIBE"}),
        HELP: frozenset(),
    },
    "es": {
        OPT_OUT: frozenset({"BAJA", "ALTO", "PARAR", "CANCELAR", "DETENER", "PARA"}),
        OPT_IN: frozenset({"ALTA", "SI", "INICIAR"}),
        HELP: frozenset({"AYUDA"}),
    },
    "fr": {
        OPT_OUT: frozenset(
            {"ARRET", "ARRETE", "ARRETER", "ARRETEZ", "DESABONNER", "DESINSCRIRE", "FIN"}
        ),
        OPT_IN: frozenset({"OUI", "DEMARRER", "REABONNER"}),
        HELP: frozenset({"AIDE"}),
    },
    "de": {
        OPT_OUT: frozenset({"STOPP", "ABMELDEN", "ABBESTELLEN", "ENDE", "BEENDEN"}),
        OPT_IN: frozenset({"JA", "ANMELDEN"}),
        HELP: frozenset({"HILFE"}),
    },
    "it": {
        OPT_OUT: frozenset({"BASTA", "FERMA", "ANNULLA", "CANCELLA", "DISISCRIVI"}),
        OPT_IN: frozenset({"SI", "AVVIA", "ISCRIVI"}),
        HELP: frozenset({"AIUTO"}),
    },
    "pt": {
        OPT_OUT: frozenset({"SAIR", "PARAR", "CANCELAR", "DESCADASTRAR", "PARE"}),
        OPT_IN: frozenset({"SIM", "INICIAR", "VOLTAR"}),
        HELP: frozenset({"AJUDA"}),
    },
    "nl": {
        OPT_OUT: frozenset({"AFMELDEN", "UITSCHRIJVEN", "STOPPEN", "STOP ALLES"}),
        OPT_IN: frozenset({"JA", "AANMELDEN"}),
        HELP: frozenset({"HULP"}),
    },
    "pl": {
        OPT_OUT: frozenset({"KONIEC", "WYPISZ", "REZYGNUJĘ", "ANULUJ"}),
        OPT_IN: frozenset({"TAK", "ZAPISZ"}),
        HELP: frozenset({"POMOC"}),
    },
    "tr": {
        OPT_OUT: frozenset({"DUR", "DURDUR", "İPTAL", "ÇIK", "RET"}),
        OPT_IN: frozenset({"EVET", "BAŞLA"}),
        HELP: frozenset({"YARDIM"}),
    },
    # Japanese carriers' and mailing lists' wording: 配信停止/配信解除 ("stop/cancel delivery").
    "ja": {
        OPT_OUT: frozenset({"停止", "配信停止", "配信解除", "解除", "ストップ", "中止"}),
        OPT_IN: frozenset({"開始", "再開"}),
        HELP: frozenset({"ヘルプ"}),
    },
    # Mainland senders end every SMS with "回复TD退订" (reply TD to unsubscribe); many
    # accept T or N too, and 0000 is the operators' own "cancel my subscriptions".
    "zh": {
        OPT_OUT: frozenset({"TD", "T", "N", "退订", "取消", "取消订阅", "停止", "退", "0000"}),
        OPT_IN: frozenset({"订阅", "开始"}),
        HELP: frozenset({"帮助"}),
    },
    # Not ابدأ ("start"): without its hamza it reads أبداً, "never".
    "ar": {
        OPT_OUT: frozenset({"إيقاف", "توقف", "إلغاء", "إلغاء الاشتراك", "الغاء"}),
        OPT_IN: frozenset({"اشتراك", "اشترك"}),
        HELP: frozenset({"مساعدة"}),
    },
}

# What the carriers of a country recognise whatever the customer's language: Canada's
# French ARRET, Turkey's İYS "RET", the Dutch operators' STOP ALLES, Japan's 解除, China's
# TD. Keyed by ISO 3166 region, from the number or the locale (fr-CA, pt-BR).
BY_COUNTRY: dict[str, dict[KeywordIntent, frozenset[str]]] = {
    "CA": {OPT_OUT: frozenset({"ARRET", "ARRETE", "ARRETER"})},
    "TR": {OPT_OUT: frozenset({"RET", "IPTAL"})},
    "NL": {OPT_OUT: frozenset({"STOP ALLES", "STOPALLES"})},
    "BE": {OPT_OUT: frozenset({"STOP ALLES", "ARRET"})},
    "FR": {OPT_OUT: frozenset({"STOP SMS", "ARRET"})},
    "DE": {OPT_OUT: frozenset({"STOPP"})},
    "AT": {OPT_OUT: frozenset({"STOPP"})},
    "CH": {OPT_OUT: frozenset({"STOPP", "ARRET"})},
    "ES": {OPT_OUT: frozenset({"BAJA"})},
    "MX": {OPT_OUT: frozenset({"BAJA", "ALTO"})},
    "BR": {OPT_OUT: frozenset({"SAIR", "PARAR"})},
    "PT": {OPT_OUT: frozenset({"SAIR"})},
    "IT": {OPT_OUT: frozenset({"STOP SMS"})},
    "JP": {OPT_OUT: frozenset({"解除", "配信停止"})},
    "CN": {OPT_OUT: frozenset({"TD", "T", "N", "退订", "取消", "0000"})},
    "SA": {OPT_OUT: frozenset({"إلغاء", "توقف"})},
    "AE": {OPT_OUT: frozenset({"إلغاء", "توقف"})},
    "EG": {OPT_OUT: frozenset({"إلغاء", "توقف"})},
}
