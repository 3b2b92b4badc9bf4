"""The search attributes ops filter on in the Web UI (registered on the server at start)."""

from temporalio.common import SearchAttributeKey

ORDER_ID = SearchAttributeKey.for_keyword("HeraldOrderId")
KIND = SearchAttributeKey.for_keyword("HeraldKind")
LAST_MILESTONE = SearchAttributeKey.for_keyword("HeraldMilestone")
NOTIFICATION_STATE = SearchAttributeKey.for_keyword("HeraldNotificationState")

ALL = (ORDER_ID, KIND, LAST_MILESTONE, NOTIFICATION_STATE)
