package ai.preempt.spark;

import ai.preempt.model.ModelCard;
import ai.preempt.protect.Verdict;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Stage 2 of the job: one table row per distinct content hash, read back from the committed per-image records, so
 * the table holds exactly what is complete on disk and exactly one row per image. The columns are the record's
 * (hash, path, status, reason, message) followed by every component of the shared {@link Verdict} type (null for
 * a failed image); a component that is not a number, boolean or string is stored as its JSON text.
 */
final class VerdictTable implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;
    private static final RecordComponent[] VERDICT = Verdict.class.getRecordComponents();

    /** The table's schema. */
    static final StructType SCHEMA = schema();

    private final OutputLayout out;

    VerdictTable(OutputLayout out) {
        this.out = out;
    }

    private static StructType schema() {
        StructType s = new StructType().add("hash", DataTypes.StringType, false).add("path", DataTypes.StringType, false)
                .add("status", DataTypes.StringType, false).add("reason", DataTypes.StringType, true)
                .add("message", DataTypes.StringType, true);
        for (RecordComponent c : VERDICT) {
            s = s.add(columnName(c), sparkType(c.getType()), true);
        }
        return s;
    }

    /** @return the column of a verdict component: its name in snake case, as in the per-image JSON */
    static String columnName(RecordComponent c) {
        return c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static DataType sparkType(Class<?> t) {
        if (t == long.class || t == Long.class) {
            return DataTypes.LongType;
        } else if (t == int.class || t == Integer.class) {
            return DataTypes.IntegerType;
        } else if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return DataTypes.DoubleType;
        } else if (t == boolean.class || t == Boolean.class) {
            return DataTypes.BooleanType;
        }
        return DataTypes.StringType;
    }

    /** Input rows: at least (hash, path, reused) as {@link ProtectPartition} emits them; output: table rows. */
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        List<Row> result = new ArrayList<>();
        while (rows.hasNext()) {
            result.add(toRow(ImageRecord.read(out.record(rows.next().getString(0)))));
        }
        return result.iterator();
    }

    /** @return the table row of one record */
    static Row toRow(ImageRecord r) {
        Object[] values = new Object[5 + VERDICT.length];
        values[0] = r.hash();
        values[1] = r.path();
        values[2] = r.status();
        values[3] = r.reason();
        values[4] = r.message();
        if (r.verdict() != null) {
            for (int i = 0; i < VERDICT.length; i++) {
                values[5 + i] = value(VERDICT[i], r.verdict());
            }
        }
        return RowFactory.create(values);
    }

    private static Object value(RecordComponent c, Verdict v) {
        Object x;
        try {
            x = c.getAccessor().invoke(v);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read verdict component " + c.getName(), e);
        }
        if (x == null || x instanceof String || x instanceof Long || x instanceof Integer || x instanceof Double
                || x instanceof Boolean) {
            return x;
        }
        if (x instanceof Float f) {
            return f.doubleValue();
        }
        try {
            return ModelCard.JSON.writeValueAsString(x);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
