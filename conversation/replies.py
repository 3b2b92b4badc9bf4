"""What Herald texts back during a conversation: slot offers, confirmations, call-back
promises and the acknowledgement of a reply handed to support.

Pure functions over the facts; dates and hours in the customer's locale and time zone.
Every text opens with the brand (the linter wants it), is smart-encoded like templates
and stays GSM-7 where the language allows. en, es, fr, de and pt are written out;
other languages read English until their texts are added here.
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


MAX_SLOTS_OFFERED = 4  # two GSM-7 segments at most with the brand and the instructions

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
