package io.chargerstatus.engine;

import io.chargerstatus.store.Sql;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One statement that writes several tables from arrays ({@code unnest($1::text[], $2::int[], ...)}), with its
 * parameters numbered as they are declared: each column is named once, with its type and where its value comes
 * from, and both the SQL ({@link #unnest}, {@link #column}, {@link #scalar}) and the parameter values
 * ({@link #tuple}) follow from that one list. A new column is one line; no parameter is ever renumbered by
 * hand.
 *
 * <p>Declare everything once, at class initialisation, in the order the SQL uses it; then {@link #tuple} gives
 * the values for one batch. Immutable after that, and so shared by every batch.
 *
 * @param <B> what one execution writes (a batch)
 */
final class BatchStatement<B> {
    private final List<Function<B, Object>> values = new ArrayList<>();

    /** The columns of one array-valued row source, each with its SQL type and its value for a row. */
    static final class Rows<T> {
        private record Column<T>(String name, String type, Function<T, Object> value) {}

        private final List<Column<T>> columns = new ArrayList<>();

        Rows<T> text(String name, Function<T, String> value) {
            return add(name, "text", value::apply);
        }

        Rows<T> integer(String name, Function<T, Integer> value) {
            return add(name, "int", value::apply);
        }

        Rows<T> bigint(String name, Function<T, Long> value) {
            return add(name, "bigint", value::apply);
        }

        Rows<T> bool(String name, Function<T, Boolean> value) {
            return add(name, "boolean", value::apply);
        }

        Rows<T> timestamp(String name, Function<T, Instant> value) {
            return add(name, "timestamptz", r -> {
                Instant t = value.apply(r);
                return Sql.utc(t);
            });
        }

        private Rows<T> add(String name, String type, Function<T, Object> value) {
            columns.add(new Column<>(name, type, value));
            return this;
        }

        /** The column names, comma-separated: an INSERT's column list or an alias's. */
        String names() {
            return names("");
        }

        /** The column names each after {@code prefix} ({@code u.}): a select list. */
        String names(String prefix) {
            return columns.stream().map(c -> prefix + c.name()).collect(Collectors.joining(", "));
        }

        /** One typed array per column, as the PostgreSQL client binds {@code $n::type[]}. */
        private List<Object> arrays(List<T> rows) {
            List<Object> arrays = new ArrayList<>(columns.size());
            for (Column<T> c : columns) {
                Object[] array = switch (c.type()) {
                    case "text" -> new String[rows.size()];
                    case "int" -> new Integer[rows.size()];
                    case "bigint" -> new Long[rows.size()];
                    case "boolean" -> new Boolean[rows.size()];
                    case "timestamptz" -> new OffsetDateTime[rows.size()];
                    default -> throw new IllegalStateException("no array type for " + c.type());
                };
                for (int i = 0; i < rows.size(); i++) {
                    array[i] = c.value().apply(rows.get(i));
                }
                arrays.add(array);
            }
            return arrays;
        }

        private int index(String name) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no column " + name);
        }
    }

    private record Source<B, T>(Rows<T> rows, Function<B, List<T>> of, int first) {}

    private final List<Source<B, ?>> sources = new ArrayList<>();

    /**
     * {@code unnest($i::type[], ...) [WITH ORDINALITY] AS alias(columns[, ord])}: the rows {@code of} the batch,
     * as a table; its parameters are the next ones.
     */
    <T> String unnest(Rows<T> rows, Function<B, List<T>> of, String alias, boolean ordinality) {
        int first = values.size() + 1;
        sources.add(new Source<>(rows, of, first));
        StringBuilder sql = new StringBuilder("unnest(");
        for (int i = 0; i < rows.columns.size(); i++) {
            int column = i;
            values.add(batch -> null); // filled in by tuple(): all columns of a source come from one pass
            sql.append(i == 0 ? "" : ", ")
                    .append('$')
                    .append(first + i)
                    .append("::")
                    .append(rows.columns.get(column).type())
                    .append("[]");
        }
        sql.append(')');
        if (ordinality) {
            sql.append(" WITH ORDINALITY");
        }
        return sql.append(" AS ")
                .append(alias)
                .append('(')
                .append(rows.names())
                .append(ordinality ? ", ord" : "")
                .append(')')
                .toString();
    }

    /** {@code $i::type[]}: the array of one column of a source already declared (a {@code = ANY(...)}). */
    String column(Rows<?> rows, String name) {
        for (Source<B, ?> s : sources) {
            if (s.rows() == rows) {
                int i = rows.index(name);
                return "$" + (s.first() + i) + "::" + rows.columns.get(i).type() + "[]";
            }
        }
        throw new IllegalArgumentException("no unnest of these rows declared yet");
    }

    /** {@code $i}: one value of the batch. */
    String scalar(Function<B, Object> value) {
        values.add(value);
        return "$" + values.size();
    }

    /** The parameter values for one batch, in the order they were declared. */
    Tuple tuple(B batch) {
        Object[] all = new Object[values.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = values.get(i).apply(batch);
        }
        for (Source<B, ?> s : sources) {
            fill(s, batch, all);
        }
        return Tuple.from(all);
    }

    private static <B, T> void fill(Source<B, T> s, B batch, Object[] all) {
        List<Object> arrays = s.rows().arrays(s.of().apply(batch));
        for (int i = 0; i < arrays.size(); i++) {
            all[s.first() - 1 + i] = arrays.get(i);
        }
    }
}
