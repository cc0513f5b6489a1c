package io.cdcflow.writer.batch;

import com.fasterxml.jackson.databind.node.TextNode;
import io.cdcflow.writer.schema.ClickHouseType;
import io.cdcflow.writer.schema.ServerInfo;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * A value of a facts export chunk in PostgreSQL's {@code COPY ... TO STDOUT} text (a session in UTC with ISO dates, as
 * the wal-producer's), checked against its ClickHouse column and written as TabSeparated text. The export sends this
 * form only for types whose text is the value as the change events' JSON carries it (numbers, text, booleans, dates,
 * times, UUIDs), so each value fits exactly when its JSON form would ({@link TsvValues} decides the uncommon cases).
 * Most values are copied byte for byte: PostgreSQL's digits are ClickHouse's, and COPY escapes text with the same
 * backslashes TabSeparated reads.
 */
final class CopyValues {
    private final ServerInfo server;
    private final TsvValues checks;
    private char[] chars = new char[64];

    CopyValues(ServerInfo server, TsvValues checks) {
        this.server = server;
        this.checks = checks;
    }

    /** Writes the non-null value in {@code row[start, stop)} of a column of {@code type}. */
    void write(ClickHouseType type, byte[] row, int start, int stop, TsvBytes out) {
        int length = stop - start;
        switch (type.kind()) {
            case INT -> {
                long value = integer(row, start, stop);
                if (!TsvValues.fits(type, value)) {
                    TsvValues.checkRange(type, value, text(row, start, stop)); // throws, naming the value
                }
                out.write(row, start, length);
            }
            case DECIMAL -> {
                int n = ascii(row, start, stop);
                if (TsvValues.plainDecimalFits(type, chars, 0, n)) {
                    out.write(row, start, length);
                } else if (isNonFinite(row, start, stop)) {
                    TsvValues.decimal(type, TextNode.valueOf(text(row, start, stop))); // throws: no decimal holds it
                } else {
                    String text = text(row, start, stop);
                    out.ascii(TsvValues.decimal(type, parseDecimal(text), text));
                }
            }
            case FLOAT -> {
                if (isNonFinite(row, start, stop)) {
                    out.ascii(TsvValues.floating(TextNode.valueOf(text(row, start, stop))));
                } else {
                    out.write(row, start, length);
                }
            }
            case BOOL -> {
                if (length != 1 || (row[start] != 't' && row[start] != 'f')) {
                    throw new IllegalArgumentException("expected t or f, got \"" + text(row, start, stop) + "\"");
                }
                boolean yes = row[start] == 't';
                out.ascii(server.hasBool() ? (yes ? "true" : "false") : (yes ? "1" : "0"));
            }
            case STRING, ENUM -> text(row, start, stop, out);
            case DATETIME -> {
                if (!commonDateTime(row, start, stop, out)) {
                    out.ascii(checks.dateTime(text(row, start, stop)));
                }
            }
            case DATE -> out.ascii(checks.date(text(row, start, stop)));
            case UUID -> {
                String text = text(row, start, stop);
                if (!TsvValues.isUuid(text)) {
                    throw new IllegalArgumentException("expected a UUID, got \"" + text + "\"");
                }
                out.write(row, start, length);
            }
            default -> throw new IllegalArgumentException("a facts export sends " + type.kind() + " values as JSON, not as COPY text");
        }
    }

    /**
     * COPY's escapes are TabSeparated's ({@code \\}, {@code \n}, {@code \r}, {@code \t}, {@code \b}, {@code \f}), but
     * for {@code \v}, written as the byte itself (TabSeparated needs no escape for it).
     */
    private static void text(byte[] row, int start, int stop, TsvBytes out) {
        int from = start;
        for (int i = start; i < stop; i++) {
            if (row[i] != '\\') {
                continue;
            }
            if (i + 1 >= stop) {
                throw new IllegalArgumentException("text ends in a lone backslash");
            }
            byte next = row[i + 1];
            switch (next) {
                case '\\', 'n', 'r', 't', 'b', 'f' -> i++;
                case 'v' -> {
                    out.write(row, from, i - from);
                    out.write((byte) 0x0B);
                    from = i + 2;
                    i++;
                }
                default -> throw new IllegalArgumentException("unexpected escape \\" + (char) next + " in COPY text");
            }
        }
        out.write(row, from, stop - from);
    }

    /**
     * The common timestamp without a String: {@code yyyy-MM-dd HH:mm:ss}, up to six fraction digits, {@code +00} or no
     * zone, in a year both servers' ranges hold and on a day every month has, written as ClickHouse's text. Whether
     * it was; anything else takes {@link TsvValues#dateTime}.
     */
    private boolean commonDateTime(byte[] row, int start, int stop, TsvBytes out) {
        int n = stop - start;
        if (n < 19 || row[start + 4] != '-' || row[start + 7] != '-' || row[start + 10] != ' ' || row[start + 13] != ':'
                || row[start + 16] != ':') {
            return false;
        }
        for (int i : TsvValues.DIGITS) {
            if (row[start + i] < '0' || row[start + i] > '9') {
                return false;
            }
        }
        int year = number(row, start, 4);
        int month = number(row, start + 5, 2);
        if (year < 1971 || year > 2104 || month < 1 || month > 12 || number(row, start + 8, 2) < 1 || number(row, start + 8, 2) > 28
                || number(row, start + 11, 2) > 23 || number(row, start + 14, 2) > 59 || number(row, start + 17, 2) > 59) {
            return false;
        }
        int end = start + 19;
        int fraction = end;
        if (end < stop && row[end] == '.') {
            fraction = ++end;
            while (end < stop && row[end] >= '0' && row[end] <= '9') {
                end++;
            }
            if (end == fraction || end - fraction > 6) {
                return false;
            }
        }
        if (end != stop && !(stop - end == 3 && row[end] == '+' && row[end + 1] == '0' && row[end + 2] == '0')) {
            return false;
        }
        out.write(row, start, 19);
        if (server.hasDateTime64()) {
            out.write('.');
            int digits = fraction < end ? end - fraction : 0;
            out.write(row, fraction, digits);
            for (int i = digits; i < 6; i++) {
                out.write('0');
            }
        }
        return true;
    }

    private static int number(byte[] row, int at, int digits) {
        int value = 0;
        for (int i = 0; i < digits; i++) {
            value = value * 10 + (row[at + i] - '0');
        }
        return value;
    }

    private static long integer(byte[] row, int start, int stop) {
        int i = start;
        boolean negative = i < stop && row[i] == '-';
        if (negative) {
            i++;
        }
        if (i == stop || stop - i > 19) {
            throw new IllegalArgumentException("expected a whole number, got \"" + text(row, start, stop) + "\"");
        }
        long value = 0;
        for (; i < stop; i++) {
            int digit = row[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IllegalArgumentException("expected a whole number, got \"" + text(row, start, stop) + "\"");
            }
            value = value * 10 - digit; // accumulated negative: Long.MIN_VALUE has no positive twin
            if (value > 0) {
                throw new IllegalArgumentException("expected a whole number within 64 bits, got \"" + text(row, start, stop) + "\"");
            }
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                throw new IllegalArgumentException("expected a whole number within 64 bits, got \"" + text(row, start, stop) + "\"");
            }
            value = -value;
        }
        return value;
    }

    private static BigDecimal parseDecimal(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, got \"" + text + "\"");
        }
    }

    private static boolean isNonFinite(byte[] row, int start, int stop) {
        int i = row[start] == '-' ? start + 1 : start;
        return i < stop && (row[i] == 'N' || row[i] == 'I');
    }

    /** The value's bytes as chars in {@link #chars} (numbers are ASCII); how many. */
    private int ascii(byte[] row, int start, int stop) {
        int n = stop - start;
        if (chars.length < n) {
            chars = new char[n + 16];
        }
        for (int i = 0; i < n; i++) {
            chars[i] = (char) (row[start + i] & 0xFF);
        }
        return n;
    }

    private static String text(byte[] row, int start, int stop) {
        return new String(row, start, stop - start, StandardCharsets.UTF_8);
    }
}
