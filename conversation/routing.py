"""Which conversation a reply belongs to: pure logic, no I/O, no clock of its own.

A reply goes to the order or return that last texted the number within the reply window.
With several, Herald asks which one (a short numbered list) rather than guessing; with
none, the customer gets a helpful answer and the reply is recorded by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.milestones import Kind
from messaging.bidi import lay_out
from messaging.brand import Brand
from messaging.locales import parse_tag, text_direction

MAX_OPTIONS = 5  # a longer list no longer fits a short SMS
_MAX_REFERENCE_SHOWN = 14


@dataclass(frozen=True)
class ActiveConversation:
    workflow_id: str
    kind: Kind
    reference: str
    last_message_at: datetime  # aware; when Herald last texted the number about it
    locale: str | None = None  # the customer's, for the texts Herald answers with


@dataclass(frozen=True)
class RouteTo:
    conversation: ActiveConversation


@dataclass(frozen=True)
class AskWhichOne:
    prompt: str  # the numbered question to text back
    options: tuple[ActiveConversation, ...]  # option n is options[n - 1]

    def choose(self, number: int) -> ActiveConversation | None:
        """The conversation the customer's "1", "2"... names; None when out of range."""
        return self.options[number - 1] if 1 <= number <= len(self.options) else None


@dataclass(frozen=True)
class NoConversation:
    reply: str  # a helpful answer: nothing is active for this number


Route = RouteTo | AskWhichOne | NoConversation

# Spelled in full in the templates' register: English, German, Italian and Dutch stay
# GSM-7 (one segment with three options, two with MAX_OPTIONS long references); the
# other Latin-script languages need UCS-2 for their letters. Japanese, Chinese and
# Arabic need UCS-2: two segments with three options, three with MAX_OPTIONS. The brand
# opens each (the linter wants it; Japanese and Chinese put it in 【】 as their
# templates do).
_KIND_WORDS: dict[str, dict[Kind, str]] = {
    "en": {Kind.ORDER: "order", Kind.RETURN: "return"},
    "es": {Kind.ORDER: "pedido", Kind.RETURN: "devolución"},
    "fr": {Kind.ORDER: "commande", Kind.RETURN: "retour"},
    "de": {Kind.ORDER: "Bestellung", Kind.RETURN: "Retoure"},
    "pt": {Kind.ORDER: "pedido", Kind.RETURN: "devolução"},
    "it": {Kind.ORDER: "ordine", Kind.RETURN: "reso"},
    "nl": {Kind.ORDER: "bestelling", Kind.RETURN: "retour"},
    "pl": {Kind.ORDER: "zamówienie", Kind.RETURN: "zwrot"},
    "tr": {Kind.ORDER: "sipariş", Kind.RETURN: "iade"},
    "ja": {Kind.ORDER: "注文", Kind.RETURN: "返品"},
    "zh": {Kind.ORDER: "订单", Kind.RETURN: "退货"},
    "ar": {Kind.ORDER: "طلب", Kind.RETURN: "مرتجع"},
}
_WHICH_ONE: dict[str, str] = {
    "en": "{brand}: which one is your message about? {options}. Reply with the number.",
    "es": "{brand}: ¿a cuál se refiere tu mensaje? {options}. Responde con el número.",
    "fr": "{brand} : votre message concerne lequel ? {options}. Répondez avec le numéro.",
    "de": "{brand}: Worum geht es in Ihrer Nachricht? {options}. Antworten Sie mit der Nummer.",
    "pt": "{brand}: sua mensagem é sobre qual? {options}. Responda com o número.",
    "it": "{brand}: a quale si riferisce il tuo messaggio? {options}. Rispondi con il numero.",
    "nl": "{brand}: over welke gaat je bericht? {options}. Antwoord met het nummer.",
    "pl": "{brand}: którego dotyczy Twoja wiadomość? {options}. Odpisz numerem.",
    "tr": "{brand}: mesajınız hangisiyle ilgili? {options}. Numarayla yanıt verin.",
    "ja": "【{brand}】どの件についてのメッセージですか？{options}。番号で返信してください。",
    "zh": "【{brand}】您的消息是关于哪一项？{options}。请回复序号。",
    "ar": "{brand}: رسالتك بخصوص أي منها؟ {options}. أرسل الرقم.",
}
_NOTHING_ACTIVE: dict[str, str] = {
    "en": (
        "{brand}: we found no recent order or return for this number. "
        "Help: {support}. Reply STOP to opt out."
    ),
    "es": (
        "{brand}: no encontramos pedidos ni devoluciones recientes. "
        "Ayuda: {support}. Para darte de baja, responde BAJA."
    ),
    "fr": (
        "{brand} : aucune commande ni aucun retour récent pour ce numéro. "
        "Aide : {support}. Pour vous désinscrire, répondez STOP."
    ),
    "de": (
        "{brand}: Zu dieser Nummer finden wir keine aktuelle Bestellung oder Retoure. "
        "Hilfe: {support}. Abmelden: STOP antworten."
    ),
    "pt": (
        "{brand}: não encontramos pedidos ou devoluções recentes para este número. "
        "Ajuda: {support}. Para sair, responda SAIR."
    ),
    "it": (
        "{brand}: non troviamo ordini o resi recenti per questo numero. "
        "Assistenza: {support}. Per non ricevere più SMS rispondi STOP."
    ),
    "nl": (
        "{brand}: we vinden geen recente bestelling of retour voor dit nummer. "
        "Hulp: {support}. Afmelden? Antwoord STOP."
    ),
    "pl": (
        "{brand}: nie znaleźliśmy ostatnich zamówień ani zwrotów dla tego numeru. "
        "Pomoc: {support}. Rezygnacja: odpisz STOP."
    ),
    "tr": (
        "{brand}: bu numaraya ait yakın tarihli sipariş veya iade bulamadık. "
        "Yardım: {support}. Mesaj almamak için RET yazın."
    ),
    "ja": (
        "【{brand}】この番号への最近のご注文・返品は見つかりませんでした。"
        "お問い合わせ：{support}。配信停止は「停止」と返信してください。"
    ),
    "zh": "【{brand}】未找到此号码近期的订单或退货。帮助：{support}。回复TD退订。",
    "ar": (
        "{brand}: لم نجد طلبات أو مرتجعات حديثة لهذا الرقم. "
        "للمساعدة: {support}. للإلغاء أرسل «إيقاف»."
    ),
}


def route_reply(
    conversations: Sequence[ActiveConversation],
    *,
    now: datetime,
    reply_window: timedelta,
    brand: Brand,
    locale: str | None = None,
) -> Route:
    """Where a reply from one number goes, given the conversations that texted it."""
    recent = active_within(conversations, now=now, reply_window=reply_window)
    if not recent:
        return NoConversation(reply=no_conversation_text(brand, locale))
    if len(recent) == 1:
        return RouteTo(recent[0])
    options = tuple(recent[:MAX_OPTIONS])
    return AskWhichOne(prompt=which_one_text(options, brand, locale), options=options)


def active_within(
    conversations: Sequence[ActiveConversation], *, now: datetime, reply_window: timedelta
) -> list[ActiveConversation]:
    """Conversations inside the window, most recent first, one per workflow."""
    latest: dict[str, ActiveConversation] = {}
    for conversation in conversations:
        if now - conversation.last_message_at > reply_window:
            continue
        known = latest.get(conversation.workflow_id)
        if known is None or conversation.last_message_at > known.last_message_at:
            latest[conversation.workflow_id] = conversation
    return sorted(latest.values(), key=lambda c: c.last_message_at, reverse=True)


def which_one_text(
    options: Sequence[ActiveConversation], brand: Brand, locale: str | None = None
) -> str:
    language = prompt_language(locale)
    words = _KIND_WORDS[language]
    listed = ", ".join(
        f"{number} {words[option.kind]} {_short(option.reference)}"
        for number, option in enumerate(options, 1)
    )
    text = _WHICH_ONE[language].format(brand=brand.name, options=listed)
    return lay_out(text, text_direction(language))


def no_conversation_text(brand: Brand, locale: str | None = None) -> str:
    language = prompt_language(locale)
    text = _NOTHING_ACTIVE[language].format(brand=brand.name, support=brand.support_contact)
    return lay_out(text, text_direction(language))


def prompt_language(locale: str | None) -> str:
    """The language of the prompts: one of the 12 shipped (pt-BR reads pt, zh-Hans zh);
    any other language reads English."""
    language = parse_tag(locale or "en").language
    return language if language in _WHICH_ONE else "en"


def _short(reference: str) -> str:
    if len(reference) <= _MAX_REFERENCE_SHOWN:
        return reference
    return "..." + reference[-(_MAX_REFERENCE_SHOWN - 3) :]  # the end tells orders apart
