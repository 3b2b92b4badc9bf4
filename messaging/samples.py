"""Realistic, long-ish data for every shipped locale: for lint, preview, stats and tests.

Each locale has a customer whose name fits GSM-7 and, where the language commonly has
one, a customer whose name does not (João, Małgorzata, Şükrü): both are everyday cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.events import Customer, DeliveryProblem, MilestoneEvent, Refund, Shipment
from domain.milestones import MILESTONES_BY_KIND, Kind, Milestone

SAMPLE_REFERENCE = "HS-2025-0048213"
SAMPLE_EVENT_TIME = datetime(2025, 3, 13, 15, 42, tzinfo=ZoneInfo("UTC"))


@dataclass(frozen=True)
class SampleLocale:
    locale: str
    names: tuple[str, ...]  # the first fits GSM-7; a second, if any, needs UCS-2
    phone: str
    time_zone: str
    currency: str
    refund: Decimal
    carrier: str
    tracking_id: str
    delay_reason: str


SAMPLE_LOCALES: dict[str, SampleLocale] = {
    sample.locale: sample
    for sample in (
        SampleLocale(
            "en",
            ("Christopher Montgomery", "Siobhán O’Sullivan"),
            "+12015550123",
            "America/Los_Angeles",
            "USD",
            Decimal("1249.99"),
            "UPS",
            "1Z999AA10123456784",
            "Severe weather at the regional hub",
        ),
        SampleLocale(
            "es",
            ("Javier Muñoz Delgado", "María José Fernández"),
            "+34612345678",
            "Europe/Madrid",
            "EUR",
            Decimal("1234.56"),
            "Correos Express",
            "3230001234567890",
            "Incidencia en el centro de distribución",
        ),
        SampleLocale(
            "fr",
            ("Marie-Hélène Lefèvre", "François Lemaître"),
            "+33612345678",
            "Europe/Paris",
            "EUR",
            Decimal("1234.56"),
            "Colissimo",
            "6A12345678901",
            "Intempéries sur le centre de tri",
        ),
        SampleLocale(
            "de",
            ("Maximilian Schäfer", "Jürgen Weißenbörn"),
            "+4915123456789",
            "Europe/Berlin",
            "EUR",
            Decimal("1234.56"),
            "DHL Express",
            "JJD000390007845612",
            "Unwetter im Verteilzentrum",
        ),
        SampleLocale(
            "it",
            ("Alessandro Bianchi", "Niccolò Dell’Acqua"),
            "+393123456789",
            "Europe/Rome",
            "EUR",
            Decimal("1234.56"),
            "BRT",
            "084123456789012345",
            "Maltempo presso l'hub di smistamento",
        ),
        SampleLocale(
            "pt-BR",
            ("Ana Carolina Souza", "João Pedro Gonçalves"),
            "+5511961234567",
            "America/Sao_Paulo",
            "BRL",
            Decimal("1234.56"),
            "Correios",
            "NL123456789BR",
            "Chuvas fortes no centro de distribuição",
        ),
        SampleLocale(
            "nl",
            ("Sanne van den Berg", "Daniëlle de Vries"),
            "+31612345678",
            "Europe/Amsterdam",
            "EUR",
            Decimal("1234.56"),
            "PostNL",
            "3SABCD1234567890",
            "Storing in het sorteercentrum",
        ),
        SampleLocale(
            "pl",
            ("Piotr Kowalski", "Małgorzata Wiśniewska"),
            "+48512345678",
            "Europe/Warsaw",
            "PLN",
            Decimal("1234.56"),
            "InPost",
            "620123456789012345678901",
            "Opóźnienie w sortowni",
        ),
        SampleLocale(
            "tr",
            ("Mehmet Demir", "Şükrü Yılmaz"),
            "+905012345678",
            "Europe/Istanbul",
            "TRY",
            Decimal("1234.56"),
            "Yurtiçi Kargo",
            "123456789012",
            "Aktarma merkezinde yoğunluk",
        ),
        SampleLocale(
            "ja",
            ("山田 太郎", "佐々木 美咲"),
            "+819012345678",
            "Asia/Tokyo",
            "JPY",
            Decimal("12800"),
            "ヤマト運輸",
            "4567-8901-2345",
            "悪天候による遅延",
        ),
        SampleLocale(
            "zh-Hans",
            ("王小明", "欧阳娜娜"),
            "+8613123456789",
            "Asia/Shanghai",
            "CNY",
            Decimal("1234.56"),
            "顺丰速运",
            "SF1234567890123",
            "转运中心天气原因延误",
        ),
        SampleLocale(
            "ar",
            ("محمد عبد الله", "نورة العتيبي"),
            "+966512345678",
            "Asia/Riyadh",
            "SAR",
            Decimal("1234.56"),
            "أرامكس",
            "44123456789",
            "سوء الأحوال الجوية في مركز الفرز",
        ),
    )
}


def kind_of(milestone: Milestone) -> Kind:
    return next(kind for kind, milestones in MILESTONES_BY_KIND.items() if milestone in milestones)


def sample_customer(sample: SampleLocale, name: str | None = None) -> Customer:
    return Customer(
        name=name or sample.names[0],
        phone=sample.phone,
        email="customer@example.com",
        locale=sample.locale,
        time_zone=sample.time_zone,
    )


def sample_event(
    milestone: Milestone,
    locale: str = "en",
    *,
    name: str | None = None,
    complete: bool = True,
    merchant: str | None = None,
    problem: DeliveryProblem | None = None,
) -> MilestoneEvent:
    """An event with every optional field filled (``complete``) or none of them; a
    ``problem`` only for the milestones that take one (delayed, attempted, exception)."""
    sample = SAMPLE_LOCALES[locale]
    local = ZoneInfo(sample.time_zone)
    tomorrow = (SAMPLE_EVENT_TIME.astimezone(local) + timedelta(days=1)).date()
    window_start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=local)
    kind = kind_of(milestone)
    shipment = Shipment(
        carrier=sample.carrier,
        tracking_id=sample.tracking_id,
        estimated_arrival=window_start,
        estimated_arrival_end=window_start + timedelta(hours=4),
    )
    return MilestoneEvent(
        event_id=f"sample-{milestone.value}-{locale}",
        kind=kind,
        reference=SAMPLE_REFERENCE,
        milestone=milestone,
        occurred_at=SAMPLE_EVENT_TIME,
        customer=sample_customer(sample, name),
        shipment=shipment if complete and kind is Kind.ORDER else None,
        refund=Refund(amount=sample.refund, currency=sample.currency) if complete else None,
        detail=sample.delay_reason if complete else None,
        merchant=merchant,
        problem=problem,
    )
