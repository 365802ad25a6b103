package io.chargerstatus.engine;

import io.chargerstatus.status.BatchPlan.ConnectorRow;
import io.chargerstatus.status.BatchPlan.TransactionRow;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.Fact;
import java.util.List;

/** The statement that commits a status-engine batch ({@link EngineStore#commitBatch}), and what it writes. */
final class BatchCommit {
    private BatchCommit() {}

    /**
     * A whole status-engine batch as one statement: history rows, chargers and connectors. One statement
     * is one implicit transaction, so the batch is atomic without BEGIN/COMMIT round trips. Its parameters
     * are numbered by {@link BatchStatement} from the column lists below, one line per column.
     *
     * <p>The events take their seq from the counter row ({@code base + ordinality}): its row lock, held to
     * the commit, orders the batches of every instance, so seqs are gapless and commit in order. A charger
     * is updated only at the epoch this engine claimed; if another instance claimed it since, the fence
     * fails the whole statement (SQLSTATE CS001). Returns the base: the events are base+1 .. base+n.
     *
     * <p>Why it is written the way it is (bench/pg-profile.sh measured each): chargers and connectors are
     * found through their primary key ({@code = ANY}), never a hash join over every charger, which the
     * planner chose for a few hundred rows and which grows with the fleet, not the batch; connectors are
     * updated, and only those the update did not find inserted, because {@code ON CONFLICT DO UPDATE}
     * locks each row first (a WAL record per connector); within one statement the insert sees what the
     * update returned, and a connector inserted concurrently (impossible past the fence) would fail the
     * batch with 23505 rather than be lost. Transactions started and stopped (OCPP 1.6) are written here
     * too: on their own they were two more commits per charging session, most of
     * PostgreSQL's commits under sustained load. One started and stopped in the same batch is one insert
     * (an update cannot see a row inserted by the same statement).
     */
    static final BatchStatement<Batch> COMMIT = new BatchStatement<>();

    /** A history row per change. */
    private static final BatchStatement.Rows<Change> EVENTS = new BatchStatement.Rows<Change>()
            .text("charger_id", Change::chargerId)
            .text("account_id", Change::accountId)
            .text("site_id", Change::siteId)
            .text("status", c -> c.status().name())
            .text(
                    "previous_status",
                    c -> c.previousStatus() == null ? null : c.previousStatus().name())
            .text("fault_code", Change::faultCode)
            .integer(
                    "connector_id",
                    c -> c.connector() == null ? null : c.connector().connectorId())
            .text(
                    "connector_status",
                    c -> c.connector() == null ? null : c.connector().status().name())
            .text(
                    "ocpp_status",
                    c -> c.connector() == null ? null : c.connector().ocppStatus())
            .text(
                    "error_code",
                    c -> c.connector() == null ? null : c.connector().errorCode())
            .text(
                    "vendor_error_code",
                    c -> c.connector() == null ? null : c.connector().vendorErrorCode())
            .text("info", c -> c.connector() == null ? null : c.connector().info())
            .timestamp("ts", Change::timestamp)
            .timestamp("received_at", Change::receivedAt)
            .bool("applied", Change::applied);

    /** A charger's state, at the epoch this engine claimed; vendor and version only when the batch brings them. */
    private static final BatchStatement.Rows<ChargerRow> CHARGERS = new BatchStatement.Rows<ChargerRow>()
            .text("id", r -> r.state().id())
            .text("status", r -> r.state().status().name())
            .timestamp("status_since", r -> r.state().statusSince())
            .text("fault_code", r -> r.state().faultCode())
            .bool("online", r -> r.state().online())
            .timestamp("last_seen_at", r -> r.state().lastSeenAt())
            .timestamp("booted_at", r -> r.state().bootedAt())
            .bool("firmware_updating", r -> r.state().firmwareUpdating())
            .text("vendor", r -> r.boot() == null ? null : r.boot().vendor())
            .text("model", r -> r.boot() == null ? null : r.boot().model())
            .text("firmware_version", r -> r.boot() == null ? null : r.boot().firmwareVersion())
            .text("ocpp_version", ChargerRow::version)
            .bigint("epoch", ChargerRow::epoch);

    /** The connectors the batch touched. */
    private static final BatchStatement.Rows<ConnectorRow> CONNECTORS = new BatchStatement.Rows<ConnectorRow>()
            .text("charger_id", ConnectorRow::chargerId)
            .integer("connector_id", r -> r.connector().connectorId())
            .text("status", r -> r.connector().status().name())
            .text("ocpp_status", r -> r.connector().ocppStatus())
            .text("error_code", r -> r.connector().errorCode())
            .text("vendor_error_code", r -> r.connector().vendorErrorCode())
            .text("info", r -> r.connector().info())
            .timestamp("since", r -> r.connector().since())
            .timestamp("reported_at", r -> r.connector().reportedAt())
            .integer("transaction_id", r -> r.connector().transactionId())
            .text("charging_state", r -> r.connector().chargingState())
            .text("transaction_ref", r -> r.connector().transactionRef())
            .bool("transaction_ended", r -> r.connector().transactionEnded());

    /** OCPP 1.6 transactions started in the batch (stopped too, when both happened in it). */
    private static final BatchStatement.Rows<TransactionRow> STARTED = new BatchStatement.Rows<TransactionRow>()
            .integer("id", TransactionRow::id)
            .text("charger_id", TransactionRow::chargerId)
            .integer("connector_id", TransactionRow::connectorId)
            .text("id_tag", TransactionRow::idTag)
            .integer("meter_start", TransactionRow::meterStart)
            .timestamp("started_at", TransactionRow::startedAt)
            .integer("meter_stop", TransactionRow::meterStop)
            .timestamp("stopped_at", TransactionRow::stoppedAt)
            .text("stop_reason", TransactionRow::stopReason);

    /** OCPP 1.6 transactions of earlier batches stopped in this one. */
    private static final BatchStatement.Rows<TransactionRow> STOPPED = new BatchStatement.Rows<TransactionRow>()
            .integer("id", TransactionRow::id)
            .text("charger_id", TransactionRow::chargerId)
            .integer("meter_stop", TransactionRow::meterStop)
            .timestamp("stopped_at", TransactionRow::stoppedAt)
            .text("reason", TransactionRow::stopReason);

    static final String STATEMENT;

    static {
        String events = COMMIT.unnest(EVENTS, Batch::changes, "u", true);
        String eventCount = COMMIT.scalar(b -> b.changes().size());
        String chargers = COMMIT.unnest(CHARGERS, Batch::chargers, "u", false);
        String chargerIds = COMMIT.column(CHARGERS, "id");
        String chargerCount = COMMIT.scalar(b -> b.chargers().size());
        String connectors = COMMIT.unnest(CONNECTORS, Batch::connectors, "u", false);
        String started = COMMIT.unnest(STARTED, Batch::started, "u", false);
        String stopped = COMMIT.unnest(STOPPED, Batch::stopped, "u", false);
        String stoppedIds = COMMIT.column(STOPPED, "id");
        STATEMENT = """
      WITH counter AS (
        UPDATE event_counter SET last_seq = last_seq + %2$s WHERE id = 1 AND %2$s > 0 RETURNING last_seq - %2$s AS base
      ), ev AS (
        INSERT INTO status_events (seq, %1$s)
        SELECT counter.base + u.ord, %13$s FROM counter, %3$s
        RETURNING 1
      ), ch AS (
        UPDATE chargers c SET status = u.status, status_since = u.status_since, fault_code = u.fault_code,
          online = u.online, last_seen_at = u.last_seen_at, booted_at = u.booted_at, firmware_updating = u.firmware_updating,
          vendor = COALESCE(u.vendor, c.vendor), model = COALESCE(u.model, c.model),
          firmware_version = CASE WHEN u.vendor IS NULL THEN c.firmware_version ELSE u.firmware_version END,
          ocpp_version = COALESCE(u.ocpp_version, c.ocpp_version)
        FROM %4$s
        WHERE c.id = ANY(%5$s) AND c.id = u.id AND c.session_epoch = u.epoch
        RETURNING 1
      ), co_in AS (
        SELECT * FROM %7$s
      ), co AS (
        UPDATE connectors c SET status = u.status, ocpp_status = u.ocpp_status, error_code = u.error_code,
          vendor_error_code = u.vendor_error_code, info = u.info, since = u.since, reported_at = u.reported_at,
          transaction_id = u.transaction_id, charging_state = u.charging_state, transaction_ref = u.transaction_ref,
          transaction_ended = u.transaction_ended
        FROM co_in u
        WHERE c.charger_id = u.charger_id AND c.connector_id = u.connector_id
        RETURNING c.charger_id, c.connector_id
      ), co_new AS (
        INSERT INTO connectors (%8$s)
        SELECT * FROM co_in u
        WHERE NOT EXISTS (SELECT 1 FROM co WHERE co.charger_id = u.charger_id AND co.connector_id = u.connector_id)
        RETURNING 1
      ), tx_new AS (
        INSERT INTO transactions (%9$s)
        OVERRIDING SYSTEM VALUE
        SELECT * FROM %10$s
        RETURNING 1
      ), tx_end AS (
        UPDATE transactions t SET meter_stop = u.meter_stop, stopped_at = u.stopped_at, stop_reason = u.reason
        FROM %11$s
        WHERE t.id = ANY(%12$s) AND t.id = u.id AND t.charger_id = u.charger_id
        RETURNING 1
      )
      SELECT charger_status_fence((SELECT count(*) FROM ch), %6$s) AS fenced, (SELECT base FROM counter) AS base""".formatted(
                        EVENTS.names(),
                        eventCount,
                        events,
                        chargers,
                        chargerIds,
                        chargerCount,
                        connectors,
                        CONNECTORS.names(),
                        STARTED.names(),
                        started,
                        stopped,
                        stoppedIds,
                        EVENTS.names("u."));
    }

    /** What one batch commit writes. */
    record Batch(
            List<Change> changes,
            List<ChargerRow> chargers,
            List<ConnectorRow> connectors,
            List<TransactionRow> started,
            List<TransactionRow> stopped) {}

    /** A charger as a batch writes it: its state, the epoch claimed for it, a boot and a version it brought. */
    record ChargerRow(ChargerState state, long epoch, Fact.Booted boot, String version) {}
}
