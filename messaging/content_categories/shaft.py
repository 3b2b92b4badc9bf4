"""SHAFT, as CTIA and the carriers name it: sex, hate, alcohol, firearms, and tobacco,
vaping or cannabis. The ``allowed`` phrases are the ordinary things a term names too (a wine
rack, a glue gun, cigarette trousers, Sydney's CBD).
"""

from __future__ import annotations

from messaging.content_categories.rule import ContentRule, make_rule

RULES: tuple[ContentRule, ...] = (
    make_rule(
        "shaft-sex",
        "sexual content (SHAFT)",
        [
            r"sex(?:y|ual|dates?|chat|cams?)?",
            r"porn\w*",
            r"xxx",
            r"nudes",
            r"escorts?",
            r"adult content|hot singles|onlyfans",
            r"sexo|sexe|erotik\w*|erotic\w*|desnud[oa]s|nackt|nudi|seks\w*",
        ],
        ["アダルト", "出会い系", "色情", "约炮", "成人视频", "اباحي", "جنسي"],
        allowed=[
            r"sex\.? ?\d",  # sexta-feira, abbreviated in a date
            r"\bsex\.(?= |$)",
            r"ford escort|escort (?:mk|gt|rs|estate)",
        ],
    ),
    make_rule(
        "shaft-hate",
        "hate speech (SHAFT)",
        [
            r"white power",
            r"heil hitler",
            r"sieg heil",
            r"kill (?:all|every) \w+",
            r"muerte a los \w+",
            r"mort aux \w+",
            r"tod (?:allen|den) \w+",
            r"morte a(?:i|gli)? \w+",
        ],
    ),
    make_rule(
        "shaft-alcohol",
        "alcohol (SHAFT)",
        [
            r"alcohol\w*|alkohol\w*|alcool\w*|alkol\w*",
            r"beers?|wines?|vodka|whiske?y|liquor|tequila|bourbon|champagne|prosecco",
            r"cervezas?|vinos?|bieres?|vins?|bier|weine?|birra|birre|cervejas?|vinhos?",
            r"wodka|piwo|piwa|wino|bira|sarap|raki|sake|viski|votka|wiski|whisky",
            r"\w+bier|(?:rot|weiss|rose|gluh|schaum|dessert|haus)wein\w*",
        ],
        [
            "お酒",
            "酒類",
            "日本酒",
            "ビール",
            "ワイン",
            "ウイスキー",
            "啤酒",
            "白酒",
            "葡萄酒",
            "红酒",
            "كحول",
            "خمر",
            "نبيذ",
            "بيره",
            "ويسكي",
            "فودكا",
        ],
        allowed=[
            r"(?:wine|beer) (?:rack|racks|glass|glasses|cooler|fridge|opener|aerator|decanter|"
            r"stopper|cabinet|chiller|holder|mug|mugs|stein|tote|bag|red|country|gums?)",
            r"(?:root|ginger) beers?",
            r"champagne (?:gold|colou?r|pink|beige|satin|finish|silk)",
            r"(?:couleur|colou?r|colore|cor|kleur|farbe) champagne",
            r"ワイン(?:グラス|ラック|セラー|オープナー)",
            r"(?:红酒|葡萄酒)(?:杯|架|柜)",
            r"(?:copa|copas|botellero|sacacorchos) (?:de |para )?vino",
            r"(?:verre|verres|cave|casier|tire-bouchon) a vin",
            r"(?:bicchier[ei]|portabottiglie) (?:da |di )?vino",
            r"(?:taca|tacas|adega) (?:de |para )?vinho",
            r"(?:kieliszk\w*|stojak\w*|szklank\w*) (?:na |do )?win[ao]",
            r"porta[- ]?(?:vinhos?|vino|bottiglie)",
            r"(?:حامل|كاس|كاسات|رف) (?:ال)?نبيذ",
            r"sarap (?:kadehi|kadehleri|rafi)",
            r"vin(?= ?(?:number|no|#|:))",  # a vehicle's VIN
            # Spanish "vino" is also "came": "el repartidor vino", "no vino nadie"
            r"(?:no|nadie|alguien|ya|que|quien|repartidor|mensajero|cartero|conductor|"
            r"transportista|chofer|tecnico) vino",
            r"vino (?:a |ayer|hoy|nadie|el |la |pero|y no|esta |por )",
            r"sake (?=of)",  # "for the sake of"
        ],
    ),
    make_rule(
        "shaft-firearms",
        "firearms (SHAFT)",
        [
            r"guns?|firearms?|handguns?|rifles?|shotguns?|pistols?|revolvers?|ammo|ammunition",
            r"pistolas?|fusil(?:es)?|armas? de fuego|escopetas?|municion(?:es)?",
            r"arme a feu|armes a feu|pistolets?|munitions?|carabines?",
            r"waffen?|gewehre?|pistolen?|munition",
            r"armi da fuoco|fucil[ei]|munizioni",
            r"armas? de fogo|espingardas?|municao|municoes",
            r"vuurwapens?|geweren?|geweer|pistool|munitie",
            r"bron palna|karabin\w*|amunicj\w*",
            r"silah\w*|tabanca\w*|tufek\w*|mermi\w*",
        ],
        [
            "拳銃",
            "銃",
            "ライフル",
            "弾薬",
            "枪支",
            "手枪",
            "弹药",
            "步枪",
            "سلاح",
            "اسلحه",
            "مسدس",
            "ذخيره",
        ],
        allowed=[
            r"(?:glue|hot glue|nail|spray|sprayer|water|staple|heat|hot air|massage|paint|caulk|"
            r"caulking|grease|nerf|toy|squirt|foam|bubble|label|price|tape|soldering|rivet|"
            r"airbrush|tattoo|silicone|sealant|grout|brad|blow|cleaning|tire|tyre) (?:\w+ )?guns?",
            r"gun ?metal|top gun|glue gun",
            r"pistolas? (?:de |para )?(?:silicona|cola|agua|pintura|calor|masaje|aire|clavos|"
            r"grapas|pegamento|termica)",
            r"pistolets? (?:a |de )?(?:colle|eau|peinture|massage|silicone|calfeutrer)",
            r"(?:heissklebe|kleber|farb|massage|wasser|silikon|kartuschen)pistolen?",
            r"pistola (?:per |de |a |ad |da )?(?:colla|acqua|silicone|massagg\w*|massagem|spruzzo|"
            r"cola|agua|calor|pintura|termica|termico|ad aria calda|verniciare)",
            r"pistolet (?:na |do )?(?:klej\w*|wode|farby|malowania|masazu|silikon\w*)",
            r"(?:sicak hava|tutkal|silikon|boya|masaj|su) tabanca\w*",
            r"lijmpistool|kitpistool|waterpistool",
            r"(?:胶|水|喷|钉|按摩|热熔胶)枪",
            r"مسدس (?:ال)?(?:غراء|ماء|سيليكون|مساج|هواء)",
            r"rifle paper",
            r"pistol grip",
        ],
    ),
    make_rule(
        "shaft-tobacco",
        "tobacco, vaping or cannabis (SHAFT)",
        [
            r"tobacco|cigarettes?|cigars?|cigarillos?|vap(?:e|es|ing|er|eo|ear)|e-?cig\w*|juul",
            r"cannabis|marijuana|marihuana|cbd|thc|hash(?:ish)?|edibles",
            r"tabac|tabak|tabaco|tabacco|tutun|sigara\w*",
            r"cigarrillos?|cigarros?|cigarette|zigarett\w*|sigarett\w*|sigaret\w*|papieros\w*",
            r"e-?sigar\w*|e-?liquid\w*",
        ],
        [
            "タバコ",
            "煙草",
            "電子タバコ",
            "大麻",
            "烟草",
            "香烟",
            "电子烟",
            "تبغ",
            "سجاير",
            "سيجاره",
            "شيشه",
            "حشيش",
        ],
        allowed=[
            r"cigarette (?:pants|trousers|jeans|leg|fit)",
            r"pantalon cigarette",
            r"(?:bar|bureau|relais|point|civette) (?:de |du )?tabac|tabac[- ]presse|tabac de la",
            r"(?:sydney|melbourne|brisbane|perth|adelaide|city|auckland|nairobi|johannesburg) cbd",
            r"cbd (?:area|office|depot|hub|branch|store)",
            r"hash ?(?:tag|code|browns?)",
        ],
    ),
)
