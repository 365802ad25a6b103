package io.chargerstatus.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A batch statement: parameters numbered from one column list, values in the same order")
class BatchStatementTest {
    record Item(String name, int n, Instant at) {}

    record Batch(List<Item> items, List<String> tags) {}

    @Test
    @DisplayName("unnest, column and scalar number their parameters in declaration order; tuple fills them")
    void numbersAndValues() {
        BatchStatement<Batch> statement = new BatchStatement<>();
        BatchStatement.Rows<Item> items = new BatchStatement.Rows<Item>()
                .text("name", Item::name)
                .integer("n", Item::n)
                .timestamp("at", Item::at);
        BatchStatement.Rows<String> tags = new BatchStatement.Rows<String>().text("tag", t -> t);
        assertEquals(
                "unnest($1::text[], $2::int[], $3::timestamptz[]) WITH ORDINALITY AS u(name, n, at, ord)",
                statement.unnest(items, Batch::items, "u", true));
        assertEquals("$4", statement.scalar(b -> b.items().size()));
        assertEquals("unnest($5::text[]) AS t(tag)", statement.unnest(tags, Batch::tags, "t", false));
        assertEquals("$2::int[]", statement.column(items, "n"));
        assertEquals("u.name, u.n, u.at", items.names("u."));

        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        Tuple tuple = statement.tuple(
                new Batch(List.of(new Item("a", 1, t0), new Item("b", 2, null)), List.of("x", "y", "z")));
        assertEquals(5, tuple.size());
        assertArrayEquals(new String[] {"a", "b"}, (String[]) tuple.getValue(0));
        assertArrayEquals(new Integer[] {1, 2}, (Integer[]) tuple.getValue(1));
        assertArrayEquals(
                new OffsetDateTime[] {t0.atOffset(ZoneOffset.UTC), null}, (OffsetDateTime[]) tuple.getValue(2));
        assertEquals(2, tuple.getValue(3));
        assertArrayEquals(new String[] {"x", "y", "z"}, (String[]) tuple.getValue(4));
    }

    @Test
    @DisplayName("the engine's commit statement uses every parameter it declares, each once as a number")
    void engineStatement() {
        Matcher m = Pattern.compile("\\$(\\d+)").matcher(BatchCommit.STATEMENT);
        java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
        while (m.find()) {
            used.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(1, used.first());
        assertEquals(used.size(), used.last(), "no gap in the parameter numbers: " + used);
        Tuple empty =
                BatchCommit.COMMIT.tuple(new BatchCommit.Batch(List.of(), List.of(), List.of(), List.of(), List.of()));
        assertEquals(used.size(), empty.size(), "as many values as parameters");
        assertTrue(BatchCommit.STATEMENT.contains("INSERT INTO status_events (seq, charger_id, account_id"));
    }
}
