#!/bin/sh
# Creates Herald's namespace if it is missing and registers Herald's custom search
# attributes on it. Runs in the temporalio/admin-tools image once the server is up;
# the namespace part follows temporalio/samples-server
# compose/scripts/create-namespace.sh.
#
# Idempotent: an attribute that is already registered as a Keyword is skipped, one
# registered with another type stops the script with an error.
set -eu

TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
SEARCH_ATTRIBUTES="HeraldOrderId HeraldMilestone HeraldNotificationState HeraldKind"

host=$(echo "$TEMPORAL_ADDRESS" | cut -d: -f1)
port=$(echo "$TEMPORAL_ADDRESS" | cut -d: -f2)

echo "Waiting for the Temporal frontend at ${TEMPORAL_ADDRESS}..."
nc -z -w 10 "$host" "$port"
# As the official script does: dial the IPv4 address, not the name.
ip=$(getent ahosts "$host" | grep STREAM | head -1 | awk '{print $1}')
ADDRESS="${ip:-$host}:${port}"

attempt=0
until temporal operator cluster health --address "$ADDRESS"; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 30 ]; then
        echo "Temporal did not become healthy" >&2
        exit 1
    fi
    sleep 2
done

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
    echo "Namespace '$NAMESPACE' exists"
else
    echo "Creating namespace '$NAMESPACE' (retention $RETENTION)..."
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --address "$ADDRESS"
fi

# One `create` per attribute: every `temporal` CLI release accepts one --name with
# one --type. Retried, because a namespace created a moment ago takes a few seconds
# to reach every part of the server.
register() {
    name=$1
    attempt=0
    while :; do
        row=$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS" 2>/dev/null | grep -w "$name" || true)
        if [ -n "$row" ]; then
            # "Keyword" (or INDEXED_VALUE_TYPE_KEYWORD), not KeywordList.
            if echo "$row" | grep -qiE '(^|[^a-z])keyword([^a-z_]|$)'; then
                echo "Search attribute $name is registered"
                return 0
            fi
            echo "Search attribute $name exists with another type: $row" >&2
            return 1
        fi
        if temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type Keyword --address "$ADDRESS"; then
            return 0
        fi
        attempt=$((attempt + 1))
        if [ "$attempt" -ge 30 ]; then
            echo "Could not register search attribute $name" >&2
            return 1
        fi
        sleep 2
    done
}

for name in $SEARCH_ATTRIBUTES; do
    register "$name"
done
echo "Namespace '$NAMESPACE' is ready with Herald's search attributes"
