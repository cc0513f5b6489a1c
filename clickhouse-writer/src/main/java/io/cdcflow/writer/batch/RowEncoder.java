package io.cdcflow.writer.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.writer.schema.ClickHouseType;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * One output row as a TabSeparated line for its table, columns in {@link TableSchema#insertColumns()} order, or a
 * clear error naming the table, column, type and value that do not fit.
 *
 * <p>TabSeparated, not JSONEachRow: ClickHouse parses it in about half the time (no field names, no quoting), which
 * matters when the writer and the server share the machine. The row is read token by token, checking each value
 * against its column's declared type on the way: no tree is built for the common values (numbers, strings,
 * timestamps, nulls). Anything else is read as a tree and checked by {@link TsvValues}, the one definition of what
 * fits.
 *
 * <p>A row is a JSON object of columns plus {@code _version} (a whole number, up to 128 bits) and {@code _deleted}.
 * A field the table lacks (a column PostgreSQL dropped since the row was written) is skipped. A missing or null
 * value is NULL in a Nullable column, an empty array in an array column; a deleted row (whose old values PostgreSQL
 * did not send) fills a NOT NULL column with its type's zero; any other row missing a NOT NULL value is refused.
 */
public final class RowEncoder {
    private static final byte[] NULL = {'\\', 'N'};
    /** Marks a column whose value was null or absent, decided once the row's {@code _deleted} is known. */
    private static final int ABSENT = -1;
    /**
     * Parsers from a factory of the encoder's own: its buffer pool is not the thread-local default, whose lookup cost
     * about a sixth of the loop (one parser per record), and it reads UTF-8 without guessing the encoding first (a
     * tenth of the loop went to looking for byte-order marks; records are JSON written as UTF-8, RFC 8259).
     */
    private final JsonFactory parsers = JsonFactory.builder().recyclerPool(JsonRecyclerPools.newLockFreePool())
            .disable(JsonFactory.Feature.CHARSET_DETECTION).build();

    private final ServerInfo server;
    private final TsvValues checks;
    private final CopyValues copyValues;
    private final TsvBytes line = new TsvBytes();
    /** This row's values, one range per column position. */
    private final TsvBytes values = new TsvBytes();
    private int[] from = new int[0];
    private int[] to = new int[0];

    public RowEncoder(ServerInfo server) {
        this.server = server;
        this.checks = new TsvValues(server);
        this.copyValues = new CopyValues(server, checks);
    }

    /**
     * Encodes {@code value} for {@code schema}'s table and appends it to {@code batch}, which must hold rows of the
     * same {@link TableSchema#insertColumns()} (or none).
     *
     * @throws BadRowException when the value is not a JSON object or a value does not fit its column
     */
    public void encode(TableSchema schema, byte[] value, TableBatch batch) {
        encode(schema, value, 0, value.length, batch);
    }

    /** {@link #encode(TableSchema, byte[], TableBatch)} of the row in {@code length} bytes of {@code value} from {@code offset}. */
    public void encode(TableSchema schema, byte[] value, int offset, int length, TableBatch batch) {
        if (batch.rows() > 0 && batch.columns() != schema.insertColumns()) {
            throw new IllegalStateException("batch for " + schema.table() + " holds rows of other columns; flush it first");
        }
        values.reset();
        try (JsonParser in = parsers.createParser(value, offset, length)) {
            copy(schema, in);
        } catch (JsonProcessingException e) {
            throw new BadRowException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        batch.add(line.array(), line.length(), schema.insertColumns());
    }

    /**
     * Encodes a row of PostgreSQL's {@code COPY ... TO STDOUT} text (a facts export chunk's, {@link CopyValues}): the
     * values of the columns at {@code positions} of {@code schema} (-1: a column the table no longer has), tab-separated,
     * {@code \N} for NULL, in {@code length} bytes of {@code row} from {@code offset} (no newline), at {@code version}
     * (decimal digits), not deleted.
     *
     * @throws BadRowException when the row does not have a value per column or a value does not fit its column
     */
    public void encodeCopy(TableSchema schema, int[] positions, byte[] row, int offset, int length, String version, TableBatch batch) {
        if (batch.rows() > 0 && batch.columns() != schema.insertColumns()) {
            throw new IllegalStateException("batch for " + schema.table() + " holds rows of other columns; flush it first");
        }
        values.reset();
        clear(schema.size());
        int end = offset + length;
        int start = offset;
        int column = 0;
        while (true) {
            int stop = start;
            while (stop < end && row[stop] != '\t') {
                stop++;
            }
            if (column >= positions.length) {
                throw new BadRowException("COPY row has more than the chunk's " + positions.length + " columns");
            }
            int position = positions[column++];
            if (position >= 0) {
                if (stop - start == 2 && row[start] == '\\' && row[start + 1] == 'N') {
                    to[position] = -2; // null
                } else {
                    from[position] = values.length();
                    ClickHouseType type = schema.typeAt(position);
                    try {
                        copyValues.write(type, row, start, stop, values);
                    } catch (IllegalArgumentException e) {
                        throw new BadRowException("column " + schema.table() + "." + schema.nameAt(position) + " (" + type.declaration()
                                + "): " + e.getMessage());
                    }
                    to[position] = values.length();
                }
            }
            if (stop >= end) {
                break;
            }
            start = stop + 1;
        }
        if (column != positions.length) {
            throw new BadRowException("COPY row has " + column + " values, the chunk's columns are " + positions.length);
        }
        finish(schema, false, version, -1);
        batch.add(line.array(), line.length(), schema.insertColumns());
    }

    /** Marks every column of a row of {@code width} as without a value. */
    private void clear(int width) {
        if (from.length < width) {
            from = new int[width + 8];
            to = new int[width + 8];
        }
        Arrays.fill(from, 0, width, ABSENT);
        Arrays.fill(to, 0, width, 0);
    }

    private void copy(TableSchema schema, JsonParser in) throws IOException {
        if (in.nextToken() != JsonToken.START_OBJECT) {
            throw new BadRowException("record value must be a JSON object");
        }
        int width = schema.size();
        clear(width);
        String version = null; // a version past a long's range, or null
        long longVersion = -1;
        int deleted = 0;
        String field;
        int expected = 0; // fields usually come in column order: checking the next column first spares a hash lookup
        while ((field = in.nextFieldName()) != null) {
            JsonToken token = in.nextToken();
            int position = expected < width && schema.nameAt(expected).equals(field) ? expected : schema.position(field);
            expected = position + 1;
            if (position < 0) {
                if (field.equals(schema.meta().version())) {
                    if (token == JsonToken.VALUE_NUMBER_INT && fitsLong(in) && in.getLongValue() >= 0) {
                        longVersion = in.getLongValue();
                        version = null;
                    } else {
                        version = version(token == JsonToken.VALUE_NUMBER_INT ? null : tree(in), in);
                        longVersion = -1;
                    }
                } else if (field.equals(schema.meta().deleted())) {
                    deleted = (token == JsonToken.VALUE_NUMBER_INT ? in.getIntValue() : tree(in).asInt(0)) == 0 ? 0 : 1;
                } else {
                    in.skipChildren(); // reserved, or a column the table no longer has
                }
                continue;
            }
            if (to[position] < 0 || from[position] >= 0) {
                throw new BadRowException("field " + field + " appears twice");
            }
            if (token == JsonToken.VALUE_NULL) {
                to[position] = -2; // seen, and null
                continue;
            }
            from[position] = values.length();
            value(schema, position, field, token, in);
            to[position] = values.length();
        }
        if (version == null && longVersion < 0) {
            throw new BadRowException("record has no numeric _version");
        }
        finish(schema, deleted == 1, version, longVersion);
    }

    /** The row's line: each column's value (or what stands for none), the version (a string, else the long) and deleted. */
    private void finish(TableSchema schema, boolean deleted, String version, long longVersion) {
        int width = schema.size();
        line.reset();
        for (int position = 0; position < width; position++) {
            if (from[position] >= 0) {
                line.write(values.array(), from[position], to[position] - from[position]);
            } else {
                absent(schema, position, deleted);
            }
            line.write('\t');
        }
        if (version == null) {
            line.digits(longVersion);
        } else {
            line.ascii(version);
        }
        line.write('\t');
        line.write(deleted ? '1' : '0');
        line.write('\n');
    }

    /** A column the row has no value for (null, or not sent). */
    private void absent(TableSchema schema, int position, boolean deleted) {
        ClickHouseType type = schema.typeAt(position);
        String column = schema.table() + "." + schema.nameAt(position);
        if (schema.isKey(position)) {
            throw new BadRowException("key column " + column + " is " + (to[position] == -2 ? "null" : "missing"));
        }
        if (type.nullable()) {
            line.write(NULL, 0, NULL.length);
        } else if (type.kind() == ClickHouseType.Kind.ARRAY || deleted) {
            line.ascii(TsvValues.zero(type)); // ClickHouse has no NULL array; a deleted row's old values are not sent
        } else {
            throw new BadRowException("column " + column + " (" + type.declaration() + ") is NOT NULL but the record has "
                    + (to[position] == -2 ? "null" : "no value") + " for it");
        }
    }

    private static String version(JsonNode tree, JsonParser in) throws IOException {
        if (tree == null) {
            if (in.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                BigInteger big = in.getBigIntegerValue();
                if (big.signum() >= 0 && big.bitLength() <= 128) {
                    return big.toString();
                }
            } else if (in.getLongValue() >= 0) {
                return Long.toString(in.getLongValue());
            }
        } else if (tree.isTextual() && tree.asText().matches("\\d{1,39}")) {
            return tree.asText();
        }
        throw new BadRowException("record has no numeric _version");
    }

    private void value(TableSchema schema, int position, String field, JsonToken token, JsonParser in) throws IOException {
        ClickHouseType type = schema.typeAt(position);
        try {
            switch (type.kind()) {
                case INT -> {
                    if (token == JsonToken.VALUE_NUMBER_INT && fitsLong(in)) {
                        if (!TsvValues.fits(type, in.getLongValue())) {
                            TsvValues.checkRange(type, in.getLongValue(), in.getText()); // throws, naming the value
                        }
                        values.ascii(in.getTextCharacters(), in.getTextOffset(), in.getTextLength()); // JSON's digits are ClickHouse's
                        return;
                    }
                }
                case DECIMAL -> {
                    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                        char[] digits = in.getTextCharacters();
                        int offset = in.getTextOffset();
                        int length = in.getTextLength();
                        if (TsvValues.plainDecimalFits(type, digits, offset, length)) {
                            values.ascii(digits, offset, length);
                        } else {
                            values.ascii(TsvValues.decimal(type, in.getDecimalValue(), in.getText()));
                        }
                        return;
                    }
                }
                case FLOAT -> {
                    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                        values.ascii(in.getText());
                        return;
                    }
                }
                case STRING, ENUM -> {
                    if (token == JsonToken.VALUE_STRING) {
                        values.escaped(in.getTextCharacters(), in.getTextOffset(), in.getTextLength(), false);
                        return;
                    }
                }
                case DATETIME -> {
                    if (token == JsonToken.VALUE_STRING) {
                        values.ascii(checks.dateTime(in.getText()));
                        return;
                    }
                }
                case BOOL -> {
                    if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                        boolean yes = token == JsonToken.VALUE_TRUE;
                        values.ascii(server.hasBool() ? (yes ? "true" : "false") : (yes ? "1" : "0"));
                        return;
                    }
                }
                default -> { }
            }
            checks.write(type, tree(in), values);
        } catch (IllegalArgumentException e) {
            throw new BadRowException("column " + schema.table() + "." + field + " (" + type.declaration() + "): " + e.getMessage());
        }
    }

    private static boolean fitsLong(JsonParser in) throws IOException {
        JsonParser.NumberType kind = in.getNumberType();
        return kind == JsonParser.NumberType.INT || kind == JsonParser.NumberType.LONG;
    }

    private static JsonNode tree(JsonParser in) throws IOException {
        return Json.MAPPER.readTree(in);
    }

    /** A record that cannot be written to its table; it goes to the dead-letter topic. */
    public static final class BadRowException extends RuntimeException {
        public BadRowException(String message) {
            super(message);
        }
    }
}
