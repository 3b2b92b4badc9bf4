"""What Herald texts back during a conversation: slot offers, confirmations, call-back
promises and the acknowledgement of a reply handed to support.

Pure functions over the facts; dates and hours in the customer's locale and time zone.
Every text opens with the brand (the linter wants it; Japanese and Chinese put it in 【】
as their templates do) and is smart-encoded like templates. Latin-script texts stay
GSM-7, accents it lacks left off as SMS writers do (Polish and Turkish in plain ASCII);
Japanese, Chinese and Arabic need UCS-2. All 12 shipped languages are written out
(pt-BR reads pt, zh-Hans reads zh); any other language reads English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from messaging.brand import Brand
from messaging.formatting import Formatter
from messaging.locales import parse_tag
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
        "offer": "{brand}: elige una nueva hora de entrega para {reference}: {slots}. "
        "Responde con el numero.",
        "no_slots": "{brand}: ahora no hay otra hora de entrega libre para {reference}. "
        "Responde LLAMAME y te llamaremos.",
        "confirmed": "{brand}: listo, {reference} se entregara {slot}.",
        "callback": "{brand}: te llamaremos por {reference} en menos de {hours} horas.",
        "to_support": "{brand}: gracias, tu mensaje sobre {reference} se envio a nuestro "
        "equipo de soporte. Te responderan pronto.",
        "bad_choice": "{brand}: responde con un numero del 1 al {count}.",
    },
    "fr": {
        "offer": "{brand}: choisissez un nouveau creneau pour {reference}: {slots}. "
        "Repondez avec le numero.",
        "no_slots": "{brand}: aucun autre creneau libre pour {reference} pour le moment. "
        "Repondez RAPPELEZ-MOI et nous vous appellerons.",
        "confirmed": "{brand}: c'est fait, {reference} sera livree {slot}.",
        "callback": "{brand}: nous vous appellerons au sujet de {reference} sous {hours} h.",
        "to_support": "{brand}: merci, votre message sur {reference} a ete transmis a notre "
        "service client. Il vous repondra vite.",
        "bad_choice": "{brand}: repondez avec un numero de 1 a {count}.",
    },
    "de": {
        "offer": "{brand}: Waehle einen neuen Liefertermin fuer {reference}: {slots}. "
        "Antworte mit der Nummer.",
        "no_slots": "{brand}: Gerade ist kein anderer Liefertermin fuer {reference} frei. "
        "Antworte RUECKRUF und wir rufen dich an.",
        "confirmed": "{brand}: Erledigt, {reference} wird {slot} geliefert.",
        "callback": "{brand}: Wir rufen dich wegen {reference} innerhalb von {hours} Stunden an.",
        "to_support": "{brand}: Danke, deine Nachricht zu {reference} ging an unseren "
        "Kundenservice. Er meldet sich bald.",
        "bad_choice": "{brand}: Bitte antworte mit einer Zahl von 1 bis {count}.",
    },
    "pt": {
        "offer": "{brand}: escolha um novo horario de entrega para {reference}: {slots}. "
        "Responda com o numero.",
        "no_slots": "{brand}: nenhum outro horario livre para {reference} agora. "
        "Responda ME LIGA e ligaremos para voce.",
        "confirmed": "{brand}: pronto, {reference} sera entregue {slot}.",
        "callback": "{brand}: ligaremos para voce sobre {reference} em ate {hours} horas.",
        "to_support": "{brand}: obrigado, sua mensagem sobre {reference} foi para nosso "
        "suporte. Responderemos em breve.",
        "bad_choice": "{brand}: responda com um numero de 1 a {count}.",
    },
    "it": {
        "offer": "{brand}: scegli un nuovo orario di consegna per {reference}: {slots}. "
        "Rispondi con il numero.",
        "no_slots": "{brand}: al momento non ci sono altri orari liberi per {reference}. "
        "Rispondi CHIAMAMI e ti chiameremo.",
        "confirmed": "{brand}: fatto, {reference} sarà consegnato {slot}.",
        "callback": "{brand}: ti chiameremo per {reference} entro {hours} ore.",
        "to_support": "{brand}: grazie, il tuo messaggio su {reference} è stato inoltrato al "
        "nostro servizio clienti. Ti risponderanno presto.",
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
        "offer": "{brand}: wybierz nowy termin dostawy dla {reference}: {slots}. Odpisz numerem.",
        "no_slots": "{brand}: teraz nie ma innego wolnego terminu dostawy dla {reference}. "
        "Odpisz ZADZWON, a zadzwonimy do Ciebie.",
        # "termin" keeps the sentence free of the order's or the return's grammatical gender.
        "confirmed": "{brand}: gotowe, nowy termin dostawy {reference}: {slot}.",
        # "godz." reads right for any number of hours.
        "callback": "{brand}: zadzwonimy do Ciebie w sprawie {reference} w ciagu {hours} godz.",
        "to_support": "{brand}: dziekujemy, Twoja wiadomosc o {reference} trafila do naszego "
        "dzialu obslugi klienta. Odpowiemy wkrotce.",
        "bad_choice": "{brand}: odpisz numerem od 1 do {count}.",
    },
    "tr": {
        "offer": "{brand}: {reference} icin yeni bir teslimat zamani secin: {slots}. "
        "Numara ile yanit verin.",
        "no_slots": "{brand}: su anda {reference} icin baska uygun teslimat zamani yok. "
        "BENI ARA yazin, sizi arayalim.",
        "confirmed": "{brand}: tamam, {reference} {slot} tarihinde teslim edilecek.",
        "callback": "{brand}: {reference} hakkinda sizi {hours} saat icinde arayacagiz.",
        "to_support": "{brand}: tesekkurler, {reference} hakkindaki mesajiniz destek "
        "ekibimize iletildi. Yakinda yanit verecekler.",
        "bad_choice": "{brand}: lutfen 1 ile {count} arasinda bir numara yazin.",
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
    text = _TEXTS[text_language(locale)][key].format(**values)
    return smart_encode(text).text  # babel's narrow spaces and dashes, as templates send them
