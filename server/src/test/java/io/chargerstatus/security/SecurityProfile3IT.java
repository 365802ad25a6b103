package io.chargerstatus.security;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.Keytool;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.chargerstatus.testkit.TlsConnect;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** OCPP security profile 3: TLS with a client certificate whose CN is the charger id, signed by TLS_CLIENT_CA_PATH. */
@DisplayName("Security profile 3: chargers authenticated by client certificates")
class SecurityProfile3IT {
    private static final String PASS = Keytool.PASSWORD;
    private static Path dir;
    private static TestService service;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("cs-p3");
        Keytool.serverKeystore(dir.resolve("server.p12"));
        Keytool.run(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=Test charger CA",
                "-ext",
                "bc:c",
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                p("ca.p12"));
        Keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", p("ca.p12"), "-file", p("ca.pem"));
        clientCertificate("p3-cp");
        clientCertificate("p3-other");
        // A certificate from a CA the service does not trust.
        Keytool.run(
                "-genkeypair",
                "-alias",
                "client",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=p3-cp",
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                p("rogue.p12"));

        String db = TestDatabase.fresh();
        try (TestService plain = TestService.start(db, Map.of())) {
            Api admin = plain.api();
            admin.charger("p3", "p3-cp");
            expect(
                    200,
                    admin.send(
                            "PATCH",
                            "/api/v1/chargers/p3-cp",
                            new JsonObject()
                                    .put("password", "only-for-profile-1")
                                    .encode()));
        }
        service = TestService.start(
                db,
                Map.of(
                        "TLS_KEYSTORE_PATH",
                        p("server.p12"),
                        "TLS_KEYSTORE_PASSWORD",
                        PASS,
                        "TLS_CLIENT_CA_PATH",
                        p("ca.pem")));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName(
            "a certificate for the charger's id opens its session without a password; another id's certificate gets 403")
    void clientCertificates() throws Exception {
        assertEquals(101, upgrade("p3-cp", "p3-cp.p12"));
        assertEquals(403, upgrade("p3-cp", "p3-other.p12"));
        assertEquals(
                401, upgrade("p3-cp", null), "without a certificate, the charger's password is required (profile 2)");
    }

    @Test
    @DisplayName(
            "a certificate from a CA the service does not trust authenticates nobody (the password is still required)")
    void untrustedCertificate() {
        // The TLS client only offers a certificate issued by a CA the server names; a rogue one is never accepted
        // as proof, whichever way the handshake goes.
        int status = upgrade("p3-cp", "rogue.p12");
        assertEquals(true, status == 401 || status == -1, "status " + status);
    }

    /** The upgrade's HTTP status, or -1 when the TLS handshake itself failed. */
    private static int upgrade(String chargerId, String clientKeystore) {
        WebSocketClientOptions options = new WebSocketClientOptions()
                .setSsl(true)
                .setTrustOptions(new PfxOptions().setPath(p("server.p12")).setPassword(PASS));
        if (clientKeystore != null) {
            options.setKeyCertOptions(
                    new PfxOptions().setPath(p(clientKeystore)).setPassword(PASS));
        }
        var client = TestCharger.VERTX.createWebSocketClient(options);
        try {
            WebSocket ws = TlsConnect.connect(
                    client,
                    new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(service.ocppPort)
                            .setURI("/ocpp/" + chargerId)
                            .setSsl(true)
                            .addSubProtocol("ocpp1.6"));
            ws.close();
            return 101;
        } catch (ExecutionException e) {
            return e.getCause() instanceof UpgradeRejectedException r ? r.getStatus() : -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            client.close();
        }
    }

    /** A key pair with CN = {@code chargerId}, its certificate signed by the test CA, in {@code chargerId.p12}. */
    private static void clientCertificate(String chargerId) throws Exception {
        String store = p(chargerId + ".p12");
        Keytool.run(
                "-genkeypair",
                "-alias",
                "client",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + chargerId,
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                store);
        Keytool.run("-certreq", "-alias", "client", "-keystore", store, "-file", p(chargerId + ".csr"));
        Keytool.run(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                p("ca.p12"),
                "-infile",
                p(chargerId + ".csr"),
                "-outfile",
                p(chargerId + ".pem"),
                "-rfc",
                "-validity",
                "30");
        Keytool.run("-importcert", "-noprompt", "-alias", "ca", "-file", p("ca.pem"), "-keystore", store);
        Keytool.run("-importcert", "-noprompt", "-alias", "client", "-file", p(chargerId + ".pem"), "-keystore", store);
    }

    private static String p(String name) {
        return dir.resolve(name).toString();
    }
}
