package io.chargerstatus.notify;

import io.chargerstatus.store.EventHistory;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Subscriptions, their cursors and leases, the messages they are owed (read from the history and from
 * incident_events, never copied) and the delivery log.
 */
public final class WebhookStore extends Sql {
    public static final List<String> EVENT_TYPES =
            List.of("incident.opened", "incident.resolved", "incident.reminder", "status.changed");

    /** The type of a message that is not sent, only passed: see {@link Channel.Source}. */
    public static final String SKIP = "cursor.advance";

    /** The REST API's subscriptions: webhooks and e-mail, not the OCPI partners' pushes (they have their API). */
    private static final String OWN = " AND url NOT LIKE 'ocpi:%'";

    public WebhookStore(Sql.Access access) {
        super(access);
    }

    /** A subscription as a deliverer holds it. */
    public record Subscription(
            String id,
            String accountId,
            String url,
            List<String> events,
            String secret,
            long statusSeq,
            long incidentSeq) {
        boolean wants(String type) {
            return events.contains(type);
        }

        boolean mail() {
            return url.startsWith("mailto:");
        }
    }

    /**
     * One message owed: its webhook-id, type, the body exactly as it is signed and sent, and which cursor it
     * advances.
     */
    public record Message(String id, String type, String body, boolean status, long position, Instant createdAt) {
        /** The body as JSON (what an e-mail is written from). */
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    /** One attempt, for the log. */
    public record Attempt(
            String webhookId,
            String messageId,
            String type,
            int attempt,
            Instant at,
            Integer httpStatus,
            String error,
            String outcome,
            Instant nextAt,
            long latencyMs) {}

    // ---- REST ---------------------------------------------------------------------------------

    /** A new subscription starts at the present: it is owed what happens from now on. */
    public Future<JsonObject> create(String id, String accountId, String url, List<String> events, String secret) {
        return exec("""
          INSERT INTO webhooks (id, account_id, url, events, secret, status_seq, incident_seq)
          VALUES ($1, $2, $3, $4, $5, (SELECT last_seq FROM event_counter WHERE id = 1),
                  (SELECT coalesce(max(id), 0) FROM incident_events))
          RETURNING *""", Tuple.of(id, accountId, url, events.toArray(String[]::new), secret))
                .map(rows -> json(rows.iterator().next()).put("secret", secret));
    }

    public Future<JsonArray> list(String accountId) {
        return exec(
                        "SELECT * FROM webhooks WHERE ($1::text IS NULL OR account_id = $1)" + OWN
                                + " ORDER BY created_at, id",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, WebhookStore::json));
    }

    public Future<Subscription> subscription(String id, String accountId) {
        return exec(
                        "SELECT * FROM webhooks WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)" + OWN,
                        Tuple.of(id, accountId))
                .map(rows ->
                        rows.size() == 0 ? null : subscription(rows.iterator().next()));
    }

    public Future<Boolean> delete(String id, String accountId) {
        return exec(
                        "DELETE FROM webhooks WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)" + OWN,
                        Tuple.of(id, accountId))
                .map(rows -> rows.rowCount() > 0);
    }

    public Future<JsonArray> deliveries(String webhookId, int limit) {
        return exec(
                        "SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
                        Tuple.of(webhookId, limit))
                .map(rows -> collect(
                        rows,
                        r -> new JsonObject()
                                .put("messageId", r.getString("message_id"))
                                .put("type", r.getString("type"))
                                .put("attempt", r.getInteger("attempt"))
                                .put("attemptedAt", iso(r, "attempted_at"))
                                .put("httpStatus", r.getInteger("http_status"))
                                .put("error", r.getString("error"))
                                .put("outcome", r.getString("outcome"))
                                .put("nextAttemptAt", iso(r, "next_at"))
                                .put("latencyMs", r.getInteger("latency_ms"))));
    }

    private static JsonObject json(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("accountId", r.getString("account_id"))
                .put("url", r.getString("url"))
                .put("events", new JsonArray(List.of(r.getArrayOfStrings("events"))))
                .put("createdAt", iso(r, "created_at"));
    }

    private static Subscription subscription(Row r) {
        return new Subscription(
                r.getString("id"),
                r.getString("account_id"),
                r.getString("url"),
                List.of(r.getArrayOfStrings("events")),
                r.getString("secret"),
                r.getLong("status_seq"),
                r.getLong("incident_seq"));
    }

    // ---- leases -------------------------------------------------------------------------------

    /** Renews this instance's leases; the ids it still holds (a subscription deleted or taken is not among them). */
    public Future<List<String>> renew(String owner, int leaseS) {
        return exec(
                        "UPDATE webhooks SET lease_until = now() + make_interval(secs => $2) WHERE lease_owner = $1"
                                + " RETURNING id",
                        Tuple.of(owner, leaseS))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getString("id")));
                    return ids;
                });
    }

    /**
     * Takes up to {@code max} subscriptions nobody holds (or whose holder's lease lapsed), skipping those another
     * instance is taking at this moment: each subscription has one deliverer, so its messages stay in order and
     * none is sent by two instances at once.
     */
    public Future<List<Subscription>> claim(String owner, int leaseS, int max) {
        return exec("""
          WITH free AS (
            SELECT id FROM webhooks WHERE lease_owner IS NULL OR lease_until < now()
            ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
          UPDATE webhooks w SET lease_owner = $1, lease_until = now() + make_interval(secs => $2)
          FROM free WHERE w.id = free.id RETURNING w.*""", Tuple.of(owner, leaseS, max)).map(rows -> {
            List<Subscription> out = new ArrayList<>();
            rows.forEach(r -> out.add(subscription(r)));
            return out;
        });
    }

    public Future<Integer> count() {
        return exec("SELECT count(*) AS n FROM webhooks")
                .map(rows -> rows.iterator().next().getInteger("n"));
    }

    public Future<Void> release(String owner) {
        return exec(
                        "UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
                        Tuple.of(owner))
                .mapEmpty();
    }

    // ---- what a subscription is owed ----------------------------------------------------------

    public Future<List<Message>> incidentMessages(Subscription s, long after, int limit) {
        return exec("""
          SELECT id, type, incident_id, payload::text AS payload, created_at FROM incident_events
          WHERE account_id = $1 AND id > $2 AND type = ANY($3) ORDER BY id LIMIT $4""", Tuple.of(s.accountId(), after, s.events().toArray(String[]::new), limit))
                .map(rows -> {
                    List<Message> out = new ArrayList<>();
                    rows.forEach(r -> {
                        Instant at = instant(r, "created_at");
                        String type = r.getString("type");
                        out.add(new Message(
                                "msg_" + r.getString("incident_id") + "_" + type.substring("incident.".length()) + "_"
                                        + r.getLong("id"),
                                type,
                                body(type, at, new JsonObject(r.getString("payload")))
                                        .encode(),
                                false,
                                r.getLong("id"),
                                at));
                    });
                    return out;
                });
    }

    private static final String STATUS_AFTER = """
      SELECT * FROM status_events WHERE account_id = $1 AND seq > $2 AND applied ORDER BY seq LIMIT $3""";

    public Future<List<Message>> statusMessages(Subscription s, long after, int limit) {
        return exec(STATUS_AFTER, Tuple.of(s.accountId(), after, limit)).map(rows -> {
            List<Message> out = new ArrayList<>();
            rows.forEach(r -> {
                Instant at = instant(r, "received_at");
                // Written as the payload's text at once: one encoding per message, none of the envelope.
                String body = "{\"type\":\"status.changed\",\"timestamp\":\"" + at + "\",\"data\":"
                        + EventHistory.event(r).encode() + "}";
                out.add(new Message(
                        "msg_status_" + r.getLong("seq"), "status.changed", body, true, r.getLong("seq"), at));
            });
            return out;
        });
    }

    /** The Standard Webhooks payload: {@code {"type","timestamp","data"}}. */
    public static JsonObject body(String type, Instant at, JsonObject data) {
        return new JsonObject()
                .put("type", type)
                .put("timestamp", at.toString())
                .put("data", data);
    }

    // ---- written back in batches ------------------------------------------------------------------

    /**
     * The cursors this instance advanced, written only while it still holds the subscription (a lease taken by
     * another instance is not overwritten: the ids returned are those written).
     */
    public Future<List<String>> saveCursors(
            String owner, List<String> ids, List<Long> statusSeqs, List<Long> incidentSeqs) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return exec(
                        """
          UPDATE webhooks w SET status_seq = greatest(w.status_seq, c.s), incident_seq = greatest(w.incident_seq, c.i)
          FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS c(id, s, i)
          WHERE w.id = c.id AND w.lease_owner = $1 RETURNING w.id""",
                        Tuple.of(
                                owner,
                                ids.toArray(String[]::new),
                                statusSeqs.toArray(Long[]::new),
                                incidentSeqs.toArray(Long[]::new)))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("id")));
                    return out;
                });
    }

    /** The attempts since the last write; those of a subscription deleted meanwhile are dropped. */
    public Future<Void> log(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return Future.succeededFuture();
        }
        int n = attempts.size();
        String[] hooks = new String[n];
        String[] messages = new String[n];
        String[] types = new String[n];
        Integer[] numbers = new Integer[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        Integer[] codes = new Integer[n];
        String[] errors = new String[n];
        String[] outcomes = new String[n];
        OffsetDateTime[] nexts = new OffsetDateTime[n];
        Integer[] latencies = new Integer[n];
        for (int i = 0; i < n; i++) {
            Attempt a = attempts.get(i);
            hooks[i] = a.webhookId();
            messages[i] = a.messageId();
            types[i] = a.type();
            numbers[i] = a.attempt();
            ats[i] = odt(a.at());
            codes[i] = a.httpStatus();
            errors[i] = a.error();
            outcomes[i] = a.outcome();
            nexts[i] = odt(a.nextAt());
            latencies[i] = (int) Math.min(Integer.MAX_VALUE, a.latencyMs());
        }
        return exec("""
          INSERT INTO webhook_deliveries (webhook_id, message_id, type, attempt, attempted_at, http_status, error,
                                          outcome, next_at, latency_ms)
          SELECT t.* FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::int[],
                                 $7::text[], $8::text[], $9::timestamptz[], $10::int[])
               AS t(webhook_id, message_id, type, attempt, attempted_at, http_status, error, outcome, next_at, latency_ms)
          WHERE EXISTS (SELECT 1 FROM webhooks w WHERE w.id = t.webhook_id)""", Tuple.from(new Object[] {
                    hooks, messages, types, numbers, ats, codes, errors, outcomes, nexts, latencies
                }))
                .mapEmpty();
    }

    /** Keeps the newest {@code keep} log rows of each subscription. */
    public Future<Void> prune(int keep) {
        return exec("""
          DELETE FROM webhook_deliveries d USING (
            SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY webhook_id ORDER BY id DESC) AS n
                            FROM webhook_deliveries) ranked WHERE n > $1) old
          WHERE d.id = old.id""", Tuple.of(keep)).mapEmpty();
    }
}
