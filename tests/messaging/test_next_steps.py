"""What happens next, in every locale: exception wording per delivery problem, and the
reply invitations (RESCHEDULE, CALL ME) that two-way SMS answers.

Every check reads the rendered messages, so it holds for the text customers get: on
budget, lint clean, naming the right next step, inviting only replies that
``conversation.intents.classify`` understands in the customer's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from config.messaging import get_messaging_settings
from conversation.intents import IntentKind, classify, normalize
from domain.events import DeliveryProblem, MilestoneEvent
from domain.milestones import Milestone
from domain.timeline import Channel
from messaging.brand import Brand, default_brand
from messaging.linter import lint_text
from messaging.locales import parse_tag
from messaging.render import RenderedMessage, render_message, sms_budget
from messaging.samples import SAMPLE_LOCALES, sample_event
from messaging.segments import Encoding
from messaging.smart_encoding import fold_to_gsm7
from messaging.templates import library_for, milestone_template_name

LOCALES = tuple(SAMPLE_LOCALES)
UCS2_LOCALES = frozenset({"ja", "zh-Hans", "ar"})
LATIN_LOCALES = tuple(locale for locale in LOCALES if locale not in UCS2_LOCALES)
GSM7_LETTER_LOCALES = ("en", "de", "it", "nl")  # no template letter outside GSM-7
EXCEPTION_PROBLEMS = (
    None,
    DeliveryProblem.ADDRESS_PROBLEM,
    DeliveryProblem.LOST,
    DeliveryProblem.DAMAGED,
)
ADDRESS, LOST, DAMAGED = (
    DeliveryProblem.ADDRESS_PROBLEM,
    DeliveryProblem.LOST,
    DeliveryProblem.DAMAGED,
)

# What each message must say, compared after conversation.intents.normalize (lower case,
# no accents), so the SMS's folded spelling and the e-mail's accented one both match.
# "a|b" accepts either (an SMS may say it shorter). The first entry names the problem
# itself; no other problem's message (nor the generic one) may contain it.
NEXT_STEPS: dict[str, dict[DeliveryProblem, tuple[str, ...]]] = {
    "en": {
        ADDRESS: ("delivery address",),
        LOST: ("lost", "support team", "contact you"),
        DAMAGED: ("damaged", "replacement", "refund", "support team", "contact you"),
    },
    "es": {
        ADDRESS: ("direccion",),
        LOST: ("extraviado", "soporte|atencion al cliente", "contact"),
        DAMAGED: ("danos", "reposicion", "reembolso", "soporte|atencion al cliente", "contact"),
    },
    "fr": {
        ADDRESS: ("adresse de livraison",),
        LOST: ("perdue", "service client", "contactera"),
        DAMAGED: (
            "endommagee",
            "remplacement",
            "remboursement",
            "service client|sav",
            "contactera",
        ),
    },
    "de": {
        ADDRESS: ("lieferadresse",),
        LOST: ("verloren", "kundenservice", "meldet sich"),
        DAMAGED: ("beschadigt", "ersatz", "erstattung", "kundenservice", "meldet sich"),
    },
    "it": {
        ADDRESS: ("indirizzo di consegna",),
        LOST: ("smarrito", "servizio clienti", "contattera"),
        DAMAGED: (
            "danneggiato",
            "cambio|sostituzione",
            "rimborso",
            "servizio clienti",
            "contattera",
        ),
    },
    "pt-BR": {
        ADDRESS: ("endereco de entrega",),
        LOST: ("extraviado", "suporte", "contato"),
        DAMAGED: ("danificado", "troca", "reembolso", "suporte", "contato"),
    },
    "nl": {
        ADDRESS: ("bezorgadres",),
        LOST: ("zoek te zijn", "klantenservice", "contact"),
        DAMAGED: ("beschadigd", "vervanging", "terugbetaling", "klantenservice", "contact"),
    },
    "pl": {
        ADDRESS: ("adres dostawy",),
        LOST: ("zaginelo", "obslug", "skontaktuje"),
        DAMAGED: ("uszkodzone", "wymiany", "zwrotu pieniedzy", "obslug", "skontaktuje"),
    },
    "tr": {
        ADDRESS: ("teslimat adres",),
        LOST: ("kaybolmus", "musteri hizmetlerimiz", "ulasacak|iletisime gececek"),
        DAMAGED: (
            "hasar",
            "degisim",
            "iade",
            "musteri hizmetlerimiz",
            "ulasacak|iletisime gececek",
        ),
    },
    "ja": {
        ADDRESS: ("住所",),
        LOST: ("紛失", "サポート担当", "ご連絡"),
        DAMAGED: ("破損", "交換", "返金", "サポート担当", "ご連絡"),
    },
    "zh-Hans": {
        ADDRESS: ("地址",),
        LOST: ("丢失", "客服", "联系"),
        DAMAGED: ("受损", "换货", "退款", "客服", "联系"),
    },
    "ar": {
        ADDRESS: ("عنوان التوصيل",),
        LOST: ("فقد", "فريق الدعم", "سيتواصل"),
        DAMAGED: ("للتلف", "الاستبدال", "استرداد", "فريق الدعم", "سيتواصل"),
    },
}

# The reply keywords each SMS invites, written as the templates write them.
RESCHEDULE_WORDS = {
    "en": "RESCHEDULE",
    "es": "REPROGRAMAR",
    "fr": "REPROGRAMMER",
    "de": "NEUER TERMIN",
    "it": "RIPROGRAMMA",
    "pt-BR": "REAGENDAR",
    "nl": "VERZETTEN",
    "pl": "NOWY TERMIN",
    "tr": "YENİ TARİH",
    "ja": "再配達",  # redelivery: after a missed delivery
    "zh-Hans": "改期",
    "ar": "إعادة جدولة",
}
RESCHEDULE_WORDS_WHEN_DELAYED = {**RESCHEDULE_WORDS, "ja": "日時変更"}  # change the date
CALL_ME_WORDS = {
    "en": "CALL ME",
    "es": "LLÁMAME",
    "fr": "RAPPELEZ-MOI",
    "de": "RÜCKRUF",
    "it": "CHIAMAMI",
    "pt-BR": "ME LIGUE",
    "nl": "BEL MIJ",
    "pl": "ZADZWOŃ",
    "tr": "BENİ ARA",
    "ja": "電話",
    "zh-Hans": "回电",
    "ar": "اتصل بي",
}


def expected_invitations(
    locale: str, milestone: Milestone, problem: DeliveryProblem | None
) -> dict[str, IntentKind]:
    if milestone is Milestone.DELIVERY_ATTEMPTED:
        reschedule = RESCHEDULE_WORDS[locale]
    elif milestone is Milestone.DELAYED:
        reschedule = RESCHEDULE_WORDS_WHEN_DELAYED[locale]
    elif milestone is Milestone.EXCEPTION and problem is ADDRESS:
        return {CALL_ME_WORDS[locale]: IntentKind.CALL_ME}
    else:
        return {}
    return {reschedule: IntentKind.RESCHEDULE, CALL_ME_WORDS[locale]: IntentKind.CALL_ME}


_QUOTED = re.compile(r"[「“«]([^」”»]+)[」”»]")
NOT_KEYWORDS = frozenset({"SAV"})  # French: service après-vente, the support team
_EDGE_PUNCTUATION = ".,;:!?()¡¿"


def invitations_in(text: str, event: MilestoneEvent) -> set[str]:
    """The reply keywords a message shows: quoted words in Japanese, Chinese and Arabic,
    runs of capitalized words elsewhere (the order's data and the opt-out STOP masked)."""
    shipment = event.shipment
    opt_out = ["STOP", "RET", "BAJA", "SAIR", "「停止」", "«إيقاف»"]  # each locale's keyword
    data = [event.reference, event.customer.name, *event.customer.name.split(), *opt_out]
    data += [v for v in (shipment.carrier, shipment.tracking_id) if v] if shipment else []
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    if parse_tag(event.customer.locale).language in ("ja", "zh", "ar"):
        return {match.strip() for match in _QUOTED.findall(text)}
    found, run = set(), []
    for token in [*text.split(), ""]:
        word = token.strip(_EDGE_PUNCTUATION)
        if len(word) >= 2 and word.isupper() and "://" not in word and word not in NOT_KEYWORDS:
            run.append(word)
            continue
        if run:
            found.add(" ".join(run))
        run = []
    return found


def _events(
    milestone: Milestone, locale: str, problem: DeliveryProblem | None
) -> Iterator[MilestoneEvent]:
    for name in SAMPLE_LOCALES[locale].names:
        for complete in (True, False):
            yield sample_event(milestone, locale, name=name, complete=complete, problem=problem)


def _short(milestone: Milestone, locale: str, problem: DeliveryProblem | None) -> MilestoneEvent:
    """Short data (a short name and order number, no note): room for every optional part."""
    event = sample_event(milestone, locale, complete=False, problem=problem)
    customer = event.customer.model_copy(update={"name": "Ana Lima"})
    return event.model_copy(update={"reference": "A1", "customer": customer})


def _renders(
    milestone: Milestone, locale: str, problem: DeliveryProblem | None
) -> Iterator[tuple[MilestoneEvent, Channel, RenderedMessage]]:
    for event in _events(milestone, locale, problem):
        for channel in Channel:
            for first_sms in (False, True) if channel is Channel.SMS else (False,):
                yield event, channel, render_message(event, channel, first_sms_to_number=first_sms)


def _says(text: str, wanted: str) -> bool:
    said = normalize(text)
    return any(normalize(option) in said for option in wanted.split("|"))


def _shown(message: RenderedMessage) -> str:
    return f"{message.subject or ''}\n{message.text}"


def _label(problem: DeliveryProblem | None) -> str:
    return problem.value if problem else "none"


# ---- exception: each problem, each locale, each channel ------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("problem", EXCEPTION_PROBLEMS, ids=_label)
def test_exception_fits_its_budget_and_passes_the_linter(
    locale: str, problem: DeliveryProblem | None
) -> None:
    settings, brand = get_messaging_settings(), default_brand()
    template = library_for(None).get(milestone_template_name(locale, Channel.SMS, "exception"))
    for event, channel, message in _renders(Milestone.EXCEPTION, locale, problem):
        shown = _shown(message)
        masked = [
            event.reference,
            event.customer.name,
            event.detail or "",
            *event.customer.name.split(),
        ]
        assert lint_text(shown, brand_name=brand.name, ignore=masked) == [], shown
        for leftover in ("None", "{{", "{%", "  ", "\n\n\n"):
            assert leftover not in shown, (leftover, shown)
        if channel is Channel.SMS:
            first_sms = "\n" in message.text  # the opt-out line is the only second line
            budget = sms_budget(template, Encoding(message.encoding), settings, opt_out=first_sms)
            assert budget is None or (message.segments or 0) <= budget, message.text


@pytest.mark.parametrize("locale", GSM7_LETTER_LOCALES)
@pytest.mark.parametrize("problem", EXCEPTION_PROBLEMS, ids=_label)
def test_exception_sms_stays_one_gsm7_segment_in_latin_locales(
    locale: str, problem: DeliveryProblem | None
) -> None:
    for complete in (True, False):
        event = sample_event(Milestone.EXCEPTION, locale, complete=complete, problem=problem)
        for first_sms in (False, True):  # the first sample name fits GSM-7
            message = render_message(event, Channel.SMS, first_sms_to_number=first_sms)
            assert (message.encoding, message.segments) == ("GSM-7", 1), message.text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("problem", [ADDRESS, LOST, DAMAGED], ids=_label)
def test_exception_names_the_next_step(locale: str, problem: DeliveryProblem) -> None:
    wanted = NEXT_STEPS[locale][problem]
    others = [
        NEXT_STEPS[locale][other][0] for other in (ADDRESS, LOST, DAMAGED) if other != problem
    ]
    for _event, channel, message in _renders(Milestone.EXCEPTION, locale, problem):
        shown = _shown(message)
        missing = [phrase for phrase in wanted if not _says(shown, phrase)]
        assert not missing, (channel.value, missing, shown)
        assert not [o for o in others if _says(shown, o)], (channel.value, shown)
        if problem is ADDRESS and channel is not Channel.SMS:
            # Push and e-mail cannot take a CALL ME reply: they name support instead.
            assert default_brand().support_contact in shown, shown


@pytest.mark.parametrize("locale", LOCALES)
def test_exception_without_a_problem_keeps_the_generic_wording(locale: str) -> None:
    markers = [NEXT_STEPS[locale][problem][0] for problem in (ADDRESS, LOST, DAMAGED)]
    for event, channel, message in _renders(Milestone.EXCEPTION, locale, None):
        shown = _shown(message)
        assert not [m for m in markers if _says(shown, m)], (channel.value, shown)
        for problem in (DeliveryProblem.DELAYED, DeliveryProblem.DELIVERY_ATTEMPTED):
            same = render_message(event.model_copy(update={"problem": problem}), channel)
            assert same.text == render_message(event, channel).text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("problem", [ADDRESS, LOST, DAMAGED], ids=_label)
def test_exception_sms_keeps_the_tracking_link_when_there_is_room(
    locale: str, problem: DeliveryProblem
) -> None:
    event = _short(Milestone.EXCEPTION, locale, problem)
    message = render_message(event, Channel.SMS)
    assert default_brand().tracking_link("A1") in message.text, message.text


# ---- reply invitations ---------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_every_invited_keyword_classifies_to_its_intent_in_its_language(locale: str) -> None:
    language = parse_tag(locale).language
    invited = {
        RESCHEDULE_WORDS[locale]: IntentKind.RESCHEDULE,
        RESCHEDULE_WORDS_WHEN_DELAYED[locale]: IntentKind.RESCHEDULE,
        CALL_ME_WORDS[locale]: IntentKind.CALL_ME,
    }
    for word, intent in invited.items():
        # As written, as GSM-7 smart encoding sends it, as people retype it.
        for typed in {word, fold_to_gsm7(word), word.lower(), fold_to_gsm7(word).lower()}:
            understood = classify(typed, locale)
            assert (understood.kind, understood.language) == (intent, language), typed
            assert not understood.is_consent_keyword, typed
            assert classify(typed).kind is intent, typed  # the customer's locale unknown


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("milestone", "problem"),
    [
        (Milestone.DELIVERY_ATTEMPTED, None),
        (Milestone.DELAYED, None),
        (Milestone.EXCEPTION, None),
        (Milestone.EXCEPTION, ADDRESS),
        (Milestone.EXCEPTION, LOST),
        (Milestone.EXCEPTION, DAMAGED),
    ],
    ids=lambda value: getattr(value, "value", str(value)),
)
def test_sms_invites_exactly_the_replies_herald_understands(
    locale: str, milestone: Milestone, problem: DeliveryProblem | None
) -> None:
    expected = expected_invitations(locale, milestone, problem)
    required = milestone is not Milestone.DELAYED  # a delay invites only where it fits
    events = [*_events(milestone, locale, problem), _short(milestone, locale, problem)]
    for event in events:
        for first_sms in (False, True):
            text = render_message(event, Channel.SMS, first_sms_to_number=first_sms).text
            found = {normalize(word) for word in invitations_in(text, event)}
            if not required and not found:
                continue
            assert found == {normalize(word) for word in expected}, text
            for word in invitations_in(text, event):
                intent = classify(word, locale)
                assert intent.kind is expected[_written(word, expected)], (word, text)


def _written(word: str, expected: dict[str, IntentKind]) -> str:
    return next(written for written in expected if normalize(written) == normalize(word))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("milestone", [Milestone.DELIVERY_ATTEMPTED, Milestone.DELAYED])
def test_invitation_and_tracking_link_both_fit_when_there_is_room(
    locale: str, milestone: Milestone
) -> None:
    event = _short(milestone, locale, None)
    message = render_message(event, Channel.SMS)
    assert invitations_in(message.text, event), message.text
    assert default_brand().tracking_link("A1") in message.text, message.text


@pytest.mark.parametrize("locale", GSM7_LETTER_LOCALES)
@pytest.mark.parametrize("milestone", [Milestone.DELIVERY_ATTEMPTED, Milestone.DELAYED])
def test_invitations_keep_latin_sms_in_one_gsm7_segment(locale: str, milestone: Milestone) -> None:
    for complete in (True, False):
        event = sample_event(milestone, locale, complete=complete)
        for first_sms in (False, True):
            message = render_message(event, Channel.SMS, first_sms_to_number=first_sms)
            assert (message.encoding, message.segments) == ("GSM-7", 1), message.text


@pytest.mark.parametrize("locale", LOCALES)
def test_no_other_milestone_invites_a_reply(locale: str) -> None:
    for milestone in Milestone:
        if milestone in (Milestone.DELIVERY_ATTEMPTED, Milestone.DELAYED, Milestone.EXCEPTION):
            continue
        event = _short(milestone, locale, None)
        text = render_message(event, Channel.SMS).text
        assert not invitations_in(text, event), text


def test_a_long_brand_drops_the_link_before_the_invitation() -> None:
    brand = Brand(
        name="The Extraordinarily Long Brand Name Company",
        support_contact="help@brand.example",
        tracking_base_url="https://track.brand.example",
    )
    event = sample_event(Milestone.DELIVERY_ATTEMPTED, "en")
    message = render_message(event, Channel.SMS, brand=brand)
    assert "Reply RESCHEDULE or CALL ME." in message.text
    assert "https://" not in message.text and message.segments == 1
