package io.chargerstatus.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The JDK's keytool, for the certificates the TLS tests need (store password "changeit"). */
public final class Keytool {
    public static final String PASSWORD = "changeit";

    private Keytool() {}

    /** A self-signed server certificate for localhost and 127.0.0.1 in a PKCS#12 keystore: the README's example. */
    public static void serverKeystore(Path keystore) throws Exception {
        run(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "san=dns:localhost,ip:127.0.0.1",
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString());
    }

    /** Runs keytool with {@code args} and the store password; fails with its output when it fails. */
    public static void run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASSWORD));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + out);
        }
    }
}
