package io.chargerstatus.store;

/** The larger SQL statements, kept together so that the schema's users are in one place. */
final class SqlQueries {
  private SqlQueries() {
  }

  static final String INSERT_CHARGER = """
      INSERT INTO chargers (id, account_id, site_id, name, secured, password_hash, status_since)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

  static final String START_TRANSACTION = """
      INSERT INTO transactions (charger_id, connector_id, id_tag, meter_start, started_at)
      VALUES ($1, $2, $3, $4, $5) RETURNING id""";

  static final String STOP_TRANSACTION = """
      UPDATE transactions SET meter_stop = $3, stopped_at = $4, stop_reason = $5
      WHERE id = $1 AND charger_id = $2 RETURNING connector_id""";

  static final String UPSERT_SITE = """
      INSERT INTO sites (id, account_id, name, timezone, delayed_charging) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (account_id, id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
        delayed_charging = excluded.delayed_charging
      RETURNING *""";

  static final String LIST_CHARGERS = """
      SELECT * FROM chargers
      WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR site_id = $2) AND ($3::text IS NULL OR status = $3)
      ORDER BY id""";

  static final String GET_CHARGER = "SELECT * FROM chargers WHERE id = $1 AND ($2::text IS NULL OR account_id = $2)";

  static final String CONNECTORS_OF = """
      SELECT * FROM connectors WHERE charger_id = ANY($1::text[]) AND connector_id > 0 ORDER BY charger_id, connector_id""";

  static final String EVENTS_AFTER = """
      SELECT * FROM status_events WHERE seq > $1 AND applied AND ($2::text IS NULL OR account_id = $2)
      ORDER BY seq LIMIT $3""";

  static final String UPSERT_ID_TAG = """
      INSERT INTO id_tags (id_tag, account_id, status, expiry_date) VALUES ($1, $2, $3, $4)
      ON CONFLICT (account_id, id_tag) DO UPDATE SET status = excluded.status, expiry_date = excluded.expiry_date
      RETURNING *""";

  static final String INSERT_COMMAND = """
      INSERT INTO commands (charger_id, name, action, request, payload, requested_by, requested_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""";

  static final String RECENT_REMOTE_START = """
      SELECT (request->>'boost')::boolean FROM commands
      WHERE charger_id = $1 AND name = 'remote-start' AND (request->>'connectorId')::int = $2 AND requested_at > $3
      ORDER BY id DESC LIMIT 1""";

  static final String UPDATE_CHARGER = """
      UPDATE chargers SET
        name = CASE WHEN $2 THEN $3 ELSE name END,
        site_id = CASE WHEN $4 THEN $5 ELSE site_id END,
        secured = COALESCE($6, secured),
        password_hash = CASE WHEN $7 THEN $8 ELSE password_hash END
      WHERE id = $1""";

  /**
   * A whole status-engine batch as one statement: history rows, chargers and connectors. One statement
   * is one implicit transaction, so the batch is atomic without BEGIN/COMMIT round trips. Parameters:
   * $1-$15 events (as INSERT_EVENTS), $16-$27 chargers (as UPDATE_CHARGERS), $28-$37 connectors (as
   * UPSERT_CONNECTORS). Returns the events' sequence numbers.
   */
  static final String COMMIT_BATCH = """
      WITH ev AS (
        INSERT INTO status_events (charger_id, account_id, site_id, status, previous_status, fault_code, connector_id,
          connector_status, ocpp_status, error_code, vendor_error_code, info, ts, received_at, applied)
        SELECT charger_id, account_id, site_id, status, previous_status, fault_code, connector_id, connector_status,
          ocpp_status, error_code, vendor_error_code, info, ts, received_at, applied
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
          $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::boolean[])
          WITH ORDINALITY AS u(charger_id, account_id, site_id, status, previous_status, fault_code, connector_id,
          connector_status, ocpp_status, error_code, vendor_error_code, info, ts, received_at, applied, ord)
        ORDER BY ord
        RETURNING seq
      ), ch AS (
        UPDATE chargers c SET status = u.status, status_since = u.status_since, fault_code = u.fault_code,
          online = u.online, last_seen_at = u.last_seen_at, booted_at = u.booted_at, firmware_updating = u.firmware_updating,
          vendor = COALESCE(u.vendor, c.vendor), model = COALESCE(u.model, c.model),
          firmware_version = CASE WHEN u.vendor IS NULL THEN c.firmware_version ELSE u.firmware_version END,
          ocpp_version = COALESCE(u.ocpp_version, c.ocpp_version)
        FROM unnest($16::text[], $17::text[], $18::timestamptz[], $19::text[], $20::boolean[], $21::timestamptz[],
          $22::timestamptz[], $23::boolean[], $24::text[], $25::text[], $26::text[], $27::text[])
          AS u(id, status, status_since, fault_code, online, last_seen_at, booted_at, firmware_updating, vendor, model,
          firmware_version, ocpp_version)
        WHERE c.id = u.id
        RETURNING 1
      ), co AS (
        INSERT INTO connectors (charger_id, connector_id, status, ocpp_status, error_code, vendor_error_code, info, since,
          reported_at, transaction_id)
        SELECT * FROM unnest($28::text[], $29::int[], $30::text[], $31::text[], $32::text[], $33::text[], $34::text[],
          $35::timestamptz[], $36::timestamptz[], $37::int[])
        ON CONFLICT (charger_id, connector_id) DO UPDATE SET status = excluded.status, ocpp_status = excluded.ocpp_status,
          error_code = excluded.error_code, vendor_error_code = excluded.vendor_error_code, info = excluded.info,
          since = excluded.since, reported_at = excluded.reported_at, transaction_id = excluded.transaction_id
        RETURNING 1
      )
      SELECT seq FROM ev ORDER BY seq""";
}
