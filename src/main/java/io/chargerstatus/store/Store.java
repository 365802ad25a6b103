package io.chargerstatus.store;

import io.chargerstatus.api.Events;
import io.chargerstatus.status.Change;
import io.chargerstatus.status.Fact;
import io.chargerstatus.status.ChargerState;
import io.chargerstatus.status.ConnectorState;
import io.chargerstatus.status.Status;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * All SQL of the service, as prepared statements over the reactive pool. Methods return failed futures
 * on database errors; callers map them to HTTP or OCPP errors.
 */
public final class Store {

  /** PostgreSQL's unique_violation SQLSTATE. */
  public static final String UNIQUE_VIOLATION = "23505";
  /** PostgreSQL's foreign_key_violation SQLSTATE. */
  public static final String FOREIGN_KEY_VIOLATION = "23503";

  private static final String CHARGER_COLUMNS =
      "id, account_id, site_id, name, secured, status, status_since, fault_code, online, last_seen_at, booted_at, "
          + "firmware_updating, vendor, model, firmware_version, ocpp_version";

  private final Pool pool;
  private final DatabaseHealth health;
  private final long timeoutMillis;

  /**
   * Queries over {@code pool}; each one fails after {@code timeoutMillis} (a hung database must give a 503
   * in seconds, not hold every caller) and reports to {@code health}.
   */
  public Store(Pool pool, DatabaseHealth health, long timeoutMillis) {
    this.pool = pool;
    this.health = health;
    this.timeoutMillis = timeoutMillis;
  }

  private Future<RowSet<Row>> exec(String sql, Tuple args) {
    return guard(pool.preparedQuery(sql).execute(args));
  }

  private Future<RowSet<Row>> exec(String sql) {
    return guard(pool.query(sql).execute());
  }

  private <T> Future<T> guard(Future<T> query) {
    return report(query.timeout(timeoutMillis, TimeUnit.MILLISECONDS));
  }

  private <T> Future<T> report(Future<T> query) {
    return query.andThen(ar -> {
          if (ar.succeeded()) {
            health.reached();
          } else {
            health.failed(ar.cause());
          }
        });
  }

  /** Whether the database answers. */
  public Future<Void> ping() {
    return exec("SELECT 1").mapEmpty();
  }

  // ---- status engine -------------------------------------------------------------------------

  /** The state of every charger, for the status engine to start from. */
  public Future<List<ChargerState>> loadChargerStates() {
    Future<RowSet<Row>> chargers = exec("SELECT " + CHARGER_COLUMNS + " FROM chargers");
    Future<RowSet<Row>> connectors = exec("SELECT * FROM connectors");
    return Future.all(chargers, connectors).map(v -> {
      Map<String, TreeMap<Integer, ConnectorState>> byCharger = new HashMap<>();
      for (Row r : connectors.result()) {
        byCharger.computeIfAbsent(r.getString("charger_id"), k -> new TreeMap<>())
            .put(r.getInteger("connector_id"), connectorState(r));
      }
      List<ChargerState> states = new ArrayList<>();
      for (Row r : chargers.result()) {
        states.add(chargerState(r, byCharger.getOrDefault(r.getString("id"), new TreeMap<>())));
      }
      return states;
    });
  }

  /**
   * Commits one batch of the status engine atomically, in one statement and one round trip: the history
   * rows, the chargers' state and the touched connectors. Returns the sequence numbers of
   * {@code changes}, in order.
   */
  public Future<List<Long>> commitBatch(List<ChargerState> chargers, List<ConnectorRow> connectors, List<Change> changes,
                                        Map<String, Fact.Booted> boots) {
    Tuple events = eventArrays(changes);
    Tuple states = chargerArrays(chargers, boots);
    Tuple rows = connectorArrays(connectors);
    Object[] all = new Object[events.size() + states.size() + rows.size()];
    int i = 0;
    for (Tuple t : List.of(events, states, rows)) {
      for (int j = 0; j < t.size(); j++) {
        all[i++] = t.getValue(j);
      }
    }
    // No deadline here, unlike every other query: a commit given up on could still land later, and its events
    // would then never be published. A hung database holds this batch; the engine refuses what queues behind it.
    return report(pool.preparedQuery(SqlQueries.COMMIT_BATCH).execute(Tuple.from(all))).map(result -> {
      List<Long> seqs = new ArrayList<>(result.size());
      result.forEach(r -> seqs.add(r.getLong(0)));
      return seqs; // ascending: nextval follows the ORDER BY ord of the insert
    });
  }

  /** A connector of a charger, as the status engine persists it. */
  public record ConnectorRow(String chargerId, ConnectorState connector) { }

  private static Tuple eventArrays(List<Change> changes) {
    int n = changes.size();
    String[] charger = new String[n], account = new String[n], site = new String[n], status = new String[n],
        previous = new String[n], fault = new String[n], cStatus = new String[n], ocpp = new String[n],
        error = new String[n], vendorError = new String[n], info = new String[n];
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
    return Tuple.from(new Object[] {charger, account, site, status, previous, fault, connector, cStatus, ocpp, error,
        vendorError, info, ts, received, applied});
  }

  private static Tuple chargerArrays(List<ChargerState> chargers, Map<String, Fact.Booted> boots) {
    int n = chargers.size();
    String[] id = new String[n], status = new String[n], fault = new String[n], vendor = new String[n], model = new String[n],
        firmware = new String[n], ocpp = new String[n];
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
        ocpp[i] = "1.6";
      }
    }
    return Tuple.from(new Object[] {id, status, since, fault, online, seen, booted, updating, vendor, model, firmware, ocpp});
  }

  private static Tuple connectorArrays(List<ConnectorRow> rows) {
    int n = rows.size();
    String[] charger = new String[n], status = new String[n], ocpp = new String[n], error = new String[n],
        vendorError = new String[n], info = new String[n];
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
    return Tuple.from(new Object[] {charger, connector, status, ocpp, error, vendorError, info, since, reported, tx});
  }

  /** Inserts a charger (status Unknown) and returns its state; fails with SQLSTATE 23505 on a duplicate id. */
  public Future<ChargerState> insertCharger(JsonObject body, String passwordHash, Instant now) {
    Tuple t = Tuple.of(body.getString("id"), body.getString("accountId"), body.getString("siteId"), body.getString("name"),
            body.getBoolean("secured", true), passwordHash)
        .addValue(odt(now));
    return exec(SqlQueries.INSERT_CHARGER, t)
        .map(rows -> ChargerState.added(body.getString("id"), body.getString("accountId"), body.getString("siteId"), now));
  }

  /**
   * Applies a PATCH of a charger: only the keys present change; {@code passwordHash} null keeps the
   * password, "" clears it. False when there is no such charger.
   */
  public Future<Boolean> updateCharger(String id, JsonObject patch, String passwordHash) {
    Tuple t = Tuple.of(id, patch.containsKey("name"), patch.getString("name"), patch.containsKey("siteId"),
        patch.getString("siteId"), patch.getBoolean("secured"))
        .addValue(passwordHash != null).addValue(passwordHash == null || passwordHash.isEmpty() ? null : passwordHash);
    return exec(SqlQueries.UPDATE_CHARGER, t).map(r -> r.rowCount() > 0);
  }

  public Future<Boolean> deleteToken(String id) {
    return exec("DELETE FROM api_tokens WHERE id = $1", Tuple.of(id)).map(r -> r.rowCount() > 0);
  }

  public Future<JsonArray> tokens(String accountId) {
    return exec("SELECT id, account_id, created_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at", Tuple.of(accountId)).map(rows -> collect(rows, r -> new JsonObject().put("id", r.getString("id"))
            .put("accountId", r.getString("account_id")).put("createdAt", iso(r, "created_at"))));
  }

  public Future<Boolean> deleteCharger(String id) {
    return exec("DELETE FROM chargers WHERE id = $1", Tuple.of(id)).map(r -> r.rowCount() > 0);
  }

  // ---- OCPP side -----------------------------------------------------------------------------

  /** What the OCPP handshake needs to know of a registered charger. */
  public record ChargerAuth(String id, String accountId, String passwordHash, boolean secured) { }

  public Future<ChargerAuth> chargerAuth(String id) {
    return exec("SELECT id, account_id, password_hash, secured FROM chargers WHERE id = $1", Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : toAuth(rows.iterator().next()));
  }

  /** Replaces a charger's password hash with a costlier one of the same password, unless it changed meanwhile. */
  public Future<Void> rehashPassword(String id, String oldHash, String newHash) {
    return exec("UPDATE chargers SET password_hash = $3 WHERE id = $1 AND password_hash = $2", Tuple.of(id, oldHash, newHash))
        .mapEmpty();
  }

  private static ChargerAuth toAuth(Row r) {
    return new ChargerAuth(r.getString("id"), r.getString("account_id"), r.getString("password_hash"), r.getBoolean("secured"));
  }

  /** A site's delayed-charging settings as seen from one of its chargers; null when the charger has no site. */
  public record SiteRules(String timezone, JsonObject delayedCharging) { }

  public Future<SiteRules> siteRules(String chargerId) {
    return exec("SELECT s.timezone, s.delayed_charging FROM chargers c JOIN sites s ON s.account_id = c.account_id AND s.id = c.site_id WHERE c.id = $1", Tuple.of(chargerId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          Object delayed = r.getValue("delayed_charging");
          return new SiteRules(r.getString("timezone"), delayed instanceof JsonObject o ? o : null);
        });
  }

  /** Whether the newest remote start for this connector, within the last ten minutes, asked for boost. */
  public Future<Boolean> boostRequested(String chargerId, int connectorId, Instant now) {
    return exec(SqlQueries.RECENT_REMOTE_START, Tuple.of(chargerId, connectorId, odt(now.minusSeconds(600))))
        .map(rows -> rows.size() > 0 && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0)));
  }

  public Future<Void> markTransaction(int transactionId, boolean boost, Instant heldUntil) {
    return exec("UPDATE transactions SET boost = $2, held_until = $3 WHERE id = $1", Tuple.of(transactionId, boost, odt(heldUntil))).mapEmpty();
  }

  public Future<JsonArray> transactions(String chargerId, int limit) {
    return exec("SELECT * FROM transactions WHERE charger_id = $1 ORDER BY id DESC LIMIT $2", Tuple.of(chargerId, limit)).map(rows -> collect(rows, Store::transaction));
  }

  // ---- commands ------------------------------------------------------------------------------

  public Future<Long> insertCommand(String chargerId, String name, String action, JsonObject request, JsonObject payload,
                                    String requestedBy, Instant at) {
    return exec(SqlQueries.INSERT_COMMAND, Tuple.of(chargerId, name, action, request, payload, requestedBy).addValue(odt(at)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<Void> finishCommand(long id, String outcome, JsonObject response, Instant at) {
    return exec("UPDATE commands SET outcome = $2, response = $3, answered_at = $4 WHERE id = $1", Tuple.of(id, outcome, response, odt(at))).mapEmpty();
  }

  public Future<JsonArray> commands(String chargerId, int limit) {
    return exec("SELECT * FROM commands WHERE charger_id = $1 ORDER BY id DESC LIMIT $2", Tuple.of(chargerId, limit)).map(rows -> collect(rows, Store::command));
  }

  /** The id tag as this account knows it: status and expiry, or null when the account has no such tag. */
  public record IdTag(String status, Instant expiryDate) { }

  public Future<IdTag> idTag(String accountId, String idTag) {
    return exec("SELECT status, expiry_date FROM id_tags WHERE id_tag = $1 AND account_id = $2", Tuple.of(idTag, accountId))
        .map(rows -> rows.size() == 0 ? null
            : new IdTag(rows.iterator().next().getString(0), instant(rows.iterator().next(), "expiry_date")));
  }

  public Future<Integer> startTransaction(String chargerId, int connectorId, String idTag, int meterStart, Instant at) {
    return exec(SqlQueries.START_TRANSACTION, Tuple.of(chargerId, connectorId, idTag, meterStart, odt(at)))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Closes a transaction of this charger; returns its connector id, or null if there is no such transaction. */
  public Future<Integer> stopTransaction(String chargerId, int transactionId, int meterStop, Instant at, String reason) {
    return exec(SqlQueries.STOP_TRANSACTION, Tuple.of(transactionId, chargerId, meterStop, odt(at), reason))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getInteger(0));
  }

  // ---- back-office API -----------------------------------------------------------------------

  public Future<JsonObject> createAccount(String id, String name) {
    return exec("INSERT INTO accounts (id, name) VALUES ($1, $2) RETURNING id, name, created_at", Tuple.of(id, name)).map(rows -> account(rows.iterator().next()));
  }

  /** Accounts; all of them when {@code accountId} is null. */
  public Future<JsonArray> accounts(String accountId) {
    return exec("SELECT id, name, created_at FROM accounts WHERE $1::text IS NULL OR id = $1 ORDER BY id", Tuple.of(accountId)).map(rows -> collect(rows, Store::account));
  }

  public Future<Boolean> accountExists(String id) {
    return exec("SELECT 1 FROM accounts WHERE id = $1", Tuple.of(id)).map(r -> r.size() > 0);
  }

  public Future<Void> insertToken(String id, String accountId, String tokenHash) {
    return exec("INSERT INTO api_tokens (id, account_id, token_hash) VALUES ($1, $2, $3)", Tuple.of(id, accountId, tokenHash)).mapEmpty();
  }

  /** An API token as authentication needs it: its id and account. */
  public record Token(String id, String accountId) { }

  /** The token with this hash, or null. */
  public Future<Token> token(String tokenHash) {
    return exec("SELECT id, account_id FROM api_tokens WHERE token_hash = $1", Tuple.of(tokenHash))
        .map(rows -> rows.size() == 0 ? null : new Token(rows.iterator().next().getString(0), rows.iterator().next().getString(1)));
  }

  /** Creates or replaces a site of its account (site ids are unique per account). */
  public Future<JsonObject> upsertSite(JsonObject site) {
    JsonObject delayed = site.getJsonObject("delayedCharging");
    return exec(SqlQueries.UPSERT_SITE, Tuple.of(site.getString("id"), site.getString("accountId"), site.getString("name"),
            site.getString("timezone"), delayed))
        .map(rows -> rows.size() == 0 ? null : site(rows.iterator().next()));
  }

  /** Whether {@code accountId} has a site of that id. */
  public Future<Boolean> siteExists(String siteId, String accountId) {
    return exec("SELECT 1 FROM sites WHERE id = $1 AND account_id = $2", Tuple.of(siteId, accountId))
        .map(rows -> rows.size() > 0);
  }

  public Future<JsonArray> sites(String accountId) {
    return exec("SELECT * FROM sites WHERE $1::text IS NULL OR account_id = $1 ORDER BY id", Tuple.of(accountId)).map(rows -> collect(rows, Store::site));
  }

  /** The chargers table: rows matching the filters (each may be null), with their connectors 1..n. */
  public Future<JsonArray> chargers(String accountId, String siteId, String status) {
    return exec(SqlQueries.LIST_CHARGERS, Tuple.of(accountId, siteId, status))
        .compose(this::withConnectors);
  }

  /** One charger row, or null if it does not exist or belongs to another account than {@code accountId}. */
  public Future<JsonObject> charger(String id, String accountId) {
    return exec(SqlQueries.GET_CHARGER, Tuple.of(id, accountId))
        .compose(this::withConnectors)
        .map(rows -> rows.isEmpty() ? null : rows.getJsonObject(0));
  }

  private Future<JsonArray> withConnectors(RowSet<Row> chargers) {
    LinkedHashMap<String, JsonObject> rows = new LinkedHashMap<>();
    for (Row r : chargers) {
      rows.put(r.getString("id"), chargerRow(r));
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    return exec(SqlQueries.CONNECTORS_OF, Tuple.of(rows.keySet().toArray(new String[0])))
        .map(connectors -> {
          for (Row r : connectors) {
            rows.get(r.getString("charger_id")).getJsonArray("connectors").add(connectorRow(r));
          }
          return new JsonArray(new ArrayList<>(rows.values()));
        });
  }

  public Future<JsonArray> history(String chargerId, int limit) {
    return exec("SELECT * FROM status_events WHERE charger_id = $1 ORDER BY seq DESC LIMIT $2", Tuple.of(chargerId, limit)).map(rows -> collect(rows, Store::event));
  }

  /** Streamed events after {@code seq}, oldest first, optionally of one account. */
  public Future<List<JsonObject>> eventsAfter(long seq, String accountId, int limit) {
    return exec(SqlQueries.EVENTS_AFTER, Tuple.of(seq, accountId, limit))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(event(r)));
          return out;
        });
  }

  /** Number of chargers per status, all ten statuses present. */
  public Future<JsonObject> statusSummary(String accountId) {
    return exec("SELECT status, count(*) FROM chargers WHERE $1::text IS NULL OR account_id = $1 GROUP BY status", Tuple.of(accountId)).map(rows -> {
          JsonObject summary = new JsonObject();
          for (Status s : Status.values()) {
            summary.put(s.name(), 0);
          }
          rows.forEach(r -> summary.put(r.getString(0), r.getLong(1)));
          return summary;
        });
  }

  public Future<JsonObject> upsertIdTag(JsonObject tag) {
    Instant expiry = tag.getString("expiryDate") == null ? null : Instant.parse(tag.getString("expiryDate"));
    return exec(SqlQueries.UPSERT_ID_TAG, Tuple.of(tag.getString("idTag"), tag.getString("accountId"), tag.getString("status", "Accepted"), odt(expiry)))
        .map(rows -> rows.size() == 0 ? null : idTag(rows.iterator().next()));
  }

  public Future<JsonArray> idTags(String accountId) {
    return exec("SELECT * FROM id_tags WHERE $1::text IS NULL OR account_id = $1 ORDER BY id_tag", Tuple.of(accountId)).map(rows -> collect(rows, Store::idTag));
  }

  /** Deletes a tag if it belongs to {@code accountId} (any account when null). */
  public Future<Boolean> deleteIdTag(String idTag, String accountId) {
    return exec("DELETE FROM id_tags WHERE id_tag = $1 AND ($2::text IS NULL OR account_id = $2)", Tuple.of(idTag, accountId)).map(r -> r.rowCount() > 0);
  }

  // ---- row mapping ---------------------------------------------------------------------------

  private static JsonArray collect(RowSet<Row> rows, Function<Row, JsonObject> f) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(f.apply(r)));
    return out;
  }

  private static JsonObject account(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
        .put("createdAt", iso(r, "created_at"));
  }

  private static JsonObject site(Row r) {
    Object delayed = r.getValue("delayed_charging");
    return new JsonObject().put("id", r.getString("id")).put("accountId", r.getString("account_id"))
        .put("name", r.getString("name")).put("timezone", r.getString("timezone"))
        .put("delayedCharging", delayed);
  }

  private static JsonObject idTag(Row r) {
    return new JsonObject().put("idTag", r.getString("id_tag")).put("accountId", r.getString("account_id"))
        .put("status", r.getString("status")).put("expiryDate", iso(r, "expiry_date"));
  }

  private static JsonObject transaction(Row r) {
    Integer start = r.getInteger("meter_start");
    Integer stop = r.getInteger("meter_stop");
    return new JsonObject()
        .put("id", r.getInteger("id"))
        .put("connectorId", r.getInteger("connector_id"))
        .put("idTag", r.getString("id_tag"))
        .put("meterStart", start)
        .put("meterStop", stop)
        .put("energyWh", stop == null ? null : stop - start)
        .put("startedAt", iso(r, "started_at"))
        .put("stoppedAt", iso(r, "stopped_at"))
        .put("stopReason", r.getString("stop_reason"))
        .put("boost", r.getBoolean("boost"))
        .put("heldUntil", iso(r, "held_until"));
  }

  private static JsonObject command(Row r) {
    return new JsonObject()
        .put("id", r.getLong("id"))
        .put("name", r.getString("name"))
        .put("action", r.getString("action"))
        .put("request", r.getValue("request"))
        .put("payload", r.getValue("payload"))
        .put("requestedBy", r.getString("requested_by"))
        .put("requestedAt", iso(r, "requested_at"))
        .put("outcome", r.getString("outcome"))
        .put("response", r.getValue("response"))
        .put("answeredAt", iso(r, "answered_at"));
  }

  private static JsonObject chargerRow(Row r) {
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("name", r.getString("name"))
        .put("accountId", r.getString("account_id"))
        .put("siteId", r.getString("site_id"))
        .put("status", r.getString("status"))
        .put("statusSince", iso(r, "status_since"))
        .put("faultCode", r.getString("fault_code"))
        .put("online", r.getBoolean("online"))
        .put("lastSeenAt", iso(r, "last_seen_at"))
        .put("secured", r.getBoolean("secured"))
        .put("vendor", r.getString("vendor"))
        .put("model", r.getString("model"))
        .put("firmwareVersion", r.getString("firmware_version"))
        .put("ocppVersion", r.getString("ocpp_version"))
        .put("connectors", new JsonArray());
  }

  private static JsonObject connectorRow(Row r) {
    return new JsonObject()
        .put("connectorId", r.getInteger("connector_id"))
        .put("status", r.getString("status"))
        .put("ocppStatus", r.getString("ocpp_status"))
        .put("errorCode", r.getString("error_code"))
        .put("vendorErrorCode", r.getString("vendor_error_code"))
        .put("info", r.getString("info"))
        .put("since", iso(r, "since"))
        .put("transactionId", r.getInteger("transaction_id"));
  }

  /** A status event as the API and the SSE stream show it. */
  private static JsonObject event(Row r) {
    Integer connectorId = r.getInteger("connector_id");
    JsonObject connector = connectorId == null ? null : new JsonObject()
        .put("connectorId", connectorId)
        .put("status", r.getString("connector_status"))
        .put("ocppStatus", r.getString("ocpp_status"))
        .put("errorCode", r.getString("error_code"))
        .put("vendorErrorCode", r.getString("vendor_error_code"));
    JsonObject json = Events.json(r.getLong("seq"), r.getString("charger_id"), r.getString("account_id"),
        r.getString("site_id"), r.getString("status"), r.getString("previous_status"), r.getString("fault_code"),
        connector, iso(r, "ts"), iso(r, "received_at"));
    if (!r.getBoolean("applied")) {
      json.put("applied", false);
    }
    return json;
  }

  private static ConnectorState connectorState(Row r) {
    return new ConnectorState(r.getInteger("connector_id"), Status.valueOf(r.getString("status")), r.getString("ocpp_status"),
        r.getString("error_code"), r.getString("vendor_error_code"), r.getString("info"), instant(r, "since"),
        instant(r, "reported_at"), r.getInteger("transaction_id"));
  }

  private static ChargerState chargerState(Row r, TreeMap<Integer, ConnectorState> connectors) {
    return new ChargerState(r.getString("id"), r.getString("account_id"), r.getString("site_id"),
        Status.valueOf(r.getString("status")), instant(r, "status_since"), r.getString("fault_code"),
        r.getBoolean("online"), null, instant(r, "last_seen_at"), instant(r, "booted_at"), r.getBoolean("firmware_updating"),
        connectors);
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  private static String iso(Row r, String column) {
    Instant t = instant(r, column);
    return t == null ? null : t.toString();
  }

  private static OffsetDateTime odt(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
