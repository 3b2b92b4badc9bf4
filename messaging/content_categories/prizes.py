"""Prize and lottery bait: "you have won", "claim your prize", sweepstakes, in the 12 languages."""

from __future__ import annotations

from messaging.content_categories.rule import ContentRule, make_rule

RULES: tuple[ContentRule, ...] = (
    make_rule(
        "prize-scam",
        "lottery or prize wording (carriers filter it as a scam)",
        [
            r"lotter(?:y|ies)",
            r"jackpot",
            r"sweepstakes?",
            r"you(?:ve| have)? (?:just )?won",
            r"(?:claim|collect|redeem) (?:your )?(?:free )?(?:prize|reward|gift|winnings|cash)",
            r"free (?:gift|iphone|ipad|voucher)",
            r"cash prize",
            r"(?:lucky|grand|prize|cash) winners?|you are (?:a|our) winner",
            r"you (?:have been|were|are) (?:selected|chosen)",
            r"(?:selectionne|seleccionado|selezionato|selecionado|geselecteerd|wybran)\w* "
            r"(?:pour|para|per|voor|do) (?:\w+ ){0,2}(?:gagner|ganar|ganhar|vincere|winnen|"
            r"prijs|geldprijs|nagrod\w*|premio|premi|prix)",
            r"loter(?:ia|ie|ij|ij)",
            r"lotterie|lotteria|piyango|cekilis",
            r"sorteo|sorteio|tirage au sort|gewinnspiel|estrazione",
            r"(?:has|habeis) ganado",
            r"ganador(?:es)?|ganhador(?:es)?|gagnant|gewinner|vincitore|winnaar|zwyciezc\w*",
            r"(?:vous avez|tu as) gagne",
            r"(?:sie haben|du hast) gewonnen",
            r"hai vinto|avete vinto",
            r"voce ganhou|voce foi sorteado",
            r"je hebt (?:een )?\w* ?gewonnen|u heeft gewonnen",
            r"wygral(?:es|as|a|em)?\w*",
            r"kazandiniz|kazandin|odul\w* (?:kazan|al)\w*",
            r"(?:reclama|cobra|recoge) (?:tu )?premio|premio (?:en efectivo|gratis)",
            r"(?:reclamez|recuperez) (?:votre )?(?:lot|cadeau|prix)",
            r"premio (?:in denaro|gratuito)|ritira (?:il )?(?:tuo )?premio",
            r"(?:resgate|receba) (?:seu )?premio",
            r"(?:claim|haal) (?:je|uw) prijs",
            r"odbierz (?:swoja )?nagrod\w*",
            r"gift ?card (?:winner|reward|gratis|free)",
        ],
        [
            "宝くじ",
            "当選",
            "懸賞",
            "賞金",
            "中奖",
            "彩票",
            "领奖",
            "奖金",
            "抽中",
            "大奖",
            "يانصيب",
            "ربحت",
            "فزت",
            "جايزه نقديه",
        ],
        allowed=[r"free gift (?:wrap|wrapping|box|bag|receipt|with (?:your )?purchase)"],
    ),
)
