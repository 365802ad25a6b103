package io.chargerstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("java -jar charger-status.jar with a bad setting")
class MainIT {

    @Test
    @DisplayName("HTTP_PORT=abc: one line naming the variable, no stack trace, exit code 2")
    void badSetting() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("HTTP_PORT", "abc");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertEquals("charger-status: HTTP_PORT must be an integer, got abc", output);
    }
}
