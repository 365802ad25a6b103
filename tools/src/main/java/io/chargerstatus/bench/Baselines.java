package io.chargerstatus.bench;

import static io.chargerstatus.bench.Measure.await;
import static io.chargerstatus.bench.Measure.freePort;
import static io.chargerstatus.bench.Measure.round;
import static io.chargerstatus.bench.Measure.waitFor;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The ceilings a run's figures are divided by, measured in the same run. */
final class Baselines {
    private Baselines() {}

    /** Rows per second a bare batched insert (1,000 rows per statement, 4 in flight) reaches on this PostgreSQL. */
    static double insert(String pgUrl) throws Exception {
        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(4))
                .connectingTo(PgConnectOptions.fromUri(pgUrl))
                .using(vertx)
                .build();
        try {
            // Its own schema: the service's migrations expect "public" to be theirs.
            await(pool.query("CREATE SCHEMA bench").execute());
            await(pool.query(
                            "CREATE TABLE bench.bench_rows (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, charger_id text, "
                                    + "status text, connector_id int, ts timestamptz, received_at timestamptz)")
                    .execute());
            int batch = 1000;
            String[] ids = new String[batch];
            String[] statuses = new String[batch];
            Integer[] conns = new Integer[batch];
            OffsetDateTime[] ts = new OffsetDateTime[batch];
            for (int i = 0; i < batch; i++) {
                ids[i] = "CP-" + i;
                statuses[i] = "Charging";
                conns[i] = 1;
                ts[i] = OffsetDateTime.now(ZoneOffset.UTC);
            }
            Tuple rows = Tuple.from(new Object[] {ids, statuses, conns, ts, ts});
            String sql = "INSERT INTO bench.bench_rows (charger_id, status, connector_id, ts, received_at) "
                    + "SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::timestamptz[]) RETURNING seq";
            long end = System.nanoTime() + 8_000_000_000L;
            AtomicLong inserted = new AtomicLong();
            long start = System.nanoTime();
            List<CompletableFuture<Void>> lanes = new ArrayList<>();
            for (int lane = 0; lane < 4; lane++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                lanes.add(done);
                Runnable[] next = new Runnable[1];
                next[0] = () -> pool.withTransaction(c -> c.preparedQuery(sql).execute(rows))
                        .onComplete(ar -> {
                            inserted.addAndGet(batch);
                            if (System.nanoTime() < end && ar.succeeded()) {
                                next[0].run();
                            } else {
                                done.complete(null);
                            }
                        });
                next[0].run();
            }
            CompletableFuture.allOf(lanes.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            return inserted.get() / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.close();
            vertx.close();
        }
    }

    /** The same simulators against a bare WebSocket server: sessions held and messages answered per second. */
    static JsonObject echo(Bench bench) throws Exception {
        Processes procs = bench.procs;
        int port = freePort();
        Process echo = procs.start(
                "echo",
                List.of(
                        "java",
                        "-Xmx1g",
                        "-cp",
                        bench.jar.toString(),
                        EchoServer.class.getName(),
                        String.valueOf(port)),
                Map.of());
        Thread.sleep(1500);
        String url = "ws://127.0.0.1:" + port + "/ocpp";
        List<Process> sims = procs.simulators(
                "E",
                bench.chargers,
                url,
                List.of("--status-rate", "0", "--heartbeat", "60", "--ramp", "3000", "--duration", "3"),
                2);
        long held = 0;
        for (Process p : sims) {
            held += procs.sessionsAfterRamp(p);
        }
        waitFor(() -> Processes.allExited(sims), 120);
        List<Process> load = procs.simulators(
                "F",
                bench.sustainedChargers,
                url,
                List.of(
                        "--status-rate",
                        "100000",
                        "--heartbeat",
                        "60",
                        "--ramp",
                        "5000",
                        "--duration",
                        "10",
                        "--fault-every",
                        "0"),
                1);
        double perSecond = procs.finalRate(load.get(0));
        waitFor(() -> Processes.allExited(load), 60);
        echo.destroy();
        echo.waitFor(10, TimeUnit.SECONDS);
        return new JsonObject().put("held", held).put("messagesPerSecond", round(perSecond));
    }
}
