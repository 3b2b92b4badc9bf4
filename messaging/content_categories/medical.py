"""Medical and health claims: cures, miracle products, weight loss, prescription drugs.

The ``allowed`` phrases keep a cure that is not medical (the band The Cure, cured ham, an
epoxy's cure time) from being a finding.
"""

from __future__ import annotations

from messaging.content_categories.rule import ContentRule, make_rule

RULES: tuple[ContentRule, ...] = (
    make_rule(
        "medical-claim",
        "medical or health claim",
        [
            r"cure[sd]?",
            r"miracle",
            r"lose (?:\d+ ?(?:lbs?|kg|pounds) )?weight",
            r"weight ?loss",
            r"burn fat|fat burner",
            r"diet pills?",
            r"fda[ -]approved",
            r"clinically proven",
            r"viagra|cialis|ozempic",
            r"no prescription",
            r"heilt|heilung garantiert|(?:schnell|\d+ kilo) abnehmen|abnehmen ohne",
            r"gueri[ts]?|guerison|maigrir",
            r"cura (?:el|la|il|la tua|tu)|curar|adelgazar|bajar de peso",
            r"curan? (?:(?:el|la|il|a|o|i|le|los|las) )?(?:diabetes|cancer|artritis|artrite|"
            r"artrosis|ansiedad|ansiedade|ansia|depresion|depressao|depressione|gastrite)",
            r"emagrecer|perder peso|cura garantida",
            r"dimagrire|guarisce|guarigione",
            r"afvallen|geneest",
            r"schudnij|odchudzani\w*|leczy",
            r"zayifla\w*|kilo ver\w*|tedavi eder",
        ],
        [
            "痩せる",
            "治る",
            "ダイエット薬",
            "减肥",
            "治愈",
            "包治",
            "علاج نهايي",
            "تخسيس",
            "ضمان الشفاء",
        ],
        allowed=[
            r"the cure(?! (?:for|to) )",  # the band
            r"cure (?:thermale|de thalasso)",
            r"cured (?:ham|meats?|salmon|sausages?|bacon|pork)",
            r"miracle[- ]?(?:gro|whip|mop|blade|grow)",
            r"(?:epoxy|concrete|paint|glue|resin|uv|full|partial) cure",
            r"cure (?:time|times|lamp|light)",
        ],
    ),
)
