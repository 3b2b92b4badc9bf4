"""How customers write "no more texts" in the 12 shipped languages.

Every pattern is written against the normalised reply (see
:func:`policy.opt_out_language.normalize`): lower case, no accents, apostrophes dropped
("don't" is "dont", "m'envoyez" is "menvoyez"), Arabic without hamza or vowel signs and
with ه for ة. The corpus in ``tests/corpora/opt_out`` holds the replies these rules were
written for, the near misses they must leave alone ("stop the delivery", "cancel my
order", "取消订单") and ordinary replies; ``python -m bench.opt_out_corpus`` reports the
recall and the false opt-outs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageCues:
    revocations: tuple[re.Pattern[str], ...]  # each alone revokes consent
    kept: tuple[re.Pattern[str], ...]  # "don't unsubscribe me": never a revocation
    ambiguous: tuple[re.Pattern[str], ...]  # "wrong number": ask once
    stop_words: frozenset[str]  # verbs that stop something
    nouns: frozenset[str]  # what Herald sends: texts, messages, notifications
    fillers: frozenset[str]  # "please", "now", "thanks": nothing of their own
    whole_replies: frozenset[str] = frozenset()  # unspaced scripts: "やめてください"
    spaced: bool = True  # words split by spaces; else cues are substrings
    reach: int = 4  # how many words after a stop verb its object may come


def _cues(
    revocations: list[str],
    kept: list[str],
    ambiguous: list[str],
    *,
    stop_words: str,
    nouns: str,
    fillers: str = "",
    whole_replies: str = "",
    spaced: bool = True,
) -> LanguageCues:
    def compiled(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        folded = [p.translate(_AS_NORMALISED) for p in patterns]
        return tuple(re.compile(rf"\b(?:{p})\b" if spaced else p) for p in folded)

    def words(listed: str) -> frozenset[str]:
        return frozenset(listed.translate(_AS_NORMALISED).split())

    return LanguageCues(
        revocations=compiled(revocations),
        kept=compiled(kept),
        ambiguous=compiled(ambiguous),
        stop_words=words(stop_words),
        nouns=words(nouns),
        fillers=words(fillers),
        whole_replies=words(whole_replies),
        spaced=spaced,
    )


# Arabic as the normaliser leaves it: hamza carriers bare, ة as ه, ى as ي. Written with
# hamza below for the reader; folded here so the patterns meet the normalised replies.
_AS_NORMALISED = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ئ": "ي", "ؤ": "و", "ة": "ه", "ى": "ي", "ٱ": "ا"}
)


_EN_NOUNS = r"(?:texts?|txts?|messages?|msgs?|sms|notifications?|alerts?|updates?|reminders?|spam)"

CUES: dict[str, LanguageCues] = {
    "en": _cues(
        [
            r"unsub\w*",
            r"opt(?:ing)? (?:me )?out",
            r"optout",
            r"(?:dont|do not|never|pls dont|please dont) (?:ever )?"
            r"(?:text|txt|message|msg|sms|contact|spam|bother|email) (?:me|us|this number|again)",
            rf"(?:dont|do not|never) send (?:me )?(?:any )?(?:more )?(?:{_EN_NOUNS}|these|this)",
            r"stop (?:texting|txting|messaging|contacting|spamming|bothering|harassing)",
            rf"stop sending (?:me|these|this|those|any|{_EN_NOUNS})",
            r"(?:remove|delete|erase) (?:me|my (?:phone )?number|this number)",
            r"take (?:me|my (?:phone )?number|this number) off",
            r"lose my number",
            rf"no (?:more|further) {_EN_NOUNS}",
            rf"(?:dont|do not|no longer) want (?:to (?:receive|get) )?(?:any )?(?:more )?"
            rf"(?:of )?(?:these |your |the )?{_EN_NOUNS}",
            r"(?:dont|do not|no longer) (?:want|wish) to (?:receive|get|be texted|be contacted)",
            r"leave me alone",
            r"(?:did not|didnt|never) (?:sign(?:ed)? up|subscribe|opt(?:ed)? in|agree|consent)\w*",
            r"revoke\w*",
            r"withdraw (?:my )?consent",
            r"i (?:want|would like|wish) to (?:stop|opt out|be removed)",
        ],
        [
            r"(?:dont|do not|never|not) (?:stop|unsubscribe|opt me out|remove me)",
            r"keep (?:texting|sending|me)",
        ],
        [
            r"wrong (?:number|person)",
            r"who (?:is|s) this",
            r"who are you",
            r"not interested",
            r"how did you get (?:my|this) number",
            r"f\w*k off|piss off|go away",
            r"spam",
        ],
        stop_words="stop stopp quit enough cease halt",
        nouns="text texts texting txt txts txting message messages messaging msg msgs sms "
        "notifications notification alerts alert updates spam spamming reminders",
        fillers="please pls plz now it all just right immediately asap thanks thank you ok "
        "okay already again seriously the these this that i said me oh god hey hi",
    ),
    "es": _cues(
        [
            r"(?:dar|darme|dame|denme|darse|quiero darme) de baja",
            r"desuscrib\w*|desinscrib\w*|desapuntar\w*",
            r"cancelar (?:la |mi )?suscripcion",
            r"no (?:me )?(?:manden|envien|mandes|envies|escriban|escribas|contacten|molesten)"
            r"(?: mas)?",
            r"no (?:quiero|deseo) (?:recibir )?(?:mas )?"
            r"(?:mensajes|sms|notificaciones|textos|avisos)",
            r"no mas (?:mensajes|sms|notificaciones|textos|avisos)",
            r"dej(?:en|a|ad) de (?:enviar|mandar|escribir|molestar)\w*",
            r"(?:quiero|quisiera|deseo) dejar de recibir",
            r"(?:borren|borrar|borrad|eliminen|eliminar|quiten|quitar|saquen|sacar) "
            r"(?:mi numero|me de)",
            r"(?:borren|eliminen|quiten|saquen)me",
            r"dejenme en paz|dejame en paz",
            r"basta (?:de|con los) (?:mensajes|sms|notificaciones)",
        ],
        [r"no (?:me )?(?:den|des|quiero darme) de baja", r"no (?:quiero )?dejar de recibir"],
        [
            r"numero equivocado",
            r"quien (?:es|eres|son)",
            r"no me interesa",
            r"no estoy interesad[oa]",
            r"spam",
        ],
        stop_words="stop alto basta baja paren detener detengan",
        nouns="mensajes mensaje sms notificaciones avisos textos spam alertas",
        fillers="por favor porfa porfavor ya ahora gracias ok todo todos los las el de me "
        "inmediatamente esto eso",
    ),
    "fr": _cues(
        [
            r"desabonn\w*|desinscri\w*|desinscrire",
            r"(?:ne )?(?:menvoy\w*|mecri\w*|me contact\w*|me spamm\w*) (?:plus|pas)",
            r"(?:plus de|pas de) (?:sms|messages?|textos?|notifications?|alertes?)",
            r"(?:je |j )?(?:ne )?(?:veux|souhaite|desire) (?:plus|pas|ne plus) (?:recevoir )?"
            r"(?:(?:de|vos|ces|les|d) )*(?:sms|messages?|textos?|notifications?)",
            r"ne plus (?:m ?envoy\w*|m ?ecrire|me contacter)",
            r"arret\w* (?:de )?(?:m ?envoy\w*|m ?ecrire|me contacter|envoyer|me spammer)",
            r"arret\w* (?:les|vos|ces|tous les) (?:sms|messages|textos|notifications)",
            r"(?:retir|supprim|effac|enlev)\w* (?:moi|mon numero)",
            r"foutez moi la paix|laissez moi tranquille",
            r"stop sms",
        ],
        [r"ne (?:me )?desabonnez pas", r"pas (?:me )?desabonner", r"ne pas (?:arreter|desabonner)"],
        [
            r"mauvais numero|erreur de numero",
            r"qui est ce|cest qui|qui etes vous",
            r"pas interesse|(?:ne )?minteresse pas",
            r"spam",
        ],
        stop_words="stop arret arrete arretez arreter stoppez halte assez",
        nouns="sms messages message textos texto notifications notification alertes spam envois",
        fillers="svp stp sil vous plait merci maintenant tout tous les ces de la le des ca "
        "cela suffit immediatement ok me moi plus please mais enfin",
    ),
    "de": _cues(
        [
            r"abmeld\w*|abbestell\w*|austrag\w*",
            r"meld\w* (?:mich|sie mich) (?:bitte )?ab",
            r"trag\w* (?:mich|sie mich) (?:bitte )?aus",
            r"keine (?:\w+ )?(?:sms|nachrichten|benachrichtigungen|mitteilungen) mehr",
            r"(?:will|mochte|moechte) keine (?:sms|nachrichten|benachrichtigungen|mitteilungen)",
            r"nicht mehr (?:schreiben|anschreiben|kontaktieren|simsen|benachrichtigen)",
            r"(?:schreibt|schreiben sie|schreib|kontaktiert|kontaktieren sie|simst) mir "
            r"(?:nicht|keine|nie)",
            r"hor(?:t|en sie) auf (?:mit|mir|zu)",
            r"lass(?:t|en sie)? mich in ruhe",
            r"(?:losch|entfern)\w* (?:sie )?(?:meine nummer|mich)",
            r"nummer (?:loschen|entfernen)",
        ],
        [r"nicht abmelden", r"weiter (?:schicken|senden)"],
        [r"falsche nummer", r"wer (?:ist da|sind sie|bist du|ist das)", r"kein interesse", r"spam"],
        stop_words="stop stopp stoppen stoppt aufhoren schluss ende beenden",
        nouns="sms nachrichten nachricht benachrichtigungen mitteilungen textnachrichten spam",
        fillers="bitte sofort jetzt danke alles alle endlich mal doch ok ja mit den die das "
        "dem ihr sie schon es damit",
    ),
    "it": _cues(
        [
            r"disiscriv\w*|cancellami|cancellatemi",
            r"cancella\w* (?:il )?mio numero",
            r"non (?:mi )?(?:manda|invia|scrive|scriva|contatta|mandi|invii)\w* piu",
            r"basta (?:con )?(?:i |gli |questi |con questi )?(?:sms|messaggi|notifiche)",
            r"non (?:voglio|desidero) (?:piu )?(?:ricevere )?(?:piu )?(?:sms|messaggi|notifiche)",
            r"smett\w* di (?:mand|invi|scriv|contatt)\w*",
            r"rimuove\w* (?:il )?(?:mio numero|mi)|rimuovetemi|toglietemi",
            r"lasciatemi in pace",
            r"nessun altro messaggio",
        ],
        [r"non (?:mi )?disiscriv\w*", r"non smettete"],
        [
            r"numero sbagliato",
            r"chi (?:e|sei|siete|parla)",
            r"non mi interessa|non sono interessat[oa]",
            r"spam",
        ],
        stop_words="stop basta smettetela smettete smettila fermatevi",
        nouns="sms messaggi messaggio notifiche spam",
        fillers="per favore grazie ora adesso subito ok tutto tutti con i gli questi questo "
        "vi prego please davvero",
    ),
    "pt": _cues(
        [
            r"descadastr\w*",
            r"cancelar (?:a |minha )?inscricao",
            r"(?:sair|me tira|me tirem|tirar meu numero) da lista",
            r"nao (?:me )?(?:mandem|envie|enviem|mande|manda|mandar|enviar|liguem) mais",
            r"nao (?:quero|desejo) (?:mais )?(?:receber )?(?:mais )?"
            r"(?:mensagens|sms|mensagem|notificacoes|torpedos)",
            r"chega de (?:mensagens|sms|notificacoes)",
            r"nao (?:quero|desejo) receber mais",
            r"(?:tira|tirem|tire|remova|removam) (?:me )?(?:da|dessa|desta) lista",
            r"par(?:em|e|a) de (?:me )?(?:mandar|enviar|encher|incomodar)\w*",
            r"(?:tire|tirem|remova|removam|apague|apaguem) (?:meu numero|me)",
            r"me deix(?:em|e|a) em paz",
        ],
        [r"nao (?:quero )?(?:me )?descadastr\w*", r"nao parem"],
        [
            r"numero errado",
            r"quem (?:e|fala|e voce)",
            r"nao tenho interesse|nao me interessa",
            r"spam",
        ],
        stop_words="pare parem parar chega basta stop sair",
        nouns="mensagens mensagem sms notificacoes torpedos spam msg msgs",
        fillers="por favor pf pfv agora ja obrigado obrigada ok tudo com isso essas as os de "
        "me ai gente",
    ),
    "nl": _cues(
        [
            r"afmeld\w*|uitschrijv\w*",
            r"meld (?:me|mij) (?:maar )?af|schrijf (?:me|mij) (?:maar )?uit",
            r"geen (?:\w+ )?(?:sms|smsjes|berichten|berichtjes|meldingen|notificaties) meer",
            r"(?:wil|wens) geen (?:sms|smsjes|berichten|meldingen)",
            r"niet meer (?:sms|smsen|appen|berichten|sturen|contacteren|benaderen)",
            r"stuur (?:me|mij) (?:geen|niks|niets)",
            r"stop (?:met )?(?:sms|smsen|sturen|berichten|appen|spammen)\w*",
            r"stop alles",
            r"hou(?:dt)? (?:nou )?(?:eens )?op (?:met|aub|alsjeblieft)",
            r"laat (?:me|mij) met rust",
            r"verwijder (?:mijn nummer|me|mij)",
        ],
        [r"niet afmelden", r"niet uitschrijven"],
        [r"verkeerd nummer", r"wie (?:is dit|is dat|ben je|bent u)", r"geen interesse", r"spam"],
        stop_words="stop stoppen stopt ophouden kappen kap",
        nouns="sms smsjes berichten berichtjes meldingen notificaties spam smsen",
        fillers="aub alsjeblieft alstublieft nu direct meteen bedankt dank je ok alles ermee "
        "er mee maar nou gewoon met de het deze die",
    ),
    "pl": _cues(
        [
            r"wypis\w*|wyrejestr\w*",
            r"nie (?:chce|chcemy) (?:wiecej |juz )*(?:dostawac |otrzymywac )?(?:wiecej |juz )*"
            r"(?:sms\w*|wiadomosci|powiadomien)",
            r"nie (?:wysylajcie|wysylaj|piszcie|pisz|przysylajcie) (?:mi|do mnie|juz|wiecej)",
            r"(?:przestancie|przestan) (?:mi |do mnie )?(?:wysylac|pisac|przysylac|spamowac)",
            r"koniec (?:z )?(?:sms\w*|wiadomo\w*|powiadomie\w*|tymi)",
            r"usun\w* (?:moj numer|mnie)",
            r"dajcie mi spokoj",
            r"rezygnuj\w* (?:z )?(?:sms\w*|powiadomien|wiadomosci|subskrypcji)",
        ],
        [r"nie wypisuj\w*"],
        [
            r"zly numer|pomylka",
            r"kto (?:to|pisze|mowi)",
            r"nie (?:jestem )?zainteresowan\w*",
            r"spam",
        ],
        stop_words="stop koniec przestancie przestan dosc wystarczy rezygnuje",
        nouns="sms smsy smsow wiadomosci wiadomosc powiadomien powiadomienia spam",
        fillers="prosze teraz juz dziekuje dzieki ok z tym tego mnie mi natychmiast wszystko tych",
    ),
    "tr": _cues(
        [
            r"(?:sms|mesaj|bildirim)\w* (?:gondermeyin|atmayin|yollamayin|istemiyorum|gelmesin)",
            r"(?:sms|mesaj|bildirim)\w* almak istemiyorum",
            r"abonel\w* iptal\w*|iptal\w* abonel\w*|abonelikten cik\w*",
            r"listeden (?:cikar\w*|silin|sil)",
            r"numarami (?:silin|sil|cikarin)",
            r"beni rahat birakin|rahatsiz etmeyin",
            r"bir daha (?:mesaj|sms|yazmayin)",
            r"yazmayin|ret ediyorum|reddediyorum",
        ],
        [r"iptal etmeyin"],
        [r"yanlis numara", r"kimsiniz|kim bu|sen kimsin", r"ilgilenmiyorum", r"spam"],
        stop_words="dur durdur durdurun stop yeter iptal ret",
        nouns="sms mesaj mesajlar mesajlari mesaji bildirim bildirimler bildirimleri smsler "
        "smsleri",
        fillers="lutfen artik hemen tesekkurler tamam ok her sey tum bu su edin et",
    ),
    "ja": _cues(
        [
            r"配信停止|配信解除|配信を(?:停止|止め|やめ|とめ)|登録解除|購読解除",
            r"送らないで|送信しないで|送ってこないで|連絡しないで|メールしないで",
            r"解除して|解除お願い|解除希望",
            r"もう(?:送|来|連絡)",
            r"(?:通知|メッセージ|sms|ショートメール)(?:を|は)?(?:止め|とめ|やめ|停止|不要|いらない|要らない)",
        ],
        [r"(?:停止|止め|やめ|解除)(?:し)?ないで"],
        [
            r"番号(?:間違い|違い)|間違い(?:電話|です)",
            r"誰ですか|どちら様",
            r"興味(?:ない|ありません)",
            r"迷惑",
        ],
        stop_words="止めて とめて やめて 停止 不要 いらない 要らない ストップ",
        nouns="通知 配信 メッセージ sms ショートメール メール",
        whole_replies="やめて やめてください 止めて 止めてください とめて とめてください "
        "ストップして ストップしてください 停止して 停止してください もういい もういいです",
        spaced=False,
    ),
    "zh": _cues(
        [
            r"退订|取消订阅|拒收|勿扰|停发|不再接收",
            r"(?:不要|别|不用|请勿|勿)再?(?:给我)?发(?:短信|信息|消息|了|啦|送)",
            r"(?:不要|别|不用)再发",
            r"不想(?:再)?(?:收到|接收|收)",
            r"停止(?:发送|推送|发)",
            r"取消(?:短信|通知|推送|消息)",
        ],
        [r"(?:不要|别|不)退订"],
        [r"打错了|发错了|发错人", r"你是谁|谁啊", r"不感兴趣", r"骚扰"],
        stop_words="停止 不要 别 不想 不需要 不用",
        nouns="短信 信息 消息 通知 推送 提醒",
        whole_replies="别发了 停 停止吧 不要发了 停止 别发",
        spaced=False,
    ),
    "ar": _cues(
        [
            r"الغاء الاشتراك|الغي الاشتراك|الغوا الاشتراك|الغاء اشتراكي",
            r"لا (?:ترسل|ترسلوا|ترسلي|تبعت|تبعتوا)(?: لي)?(?: اي)? (?:رسائل|رساله|مسجات|اشعارات)",
            r"لا (?:ترسل|ترسلوا|تبعت|تبعتوا) ?لي",
            r"لا اريد (?:اي |هذه |استلام |تلقي )*(?:ال)?(?:رسائل|اشعارات|مسجات)",
            r"(?:ما ابي|مابي|مش عايز|مش عاوز|ما بدي|مابدي) (?:ال)?(?:رسائل|مسجات|اشعارات)",
            r"(?:احذف|احذفوا|امسح|امسحوا|شيل|شيلوا|ازيلوا|ازاله) رقمي",
            r"(?:كفايه|كفي|بس) (?:ال)?(?:رسائل|مسجات)",
            r"اتركوني|اتركني",
            r"توقف(?:وا)? عن (?:ال)?(?:ارسال|مراسلتي|الاتصال)",
            r"(?:اوقف|اوقفوا|وقف|وقفوا) (?:ال)?(?:رسائل|ارسال|اشعارات|مسجات)",
        ],
        [r"لا (?:تلغ|تلغي|تلغوا) الاشتراك"],
        [r"(?:ال)?رقم (?:خطا|غلط)", r"من (?:انت|معي)|مين", r"غير مهتم|مو مهتم", r"ازعاج"],
        stop_words="توقف توقفوا اوقف اوقفوا وقف وقفوا كفي كفايه بطلوا بطل ايقاف الغاء",
        nouns="رسائل الرسائل رساله الرساله مسجات المسجات اشعارات الاشعارات sms الارسال ارسال",
        fillers="من فضلك لو سمحت رجاء الان خلاص شكرا بس يا ارجوك حالا هذا هذه",
    ),
}
