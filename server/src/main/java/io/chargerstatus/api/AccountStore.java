package io.chargerstatus.api;

import io.chargerstatus.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Accounts and their API tokens (only a token's SHA-256 is stored). */
public final class AccountStore extends Sql {
    /** Queries over the HTTP verticle's pool (or the SSE replays' own). */
    public AccountStore(Sql.Access access) {
        super(access);
    }

    public Future<Boolean> deleteToken(String id) {
        return exec("DELETE FROM api_tokens WHERE id = $1", Tuple.of(id)).map(r -> r.rowCount() > 0);
    }

    public Future<JsonArray> tokens(String accountId) {
        return exec(
                        "SELECT id, account_id, created_at FROM api_tokens WHERE account_id = $1 ORDER BY created_at",
                        Tuple.of(accountId))
                .map(rows -> collect(
                        rows,
                        r -> new JsonObject()
                                .put("id", r.getString("id"))
                                .put("accountId", r.getString("account_id"))
                                .put("createdAt", iso(r, "created_at"))));
    }

    public Future<JsonObject> createAccount(String id, String name) {
        return exec(
                        "INSERT INTO accounts (id, name) VALUES ($1, $2) RETURNING id, name, created_at",
                        Tuple.of(id, name))
                .map(rows -> account(rows.iterator().next()));
    }

    /** Accounts; all of them when {@code accountId} is null. */
    public Future<JsonArray> accounts(String accountId) {
        return exec(
                        "SELECT id, name, created_at FROM accounts WHERE $1::text IS NULL OR id = $1 ORDER BY id",
                        Tuple.of(accountId))
                .map(rows -> collect(rows, AccountStore::account));
    }

    public Future<Boolean> accountExists(String id) {
        return exec("SELECT 1 FROM accounts WHERE id = $1", Tuple.of(id)).map(r -> r.size() > 0);
    }

    public Future<Void> insertToken(String id, String accountId, String tokenHash) {
        return exec(
                        "INSERT INTO api_tokens (id, account_id, token_hash) VALUES ($1, $2, $3)",
                        Tuple.of(id, accountId, tokenHash))
                .mapEmpty();
    }

    /** An API token as authentication needs it: its id and account. */
    public record Token(String id, String accountId) {}

    /** The token with this hash, or null. */
    public Future<Token> token(String tokenHash) {
        return exec("SELECT id, account_id FROM api_tokens WHERE token_hash = $1", Tuple.of(tokenHash))
                .map(rows -> rows.size() == 0
                        ? null
                        : new Token(
                                rows.iterator().next().getString(0),
                                rows.iterator().next().getString(1)));
    }

    private static JsonObject account(Row r) {
        return new JsonObject()
                .put("id", r.getString("id"))
                .put("name", r.getString("name"))
                .put("createdAt", iso(r, "created_at"));
    }
}
