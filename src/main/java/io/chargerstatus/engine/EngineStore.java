package io.chargerstatus.engine;

import io.chargerstatus.bus.Bus;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.ConnectorState;
import io.chargerstatus.status.Fact;
import io.chargerstatus.status.Status;
import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The status engine's data: the state it starts from, its batch commits, and the registry changes it
 * serialises with them (chargers added, changed, removed). Nothing else writes these rows.
 */
public final class EngineStore extends Sql {
    private static final String CHARGER_COLUMNS =
            "id, account_id, site_id, name, secured, status, status_since, fault_code, online, last_seen_at, booted_at, "
                    + "firmware_updating, vendor, model, firmware_version, ocpp_version";

    private static final String INSERT_CHARGER = """
      INSERT INTO chargers (id, account_id, site_id, name, secured, password_hash, status_since)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

    private static final String UPDATE_CHARGER = """
      UPDATE chargers SET
        name = CASE WHEN $2 THEN $3 ELSE name END,
        site_id = CASE WHEN $4 THEN $5 ELSE site_id END,
        secured = COALESCE($6, secured),
        password_hash = CASE WHEN $7 THEN $8 ELSE password_hash END
      WHERE id = $1""";

    /**
     * A whole status-engine batch as one statement: history rows, chargers and connectors. One statement
     * is one implicit transaction, so the batch is atomic without BEGIN/COMMIT round trips. Parameters:
     * $1-$15 events, $16-$28 chargers (the last their claimed epochs), $29-$38 and $41-$43 connectors, $39
     * the number of events, $40 the number of chargers.
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
     * too, $44-$52 and $53-$57: on their own they were two more commits per charging session, most of
     * PostgreSQL's commits under sustained load. One started and stopped in the same batch is one insert
     * (an update cannot see a row inserted by the same statement).
     */
    static final String COMMIT_BATCH = """
      WITH counter AS (
        UPDATE event_counter SET last_seq = last_seq + $39 WHERE id = 1 AND $39 > 0 RETURNING last_seq - $39 AS base
      ), ev AS (
        INSERT INTO status_events (seq, charger_id, account_id, site_id, status, previous_status, fault_code,
          connector_id, connector_status, ocpp_status, error_code, vendor_error_code, info, ts, received_at, applied)
        SELECT counter.base + u.ord, charger_id, account_id, site_id, status, previous_status, fault_code, connector_id,
          connector_status, ocpp_status, error_code, vendor_error_code, info, ts, received_at, applied
        FROM counter, unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
          $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[],
          $15::boolean[])
          WITH ORDINALITY AS u(charger_id, account_id, site_id, status, previous_status, fault_code, connector_id,
          connector_status, ocpp_status, error_code, vendor_error_code, info, ts, received_at, applied, ord)
        RETURNING 1
      ), ch AS (
        UPDATE chargers c SET status = u.status, status_since = u.status_since, fault_code = u.fault_code,
          online = u.online, last_seen_at = u.last_seen_at, booted_at = u.booted_at, firmware_updating = u.firmware_updating,
          vendor = COALESCE(u.vendor, c.vendor), model = COALESCE(u.model, c.model),
          firmware_version = CASE WHEN u.vendor IS NULL THEN c.firmware_version ELSE u.firmware_version END,
          ocpp_version = COALESCE(u.ocpp_version, c.ocpp_version)
        FROM unnest($16::text[], $17::text[], $18::timestamptz[], $19::text[], $20::boolean[], $21::timestamptz[],
          $22::timestamptz[], $23::boolean[], $24::text[], $25::text[], $26::text[], $27::text[], $28::bigint[])
          AS u(id, status, status_since, fault_code, online, last_seen_at, booted_at, firmware_updating, vendor, model,
          firmware_version, ocpp_version, epoch)
        WHERE c.id = ANY($16::text[]) AND c.id = u.id AND c.session_epoch = u.epoch
        RETURNING 1
      ), co_in AS (
        SELECT * FROM unnest($29::text[], $30::int[], $31::text[], $32::text[], $33::text[], $34::text[], $35::text[],
          $36::timestamptz[], $37::timestamptz[], $38::int[], $41::text[], $42::text[], $43::boolean[])
          AS u(charger_id, connector_id, status, ocpp_status, error_code, vendor_error_code, info, since, reported_at,
          transaction_id, charging_state, transaction_ref, transaction_ended)
      ), co AS (
        UPDATE connectors c SET status = u.status, ocpp_status = u.ocpp_status, error_code = u.error_code,
          vendor_error_code = u.vendor_error_code, info = u.info, since = u.since, reported_at = u.reported_at,
          transaction_id = u.transaction_id, charging_state = u.charging_state, transaction_ref = u.transaction_ref,
          transaction_ended = u.transaction_ended
        FROM co_in u
        WHERE c.charger_id = u.charger_id AND c.connector_id = u.connector_id
        RETURNING c.charger_id, c.connector_id
      ), co_new AS (
        INSERT INTO connectors (charger_id, connector_id, status, ocpp_status, error_code, vendor_error_code, info, since,
          reported_at, transaction_id, charging_state, transaction_ref, transaction_ended)
        SELECT * FROM co_in u
        WHERE NOT EXISTS (SELECT 1 FROM co WHERE co.charger_id = u.charger_id AND co.connector_id = u.connector_id)
        RETURNING 1
      ), tx_new AS (
        INSERT INTO transactions (id, charger_id, connector_id, id_tag, meter_start, started_at, meter_stop, stopped_at,
          stop_reason)
        OVERRIDING SYSTEM VALUE
        SELECT * FROM unnest($44::int[], $45::text[], $46::int[], $47::text[], $48::int[], $49::timestamptz[],
          $50::int[], $51::timestamptz[], $52::text[])
        RETURNING 1
      ), tx_end AS (
        UPDATE transactions t SET meter_stop = u.meter_stop, stopped_at = u.stopped_at, stop_reason = u.reason
        FROM unnest($53::int[], $54::text[], $55::int[], $56::timestamptz[], $57::text[])
          AS u(id, charger_id, meter_stop, stopped_at, reason)
        WHERE t.id = ANY($53::int[]) AND t.id = u.id AND t.charger_id = u.charger_id
        RETURNING 1
      )
      SELECT charger_status_fence((SELECT count(*) FROM ch), $40) AS fenced, (SELECT base FROM counter) AS base""";

    /** Takes the session state of chargers for this instance: the new epoch fences out the previous holder. */
    private static final String CLAIM = "UPDATE chargers SET session_owner = $2, session_epoch = session_epoch + 1 "
            + "WHERE id = ANY($1::text[]) RETURNING " + CHARGER_COLUMNS + ", session_epoch";

    /**
     * The sweep: chargers still marked online whose holder is no live member (an instance killed, or the
     * previous process of a single instance), taken by this instance to be recorded offline.
     */
    private static final String CLAIM_ORPHANS =
            "UPDATE chargers SET session_owner = $2, session_epoch = session_epoch + 1 "
                    + "WHERE online AND (session_owner IS NULL OR NOT (session_owner = ANY($1::text[]))) "
                    + "RETURNING " + CHARGER_COLUMNS + ", session_epoch";

    /** SQLSTATE of a batch refused by the fence: a charger of it is held by another instance now. */
    public static final String FENCED = "CS001";

    /** Queries over the engine's own pool. */
    public EngineStore(Sql.Access access) {
        super(access);
    }

    /** A charger's state as this engine claimed it, and the epoch its batches must match. */
    public record Claimed(ChargerState state, long epoch) {}

    /** Claims these chargers for {@code node}; ids that do not exist (any more) are left out. */
    public Future<List<Claimed>> claim(List<String> ids, String node) {
        return claimed(exec(CLAIM, Tuple.of(ids.toArray(new String[0]), node)));
    }

    /** Claims for {@code node} every charger marked online whose holder is not one of {@code members}. */
    public Future<List<Claimed>> claimOrphans(List<String> members, String node) {
        return claimed(exec(CLAIM_ORPHANS, Tuple.of(members.toArray(new String[0]), node)));
    }

    private Future<List<Claimed>> claimed(Future<RowSet<Row>> claim) {
        return claim.compose(rows -> {
            if (rows.size() == 0) {
                return Future.succeededFuture(List.of());
            }
            List<String> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getString("id")));
            // Read after the claim: a previous holder's batch either committed before it (and is seen here) or
            // is fenced out by it.
            return exec(
                            "SELECT * FROM connectors WHERE charger_id = ANY($1::text[])",
                            Tuple.of(ids.toArray(new String[0])))
                    .map(connectors -> {
                        Map<String, TreeMap<Integer, ConnectorState>> byCharger = new HashMap<>();
                        for (Row r : connectors) {
                            byCharger
                                    .computeIfAbsent(r.getString("charger_id"), k -> new TreeMap<>())
                                    .put(r.getInteger("connector_id"), connectorState(r));
                        }
                        List<Claimed> claimed = new ArrayList<>();
                        for (Row r : rows) {
                            claimed.add(new Claimed(
                                    chargerState(r, byCharger.getOrDefault(r.getString("id"), new TreeMap<>())),
                                    r.getLong("session_epoch")));
                        }
                        return claimed;
                    });
        });
    }

    /**
     * Commits one batch of the status engine atomically, in one statement and one round trip: the history
     * rows, the chargers' state (each at its claimed epoch) and the touched connectors. Returns the base of
     * the events' sequence numbers: {@code changes} get base+1, base+2 ... in order.
     */
    public Future<Long> commitBatch(
            List<ChargerState> chargers,
            List<Long> epochs,
            List<ConnectorRow> connectors,
            List<Change> changes,
            Map<String, Fact.Booted> boots,
            Map<String, String> versions,
            List<TransactionRow> started,
            List<TransactionRow> stopped) {
        Tuple events = eventArrays(changes);
        Tuple states = chargerArrays(chargers, epochs, boots, versions);
        Tuple rows = connectorArrays(connectors);
        Tuple evse = evseArrays(connectors);
        Tuple starts = startedArrays(started);
        Tuple stops = stoppedArrays(stopped);
        Object[] all = new Object
                [events.size() + states.size() + rows.size() + 2 + evse.size() + starts.size() + stops.size()];
        int i = 0;
        for (Tuple t : List.of(events, states, rows)) {
            for (int j = 0; j < t.size(); j++) {
                all[i++] = t.getValue(j);
            }
        }
        all[i++] = changes.size();
        all[i++] = chargers.size();
        for (Tuple t : List.of(evse, starts, stops)) {
            for (int j = 0; j < t.size(); j++) {
                all[i++] = t.getValue(j);
            }
        }
        // No deadline here, unlike every other query: a commit given up on could still land later, and its events
        // would then never be published. A hung database holds this batch; the engine refuses what queues behind it.
        return report(pool.preparedQuery(COMMIT_BATCH).execute(Tuple.from(all))).map(result -> {
            Long base = result.iterator().next().getLong("base");
            return base == null ? 0L : base;
        });
    }

    /** A connector of a charger, as the status engine persists it. */
    public record ConnectorRow(String chargerId, ConnectorState connector) {}

    /**
     * A transaction as a batch writes it: started (stop fields null unless it also stopped in that batch),
     * or stopped (only id, charger and the stop fields are used).
     */
    public record TransactionRow(
            int id,
            String chargerId,
            int connectorId,
            String idTag,
            int meterStart,
            Instant startedAt,
            Integer meterStop,
            Instant stoppedAt,
            String stopReason) {

        public static TransactionRow stop(Fact.TransactionStopped s) {
            return new TransactionRow(
                    s.transactionId(), s.chargerId(), 0, null, 0, null, s.meterStop(), s.stoppedAt(), s.reason());
        }

        /** This started transaction, stopped as well. */
        public TransactionRow stoppedBy(Fact.TransactionStopped s) {
            return new TransactionRow(
                    id, chargerId, connectorId, idTag, meterStart, startedAt, s.meterStop(), s.stoppedAt(), s.reason());
        }
    }

    /**
     * Numbers {@code count} transactions from the table's own sequence, before the batch that records them:
     * the charger's StartTransaction.conf carries the number, and the batch writes it on the connector too.
     */
    public Future<List<Integer>> transactionIds(int count) {
        return exec(
                        "SELECT nextval(pg_get_serial_sequence('transactions', 'id'))::int FROM generate_series(1, $1)",
                        Tuple.of(count))
                .map(rows -> {
                    List<Integer> ids = new ArrayList<>(count);
                    rows.forEach(r -> ids.add(r.getInteger(0)));
                    return ids;
                });
    }

    private static Tuple startedArrays(List<TransactionRow> rows) {
        int n = rows.size();
        Integer[] id = new Integer[n],
                connector = new Integer[n],
                meterStart = new Integer[n],
                meterStop = new Integer[n];
        String[] charger = new String[n], idTag = new String[n], reason = new String[n];
        OffsetDateTime[] startedAt = new OffsetDateTime[n], stoppedAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            TransactionRow t = rows.get(i);
            id[i] = t.id();
            charger[i] = t.chargerId();
            connector[i] = t.connectorId();
            idTag[i] = t.idTag();
            meterStart[i] = t.meterStart();
            startedAt[i] = odt(t.startedAt());
            meterStop[i] = t.meterStop();
            stoppedAt[i] = odt(t.stoppedAt());
            reason[i] = t.stopReason();
        }
        return Tuple.from(
                new Object[] {id, charger, connector, idTag, meterStart, startedAt, meterStop, stoppedAt, reason});
    }

    private static Tuple stoppedArrays(List<TransactionRow> rows) {
        int n = rows.size();
        Integer[] id = new Integer[n], meterStop = new Integer[n];
        String[] charger = new String[n], reason = new String[n];
        OffsetDateTime[] stoppedAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            TransactionRow t = rows.get(i);
            id[i] = t.id();
            charger[i] = t.chargerId();
            meterStop[i] = t.meterStop();
            stoppedAt[i] = odt(t.stoppedAt());
            reason[i] = t.stopReason();
        }
        return Tuple.from(new Object[] {id, charger, meterStop, stoppedAt, reason});
    }

    private static Tuple eventArrays(List<Change> changes) {
        int n = changes.size();
        String[] charger = new String[n],
                account = new String[n],
                site = new String[n],
                status = new String[n],
                previous = new String[n],
                fault = new String[n],
                cStatus = new String[n],
                ocpp = new String[n],
                error = new String[n],
                vendorError = new String[n],
                info = new String[n];
        Integer[] connector = new Integer[n];
        OffsetDateTime[] ts = new OffsetDateTime[n], received = new OffsetDateTime[n];
        Boolean[] applied = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            charger[i] = c.chargerId();
            account[i] = c.accountId();
            site[i] = c.siteId();
            status[i] = c.status().name();
            previous[i] = c.previousStatus() == null ? null : c.previousStatus().name();
            fault[i] = c.faultCode();
            ConnectorState k = c.connector();
            if (k != null) {
                connector[i] = k.connectorId();
                cStatus[i] = k.status().name();
                ocpp[i] = k.ocppStatus();
                error[i] = k.errorCode();
                vendorError[i] = k.vendorErrorCode();
                info[i] = k.info();
            }
            ts[i] = odt(c.timestamp());
            received[i] = odt(c.receivedAt());
            applied[i] = c.applied();
        }
        return Tuple.from(new Object[] {
            charger,
            account,
            site,
            status,
            previous,
            fault,
            connector,
            cStatus,
            ocpp,
            error,
            vendorError,
            info,
            ts,
            received,
            applied
        });
    }

    private static Tuple chargerArrays(
            List<ChargerState> chargers,
            List<Long> epochs,
            Map<String, Fact.Booted> boots,
            Map<String, String> versions) {
        int n = chargers.size();
        String[] id = new String[n],
                status = new String[n],
                fault = new String[n],
                vendor = new String[n],
                model = new String[n],
                firmware = new String[n],
                ocpp = new String[n];
        OffsetDateTime[] since = new OffsetDateTime[n], seen = new OffsetDateTime[n], booted = new OffsetDateTime[n];
        Boolean[] online = new Boolean[n], updating = new Boolean[n];
        for (int i = 0; i < n; i++) {
            ChargerState c = chargers.get(i);
            id[i] = c.id();
            status[i] = c.status().name();
            fault[i] = c.faultCode();
            since[i] = odt(c.statusSince());
            seen[i] = odt(c.lastSeenAt());
            booted[i] = odt(c.bootedAt());
            online[i] = c.online();
            updating[i] = c.firmwareUpdating();
            Fact.Booted boot = boots.get(c.id());
            if (boot != null) {
                vendor[i] = boot.vendor();
                model[i] = boot.model();
                firmware[i] = boot.firmwareVersion();
            }
            ocpp[i] = versions.get(c.id()); // the version of a session that opened in this batch
        }
        return Tuple.from(new Object[] {
            id,
            status,
            since,
            fault,
            online,
            seen,
            booted,
            updating,
            vendor,
            model,
            firmware,
            ocpp,
            epochs.toArray(new Long[0])
        });
    }

    private static Tuple connectorArrays(List<ConnectorRow> rows) {
        int n = rows.size();
        String[] charger = new String[n],
                status = new String[n],
                ocpp = new String[n],
                error = new String[n],
                vendorError = new String[n],
                info = new String[n];
        Integer[] connector = new Integer[n], tx = new Integer[n];
        OffsetDateTime[] since = new OffsetDateTime[n], reported = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            ConnectorRow r = rows.get(i);
            ConnectorState c = r.connector();
            charger[i] = r.chargerId();
            connector[i] = c.connectorId();
            status[i] = c.status().name();
            ocpp[i] = c.ocppStatus();
            error[i] = c.errorCode();
            vendorError[i] = c.vendorErrorCode();
            info[i] = c.info();
            since[i] = odt(c.since());
            reported[i] = odt(c.reportedAt());
            tx[i] = c.transactionId();
        }
        return Tuple.from(
                new Object[] {charger, connector, status, ocpp, error, vendorError, info, since, reported, tx});
    }

    /** The OCPP 2.0.1 columns of the connectors ($41-$43). */
    private static Tuple evseArrays(List<ConnectorRow> rows) {
        int n = rows.size();
        String[] chargingState = new String[n], ref = new String[n];
        Boolean[] ended = new Boolean[n];
        for (int i = 0; i < n; i++) {
            ConnectorState c = rows.get(i).connector();
            chargingState[i] = c.chargingState();
            ref[i] = c.transactionRef();
            ended[i] = c.transactionEnded();
        }
        return Tuple.of(chargingState, ref, ended);
    }

    /** Inserts a charger (status Unknown) and returns its state; fails with SQLSTATE 23505 on a duplicate id. */
    public Future<ChargerState> insertCharger(Bus.AddCharger add, Instant now) {
        Tuple t = Tuple.of(add.id(), add.accountId(), add.siteId(), add.name(), add.secured(), add.passwordHash())
                .addValue(odt(now));
        return exec(INSERT_CHARGER, t).map(rows -> ChargerState.added(add.id(), add.accountId(), add.siteId(), now));
    }

    /** Applies a change of a charger (see {@link Bus.UpdateCharger}); false when there is no such charger. */
    public Future<Boolean> updateCharger(Bus.UpdateCharger u) {
        String hash = u.passwordHash();
        Tuple t = Tuple.of(u.chargerId(), u.nameSet(), u.name(), u.siteSet(), u.siteId(), u.secured())
                .addValue(hash != null)
                .addValue(hash == null || hash.isEmpty() ? null : hash);
        return exec(UPDATE_CHARGER, t).map(r -> r.rowCount() > 0);
    }

    /**
     * Removes a charger, its history, its deviations and its security events. The charger row goes first: its lock waits for any batch of
     * another instance still writing it, and a later one fails the fence; the history is then deleted
     * with a snapshot that sees every event committed for it. (The history has no foreign key: V6.)
     */
    public Future<Boolean> deleteCharger(String id) {
        return inTransaction(conn -> conn.preparedQuery("DELETE FROM chargers WHERE id = $1")
                .execute(Tuple.of(id))
                .compose(deleted -> conn.preparedQuery("DELETE FROM status_events WHERE charger_id = $1")
                        .execute(Tuple.of(id))
                        .compose(v -> conn.preparedQuery("DELETE FROM charger_deviations WHERE charger_id = $1")
                                .execute(Tuple.of(id)))
                        .compose(v -> conn.preparedQuery("DELETE FROM security_events WHERE charger_id = $1")
                                .execute(Tuple.of(id)))
                        .map(v -> deleted.rowCount() > 0)));
    }

    private static ConnectorState connectorState(Row r) {
        return new ConnectorState(
                r.getInteger("connector_id"),
                Status.valueOf(r.getString("status")),
                r.getString("ocpp_status"),
                r.getString("error_code"),
                r.getString("vendor_error_code"),
                r.getString("info"),
                instant(r, "since"),
                instant(r, "reported_at"),
                r.getInteger("transaction_id"),
                r.getString("charging_state"),
                r.getString("transaction_ref"),
                r.getBoolean("transaction_ended"));
    }

    private static ChargerState chargerState(Row r, TreeMap<Integer, ConnectorState> connectors) {
        return new ChargerState(
                r.getString("id"),
                r.getString("account_id"),
                r.getString("site_id"),
                Status.valueOf(r.getString("status")),
                instant(r, "status_since"),
                r.getString("fault_code"),
                r.getBoolean("online"),
                null,
                instant(r, "last_seen_at"),
                instant(r, "booted_at"),
                r.getBoolean("firmware_updating"),
                connectors);
    }
}
