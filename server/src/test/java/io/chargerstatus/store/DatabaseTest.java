package io.chargerstatus.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The embedded database (no PG_URL)")
class DatabaseTest {

    @Test
    @DisplayName(
            "runs with fsync, synchronous_commit and full_page_writes on: what a charger was told is stored survives a power cut")
    void embeddedIsDurable() throws Exception {
        Path dir = Files.createTempDirectory("cs-embedded");
        try (Database db = Database.open(null, dir.toString(), 5)) {
            String url = "jdbc:postgresql://" + db.host() + ":" + db.port() + "/postgres";
            try (Connection c = DriverManager.getConnection(url, "postgres", null);
                    Statement st = c.createStatement()) {
                for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                    try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                        rs.next();
                        assertEquals("on", rs.getString(1), setting);
                    }
                }
            }
        }
    }
}
