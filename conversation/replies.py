"""What Herald texts back during a conversation: slot offers, confirmations, call-back
promises and the acknowledgement of a reply handed to support.

Pure functions over the facts; dates and hours in the customer's locale and time zone.
Every text opens with the brand (the linter wants it; Japanese and Chinese put it in 【】
as their templates do) and is smart-encoded like templates: look-alike punctuation
folds, letters never do. Each language is spelled in full and in the register of its
templates (see each locale's ``glossary.toml``); English, German, Italian and Dutch stay
GSM-7, the others need UCS-2. All 12 shipped languages are written out (pt-BR reads pt,
zh-Hans reads zh); any other language reads English. Arabic opens with a right-to-left
mark so phones lay it out right to left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from messaging.bidi import lay_out
from messaging.brand import Brand
from messaging.formatting import Formatter
from messaging.locales import parse_tag, text_direction
from messaging.smart_encoding import smart_encode


@dataclass(frozen=True)
class OfferedSlot:
    start: datetime
    end: datetime


# Two GSM-7 segments at most with the brand and the instructions. In UCS-2, Japanese and
# Chinese fit four slots in three segments, but Arabic does not: its weekday, date and
# "ص/م" hours take about 34 characters a slot, so four slots cost four segments (three
# would fit in three). Arabic still gets four: a choice too few costs a call to support.
MAX_SLOTS_OFFERED = 4

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "offer": "{brand}: choose a new delivery time for {reference}: {slots}. "
        "Reply with the number.",
        "no_slots": "{brand}: no other delivery time is free for {reference} right now. "
        "Reply CALL ME and we will call you.",
        "confirmed": "{brand}: done, {reference} will be delivered {slot}.",
        "callback": "{brand}: we will call you about {reference} within {hours} hours.",
        "to_support": "{brand}: thanks, your message about {reference} went to our support "
        "team. They will reply soon.",
        "bad_choice": "{brand}: please reply with a number from 1 to {count}.",
    },
    "es": {
        "offer": "{brand}: elige una nueva franja de entrega para {reference}: {slots}. "
        "Responde con el número.",
        "no_slots": "{brand}: ahora mismo no queda otra franja libre para {reference}. "
        "Responde LLÁMAME y te llamamos.",
        "confirmed": "{brand}: hecho, entregaremos {reference} {slot}.",
        "callback": "{brand}: te llamaremos por {reference} en las próximas {hours} horas.",
        "to_support": "{brand}: gracias, hemos pasado tu mensaje sobre {reference} a "
        "nuestro equipo de atención al cliente. Te responderán pronto.",
        "bad_choice": "{brand}: responde con un número del 1 al {count}.",
    },
    "fr": {
        "offer": "{brand} : choisissez un nouveau créneau de livraison pour {reference} : "
        "{slots}. Répondez avec le numéro.",
        "no_slots": "{brand} : aucun autre créneau n'est libre pour {reference} pour "
        "l'instant. Répondez RAPPELEZ-MOI et nous vous appellerons.",
        "confirmed": "{brand} : c'est noté, {reference} vous sera livré {slot}.",
        "callback": "{brand} : nous vous appellerons au sujet de {reference} d'ici {hours} heures.",
        "to_support": "{brand} : merci, votre message concernant {reference} a été transmis "
        "à notre service client, qui vous répondra rapidement.",
        "bad_choice": "{brand} : répondez avec un numéro de 1 à {count}.",
    },
    "de": {
        "offer": "{brand}: Wählen Sie einen neuen Liefertermin für {reference}: {slots}. "
        "Antworten Sie mit der Nummer.",
        "no_slots": "{brand}: Für {reference} ist gerade kein anderer Liefertermin frei. "
        "Antworten Sie RÜCKRUF, dann rufen wir Sie an.",
        "confirmed": "{brand}: Erledigt, {reference} wird {slot} geliefert.",
        "callback": "{brand}: Wir rufen Sie wegen {reference} innerhalb von {hours} Stunden an.",
        "to_support": "{brand}: Danke, Ihre Nachricht zu {reference} ist an unseren "
        "Kundenservice gegangen. Wir melden uns bald.",
        "bad_choice": "{brand}: Bitte antworten Sie mit einer Zahl von 1 bis {count}.",
    },
    "pt": {
        "offer": "{brand}: escolha um novo horário de entrega para {reference}: {slots}. "
        "Responda com o número.",
        "no_slots": "{brand}: no momento não há outro horário livre para {reference}. "
        "Responda ME LIGUE e ligamos para você.",
        "confirmed": "{brand}: pronto, {reference} será entregue {slot}.",
        "callback": "{brand}: vamos ligar para você sobre {reference} em até {hours} horas.",
        "to_support": "{brand}: obrigado, sua mensagem sobre {reference} foi enviada ao "
        "nosso atendimento. Em breve você terá uma resposta.",
        "bad_choice": "{brand}: responda com um número de 1 a {count}.",
    },
    "it": {
        "offer": "{brand}: scegli una nuova fascia di consegna per {reference}: {slots}. "
        "Rispondi con il numero.",
        "no_slots": "{brand}: al momento non ci sono altre fasce libere per {reference}. "
        "Rispondi CHIAMAMI e ti chiameremo.",
        "confirmed": "{brand}: fatto, consegneremo {reference} {slot}.",
        "callback": "{brand}: ti chiameremo per {reference} entro {hours} ore.",
        "to_support": "{brand}: grazie, abbiamo inoltrato il tuo messaggio su {reference} "
        "al servizio clienti. Ti risponderanno presto.",
        "bad_choice": "{brand}: rispondi con un numero da 1 a {count}.",
    },
    "nl": {
        "offer": "{brand}: kies een nieuw bezorgmoment voor {reference}: {slots}. "
        "Antwoord met het nummer.",
        "no_slots": "{brand}: er is nu geen ander bezorgmoment vrij voor {reference}. "
        "Antwoord BEL MIJ en we bellen je.",
        "confirmed": "{brand}: geregeld, {reference} wordt bezorgd op {slot}.",
        "callback": "{brand}: we bellen je over {reference} binnen {hours} uur.",
        "to_support": "{brand}: bedankt, je bericht over {reference} is doorgestuurd naar "
        "onze klantenservice. Je krijgt snel antwoord.",
        "bad_choice": "{brand}: antwoord met een nummer van 1 tot {count}.",
    },
    "pl": {
        "offer": "{brand}: wybierz nowy termin dostawy {reference}: {slots}. Odpisz numerem.",
        "no_slots": "{brand}: nie ma teraz innego wolnego terminu dostawy {reference}. "
        "Odpisz ZADZWOŃ, a oddzwonimy.",
        # "termin" keeps the sentence free of the order's or the return's grammatical gender.
        "confirmed": "{brand}: gotowe, nowy termin dostawy {reference}: {slot}.",
        # "godz." reads right for any number of hours.
        "callback": "{brand}: zadzwonimy w sprawie {reference} w ciągu {hours} godz.",
        "to_support": "{brand}: dziękujemy, Twoja wiadomość o {reference} trafiła do naszego "
        "działu obsługi klienta. Odpowiemy wkrótce.",
        "bad_choice": "{brand}: odpisz numerem od 1 do {count}.",
    },
    "tr": {
        "offer": "{brand}: {reference} için yeni bir teslimat zamanı seçin: {slots}. "
        "Numarayla yanıt verin.",
        "no_slots": "{brand}: şu anda {reference} için başka uygun teslimat zamanı yok. "
        "BENİ ARA yazın, sizi arayalım.",
        "confirmed": "{brand}: tamamdır, {reference} {slot} tarihinde teslim edilecek.",
        "callback": "{brand}: {reference} hakkında sizi {hours} saat içinde arayacağız.",
        "to_support": "{brand}: teşekkürler, {reference} hakkındaki mesajınızı destek "
        "ekibimize ilettik. Kısa süre içinde dönüş yapacaklar.",
        "bad_choice": "{brand}: lütfen 1 ile {count} arasında bir numara yazın.",
    },
    "ja": {
        "offer": "【{brand}】{reference}の新しいお届け日時をお選びください：{slots}。"
        "番号で返信してください。",
        "no_slots": "【{brand}】現在、{reference}のお届け日時に他の空きがありません。"
        "「電話」と返信いただければお電話します。",
        "confirmed": "【{brand}】承りました。{reference}は{slot}にお届けします。",
        "callback": "【{brand}】{reference}について{hours}時間以内にお電話します。",
        "to_support": "【{brand}】ありがとうございます。{reference}についてのメッセージを"
        "サポート担当に転送しました。まもなくご連絡します。",
        "bad_choice": "【{brand}】1～{count}の番号で返信してください。",
    },
    "zh": {
        "offer": "【{brand}】请为{reference}选择新的配送时间：{slots}。请回复序号。",
        "no_slots": "【{brand}】目前{reference}没有其他可选的配送时间。回复“回电”，我们将致电您。",
        "confirmed": "【{brand}】已完成，{reference}将于{slot}送达。",
        "callback": "【{brand}】我们将在{hours}小时内就{reference}致电您。",
        "to_support": "【{brand}】谢谢，您关于{reference}的消息已转交我们的客服团队，"
        "他们会尽快回复您。",
        "bad_choice": "【{brand}】请回复1到{count}之间的序号。",
    },
    # "خلال 24 ساعة": the singular counted noun is right for 11 to 99 hours.
    "ar": {
        "offer": "{brand}: اختر موعداً جديداً لتوصيل {reference}: {slots}. أرسل الرقم.",
        "no_slots": "{brand}: لا يوجد حالياً موعد توصيل آخر متاح لـ {reference}. "
        "أرسل «اتصل بي» وسنتصل بك.",
        "confirmed": "{brand}: تم، سيصلك {reference} في {slot}.",
        "callback": "{brand}: سنتصل بك بخصوص {reference} خلال {hours} ساعة.",
        "to_support": "{brand}: شكراً، أرسلنا رسالتك بخصوص {reference} إلى فريق الدعم لدينا. "
        "سيردون عليك قريباً.",
        "bad_choice": "{brand}: يرجى الرد برقم من 1 إلى {count}.",
    },
}


def text_language(locale: str | None) -> str:
    language = parse_tag(locale or "en").language
    return language if language in _TEXTS else "en"


def slot_offer_text(
    slots: Sequence[OfferedSlot],
    *,
    reference: str,
    brand: Brand,
    locale: str,
    time_zone: str,
) -> str:
    """The numbered slots (the first :data:`MAX_SLOTS_OFFERED`), or that none is free."""
    if not slots:
        return _text("no_slots", locale, brand=brand.name, reference=reference)
    formatter = _formatter(locale, time_zone)
    listed = ", ".join(
        f"{number} {formatter.arrival_window(slot.start, slot.end, short=True)}"
        for number, slot in enumerate(slots[:MAX_SLOTS_OFFERED], 1)
    )
    return _text("offer", locale, brand=brand.name, reference=reference, slots=listed)


def reschedule_confirmation_text(
    slot: OfferedSlot, *, reference: str, brand: Brand, locale: str, time_zone: str
) -> str:
    formatter = _formatter(locale, time_zone)
    when = formatter.arrival_window(slot.start, slot.end, short=True)
    return _text("confirmed", locale, brand=brand.name, reference=reference, slot=when)


def callback_promise_text(*, reference: str, hours: int, brand: Brand, locale: str) -> str:
    return _text("callback", locale, brand=brand.name, reference=reference, hours=str(hours))


def handed_to_support_text(*, reference: str, brand: Brand, locale: str) -> str:
    return _text("to_support", locale, brand=brand.name, reference=reference)


def invalid_choice_text(*, count: int, brand: Brand, locale: str) -> str:
    return _text("bad_choice", locale, brand=brand.name, count=str(count))


def _formatter(locale: str, time_zone: str) -> Formatter:
    """Dates in the language of the words around them (English ones for an English text)."""
    written_in = locale if text_language(locale) == parse_tag(locale).language else "en"
    return Formatter.for_customer(written_in, time_zone)


def _text(key: str, locale: str | None, **values: str) -> str:
    language = text_language(locale)
    text = _TEXTS[language][key].format(**values)
    encoded = smart_encode(text).text  # babel's narrow spaces and dashes, as templates send them
    return lay_out(encoded, text_direction(language))
