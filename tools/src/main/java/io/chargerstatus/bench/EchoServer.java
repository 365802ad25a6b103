package io.chargerstatus.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;

/**
 * The benchmark's ceiling for sessions and messages: a bare Vert.x WebSocket server on the same
 * event-loop layout as the OCPP verticles that answers every CALL with an empty CALLRESULT. No JSON
 * parsing, no validation, no database: what this machine does before any work of ours.
 */
public final class EchoServer extends VerticleBase {
    private final int port;

    EchoServer(int port) {
        this.port = port;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(
                        new HttpServerOptions().setPort(port).setWebSocketSubProtocols(List.of("ocpp1.6")))
                .webSocketHandler(ws -> ws.textMessageHandler(text -> {
                    // [2,"id",...] -> [3,"id",{}]: the id is the second element, found without parsing.
                    int start = text.indexOf('"');
                    int end = start < 0 ? -1 : text.indexOf('"', start + 1);
                    if (text.startsWith("[2") && end > start) {
                        ws.writeTextMessage("[3," + text.substring(start, end + 1) + ",{}]");
                    }
                }))
                .listen();
    }

    /** {@code java -cp charger-status.jar io.chargerstatus.bench.EchoServer PORT}. */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        vertx.deployVerticle(
                        () -> new EchoServer(port),
                        new DeploymentOptions()
                                .setInstances(Runtime.getRuntime().availableProcessors()))
                .onSuccess(id -> System.out.println("echo server on " + port))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }
}
