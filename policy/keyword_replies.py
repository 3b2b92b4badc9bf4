"""What Herald answers to STOP, START, HELP and to a reply that might be an opt-out.

Always in the customer's language, whatever language the keyword was in, and each
answer names a keyword Herald accepts in that language. Spelled as a native writer
spells it: letters are never dropped to save a segment (Polish, Turkish and Portuguese
answers travel as UCS-2); where a language allows it the sentence is built so it needs
no letter outside GSM-7. The register matches the templates (see each locale's
``glossary.toml``): German "Sie", French "vous", Spanish, Italian, Dutch and Polish "tu".
The clarifying question is the one the FCC allows after an ambiguous revocation: it asks
once, offers nothing else, and names the keyword that confirms.
"""

from __future__ import annotations

from policy.keyword_table import KeywordIntent

HELP, OPT_OUT, OPT_IN = KeywordIntent.HELP, KeywordIntent.OPT_OUT, KeywordIntent.OPT_IN
CONFIRM = KeywordIntent.CONFIRM_OPT_OUT

REPLIES: dict[str, dict[KeywordIntent, str]] = {
    "en": {
        HELP: "{brand}: order and return updates. Help: {support}. "
        "Msg&data rates may apply. Reply STOP to opt out.",
        OPT_OUT: "{brand}: you are unsubscribed and will get no more messages. "
        "Reply START to resubscribe.",
        OPT_IN: "{brand}: you are subscribed again to order and return updates. "
        "Reply HELP for help, STOP to opt out.",
        CONFIRM: "{brand}: do you want to stop getting our texts? Reply STOP to confirm. "
        "Otherwise we will keep you updated on your orders.",
    },
    "es": {
        HELP: "{brand}: avisos de tus pedidos y devoluciones. Ayuda: {support}. "
        "Pueden aplicarse tarifas. Para darte de baja, responde BAJA.",
        OPT_OUT: "{brand}: te has dado de baja y ya no te enviaremos mensajes. "
        "Para volver, responde ALTA.",
        OPT_IN: "{brand}: vuelves a recibir los avisos de tus pedidos y devoluciones. "
        "Para darte de baja, responde BAJA.",
        CONFIRM: "{brand}: ¿quieres dejar de recibir nuestros SMS? Responde BAJA para "
        "confirmarlo. Si no, te seguiremos avisando de tus pedidos.",
    },
    "fr": {
        HELP: "{brand} : suivi de vos commandes et retours. Aide : {support}. "
        "Des frais peuvent s'appliquer. Pour vous désinscrire, répondez STOP.",
        OPT_OUT: "{brand} : votre désinscription est confirmée, vous ne recevrez plus de SMS. "
        "Pour vous réinscrire, répondez START.",
        OPT_IN: "{brand} : vous recevez de nouveau le suivi de vos commandes et retours. "
        "Pour vous désinscrire, répondez STOP.",
        CONFIRM: "{brand} : souhaitez-vous ne plus recevoir nos SMS ? Répondez STOP pour "
        "confirmer. Sinon, nous continuerons à vous informer de vos commandes.",
    },
    "de": {
        HELP: "{brand}: Infos zu Ihren Bestellungen und Retouren. Hilfe: {support}. "
        "Es können Gebühren anfallen. Abmelden: STOP antworten.",
        OPT_OUT: "{brand}: Sie sind abgemeldet und erhalten keine Nachrichten mehr. "
        "Wieder anmelden: START antworten.",
        OPT_IN: "{brand}: Sie erhalten wieder Infos zu Ihren Bestellungen und Retouren. "
        "Abmelden: STOP antworten.",
        CONFIRM: "{brand}: Möchten Sie keine SMS mehr von uns erhalten? Dann antworten Sie "
        "STOP. Sonst informieren wir Sie weiter über Ihre Bestellungen.",
    },
    "it": {
        HELP: "{brand}: aggiornamenti su ordini e resi. Assistenza: {support}. "
        "Potrebbero essere applicati costi. Per non ricevere più SMS rispondi STOP.",
        OPT_OUT: "{brand}: iscrizione annullata, non riceverai più SMS. "
        "Per iscriverti di nuovo rispondi START.",
        OPT_IN: "{brand}: riceverai di nuovo gli aggiornamenti su ordini e resi. "
        "Per non ricevere più SMS rispondi STOP.",
        CONFIRM: "{brand}: vuoi smettere di ricevere i nostri SMS? Rispondi STOP per "
        "confermare, altrimenti continueremo ad aggiornarti sui tuoi ordini.",
    },
    "pt": {
        HELP: "{brand}: avisos de pedidos e trocas. Ajuda: {support}. "
        "Podem ser cobradas tarifas. Para sair, responda SAIR.",
        OPT_OUT: "{brand}: você saiu da lista e não receberá mais mensagens. "
        "Para voltar a receber, responda VOLTAR.",
        OPT_IN: "{brand}: você voltou a receber avisos de pedidos e trocas. "
        "Para sair, responda SAIR.",
        CONFIRM: "{brand}: quer parar de receber nossas mensagens? Para confirmar, responda SAIR.",
    },
    "nl": {
        HELP: "{brand}: berichten over je bestellingen en retouren. Hulp: {support}. "
        "Er kunnen kosten gelden. Afmelden? Antwoord STOP.",
        OPT_OUT: "{brand}: je bent afgemeld en krijgt geen berichten meer van ons. "
        "Weer aanmelden? Antwoord START.",
        OPT_IN: "{brand}: je krijgt weer berichten over je bestellingen en retouren. "
        "Afmelden? Antwoord STOP.",
        CONFIRM: "{brand}: wil je geen sms'jes meer van ons? Antwoord STOP om je af te "
        "melden. Anders houden we je op de hoogte van je bestellingen.",
    },
    "pl": {
        HELP: "{brand}: powiadomienia o zamówieniach i zwrotach. Pomoc: {support}. "
        "Mogą obowiązywać opłaty. Rezygnacja: odpisz STOP.",
        OPT_OUT: "{brand}: wypisaliśmy Cię z powiadomień, nie wyślemy już SMS-ów. "
        "Aby wrócić, odpisz START.",
        OPT_IN: "{brand}: znów będziesz dostawać powiadomienia o zamówieniach i zwrotach. "
        "Aby zrezygnować, odpisz STOP.",
        CONFIRM: "{brand}: chcesz przestać dostawać nasze SMS-y? Odpisz STOP, aby potwierdzić.",
    },
    "tr": {
        HELP: "{brand}: sipariş ve iade bildirimleri. Yardım: {support}. "
        "Ücret uygulanabilir. Mesaj almamak için RET yazın.",
        OPT_OUT: "{brand}: aboneliğiniz sonlandırıldı, artık mesaj almayacaksınız. "
        "Yeniden abone olmak için BAŞLA yazın.",
        OPT_IN: "{brand}: sipariş ve iade bildirimlerine yeniden abone oldunuz. "
        "Mesaj almamak için RET yazın.",
        CONFIRM: "{brand}: mesajlarımızı almak istemiyor musunuz? Onaylamak için RET yazın.",
    },
    "ja": {
        HELP: "【{brand}】注文・返品のお知らせ。お問い合わせ：{support}。"
        "通信料がかかる場合があります。配信停止は「停止」と返信してください。",
        OPT_OUT: "【{brand}】配信を停止しました。今後メッセージは届きません。"
        "再開するには「開始」と返信してください。",
        OPT_IN: "【{brand}】注文・返品のお知らせの配信を再開しました。"
        "配信停止は「停止」と返信してください。",
        CONFIRM: "【{brand}】今後のメッセージの配信停止をご希望ですか？"
        "ご希望の場合は「停止」と返信してください。",
    },
    "zh": {
        HELP: "【{brand}】订单和退货通知。帮助：{support}。可能产生短信和流量费用。回复TD退订。",
        OPT_OUT: "【{brand}】您已退订，将不再收到消息。回复“订阅”可重新订阅。",
        OPT_IN: "【{brand}】您已重新订阅订单和退货通知。回复TD退订。",
        CONFIRM: "【{brand}】您是否不想再收到我们的短信？如需退订，请回复TD。",
    },
    "ar": {
        HELP: "{brand}: إشعارات الطلبات والمرتجعات. للمساعدة: {support}. "
        "قد تطبق رسوم الرسائل والبيانات. للإلغاء أرسل «إيقاف».",
        OPT_OUT: "{brand}: تم إلغاء اشتراكك ولن تصلك رسائل أخرى. أرسل «اشتراك» للاشتراك من جديد.",
        OPT_IN: "{brand}: تم تجديد اشتراكك في إشعارات الطلبات والمرتجعات. "
        "أرسل «إيقاف» لإلغاء الاشتراك.",
        CONFIRM: "{brand}: هل تريد إيقاف رسائلنا؟ أرسل «إيقاف» للتأكيد، "
        "وإلا فسنواصل إعلامك بطلباتك.",
    },
}
