package io.chargerstatus.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.chargerstatus.uptime.Reports;
import io.chargerstatus.uptime.Uptime;
import io.chargerstatus.uptime.UptimeStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Year;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The uptime reports and the outage exclusions under {@code /api/v1} (the contract's "Uptime and outages",
 * docs/uptime.md). The history is read with a few queries; the figures are computed on a worker thread, never
 * on the event loop, since a report over a year of a large account is real work.
 */
public final class UptimeApi {
    /** The longest range a report covers: a NEVI year with room, and the default retention. */
    static final Duration MAX_RANGE = Duration.ofDays(1900);

    private static final CsvMapper CSV = new CsvMapper();

    private final Vertx vertx;
    private final AccountStore accounts;
    private final UptimeStore store;
    private final Clock clock;

    public UptimeApi(Vertx vertx, AccountStore accounts, UptimeStore store, Clock clock) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.store = store;
        this.clock = clock;
    }

    void mount(Router api) {
        api.get("/uptime").handler(report(this::uptime));
        api.get("/uptime/nevi").handler(report(this::nevi));
        api.get("/uptime/uk").handler(report(this::uk));
        api.get("/outages").handler(report(this::outages));
        api.post("/outage-exclusions").handler(Responses.json(201, this::addExclusion));
        api.get("/outage-exclusions").handler(Responses.json(200, this::exclusions));
        api.delete("/outage-exclusions/:id").handler(Responses.json(204, this::deleteExclusion));
    }

    private Future<Reports.Table> uptime(RoutingContext ctx) {
        Instant now = clock.instant();
        Instant to = instant(ctx.queryParams().get("to"), "to", now);
        Instant from = instant(ctx.queryParams().get("from"), "from", to.minus(Duration.ofDays(30)));
        checkRange(from, to);
        return scope(ctx)
                .compose(scope -> store.inputs(scope, UptimeStore.Read.figures(from, min(to, now))))
                .compose(in -> vertx.executeBlocking(() -> Reports.uptime(in, from, to, now)));
    }

    private Future<Reports.Table> nevi(RoutingContext ctx) {
        String raw = ctx.queryParams().get("month");
        YearMonth month;
        try {
            month = YearMonth.parse(raw == null ? "" : raw);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("month must be YYYY-MM");
        }
        Instant now = clock.instant();
        Instant from = Instant.ofEpochSecond(Uptime.monthStart(month.minusMonths(11)));
        Instant to = Instant.ofEpochSecond(Uptime.monthStart(month.plusMonths(1)));
        return scope(ctx)
                .compose(scope -> store.inputs(scope, UptimeStore.Read.figures(from, min(to, now))))
                .compose(in -> vertx.executeBlocking(() -> Reports.nevi(in, month, now)));
    }

    private Future<Reports.Table> uk(RoutingContext ctx) {
        String raw = ctx.queryParams().get("year");
        if (raw == null || !raw.matches("[0-9]{4}")) {
            throw ApiError.badRequest("year must be YYYY");
        }
        Year year = Year.parse(raw);
        Instant now = clock.instant();
        Instant from = Instant.ofEpochSecond(Uptime.monthStart(year.atMonth(1)));
        Instant to = Instant.ofEpochSecond(Uptime.monthStart(year.plusYears(1).atMonth(1)));
        return scope(ctx).compose(scope -> {
            Future<Map<String, Map<Integer, Long>>> powers = store.powers(scope);
            return store.inputs(scope, UptimeStore.Read.reliability(from, min(to, now)))
                    .compose(in -> powers.compose(p -> vertx.executeBlocking(() -> Reports.uk(in, year, now, p))));
        });
    }

    private Future<Reports.Table> outages(RoutingContext ctx) {
        Instant now = clock.instant();
        Instant to = instant(ctx.queryParams().get("to"), "to", now);
        Instant from = instant(ctx.queryParams().get("from"), "from", to.minus(Duration.ofDays(30)));
        checkRange(from, to);
        // An outage that began before the range is listed whole: its exclusions and closed hours are read
        // from a month earlier (a longer one is listed, its excluded part counted from there).
        Instant hoursFrom = from.minus(Duration.ofDays(31));
        return scope(ctx)
                .compose(scope -> store.inputs(scope, UptimeStore.Read.outages(hoursFrom, now, from, min(to, now))))
                .compose(in ->
                        vertx.executeBlocking(() -> Reports.outages(in, from, to, hoursFrom.getEpochSecond(), now)));
    }

    private Future<JsonObject> addExclusion(RoutingContext ctx) {
        JsonObject body = BodySchemas.OUTAGE_EXCLUSION.read(ctx);
        String accountId = Authentication.principal(ctx).scope(body.getString("accountId"));
        Instant from = instant(body.getString("from"), "from", null);
        Instant to = instant(body.getString("to"), "to", null);
        if (!to.isAfter(from)) {
            throw ApiError.badRequest("to must be after from");
        }
        if (body.getInteger("connectorId") != null && body.getString("chargerId") == null) {
            throw ApiError.badRequest("connectorId needs chargerId");
        }
        return accounts.accountExists(accountId).compose(exists -> {
            if (!exists) {
                throw ApiError.notFound("no account " + accountId);
            }
            return store.addExclusion(
                    "ox_" + UUID.randomUUID().toString().replace("-", ""), body.put("accountId", accountId), from, to);
        });
    }

    private Future<Object> exclusions(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        String from = ctx.queryParams().get("from");
        String to = ctx.queryParams().get("to");
        return store.exclusions(
                        accountId,
                        from == null ? null : instant(from, "from", null),
                        to == null ? null : instant(to, "to", null))
                .map(a -> a);
    }

    private Future<Object> deleteExclusion(RoutingContext ctx) {
        String id = Params.pathId(ctx, "id");
        return store.deleteExclusion(id, Authentication.principal(ctx).accountId())
                .map(deleted -> {
                    if (!deleted) {
                        throw ApiError.notFound("no outage exclusion " + id);
                    }
                    return null;
                });
    }

    /** The account (required for the admin token), site and charger of a report; 404 for an unknown account. */
    private Future<UptimeStore.Scope> scope(RoutingContext ctx) {
        String accountId = Authentication.principal(ctx).scope(Params.queryId(ctx, "accountId"));
        if (accountId == null) {
            throw ApiError.badRequest("accountId is required with the admin token");
        }
        UptimeStore.Scope scope =
                new UptimeStore.Scope(accountId, Params.queryId(ctx, "siteId"), Params.queryId(ctx, "chargerId"));
        return accounts.accountExists(accountId).map(exists -> {
            if (!exists) {
                throw ApiError.notFound("no account " + accountId);
            }
            return scope;
        });
    }

    private static void checkRange(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            throw ApiError.badRequest("to must be after from");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw ApiError.badRequest("a report covers at most " + MAX_RANGE.toDays() + " days");
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** An ISO-8601 instant parameter; {@code fallback} when absent (null: required). */
    private static Instant instant(String value, String name, Instant fallback) {
        if (value == null) {
            if (fallback == null) {
                throw ApiError.badRequest(name + " is required");
            }
            return fallback;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(
                    name + " must be an ISO-8601 date-time with an offset, e.g. 2026-01-01T00:00:00Z");
        }
    }

    /** A report answered as JSON, or as CSV for {@code Accept: text/csv} or {@code ?format=csv}. */
    // Walks the JsonObject tree with Jackson's generator; databind would look up a serializer for every value
    // of every map of a report's tens of thousands of rows.
    private static final JacksonCodec STREAMING = new JacksonCodec();

    private Handler<RoutingContext> report(Function<RoutingContext, Future<Reports.Table>> handler) {
        return ctx -> {
            String format = ctx.queryParams().get("format");
            if (format != null && !format.equals("csv") && !format.equals("json")) {
                ctx.fail(ApiError.badRequest("format must be csv or json"));
                return;
            }
            String accept = ctx.request().getHeader("Accept");
            boolean csv = "csv".equals(format) || format == null && accept != null && accept.contains("text/csv");
            Future<Reports.Table> result;
            try {
                result = handler.apply(ctx);
            } catch (RuntimeException e) {
                ctx.fail(e);
                return;
            }
            // A whole account's report is megabytes: written out on a worker, like it was computed.
            result.compose(table -> vertx.executeBlocking(() -> csv
                            ? Buffer.buffer(csv(table))
                            : STREAMING.toBuffer(table.json().get(), false)))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            ctx.fail(ar.cause());
                        } else {
                            ctx.response()
                                    .setStatusCode(200)
                                    .putHeader("Content-Type", csv ? "text/csv; charset=utf-8" : "application/json")
                                    .end(ar.result());
                        }
                    });
        };
    }

    static String csv(Reports.Table table) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        table.columns().forEach(schema::addColumn);
        try {
            return CSV.writer(schema.build()).writeValueAsString(table.rows().get());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report could not be written as CSV", e);
        }
    }
}
