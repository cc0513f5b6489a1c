package io.cdcflow.wal.snapshot;

import io.cdcflow.wal.pgoutput.TupleData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of {@code COPY ... TO STDOUT} in text format: values separated by tabs, {@code \N} for NULL, backslash
 * escapes for the characters that would break the format. Each value comes out in the type's text output form, the
 * same text a query or pgoutput gives, so the snapshot and the stream map values the same way.
 */
final class CopyText {
    private CopyText() {
    }

    static TupleData parse(byte[] line, int width) {
        return parse(line, width, Integer.MAX_VALUE);
    }

    /**
     * @param line          one CopyData message: a row, usually ending in a newline
     * @param width         the number of columns selected
     * @param maxValueBytes a value longer than this is not decoded: {@link TupleData.Oversized}
     * @throws IllegalArgumentException when the row does not have {@code width} values
     */
    static TupleData parse(byte[] line, int width, int maxValueBytes) {
        int end = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
        List<TupleData.Value> values = new ArrayList<>(width);
        int start = 0;
        while (true) {
            int stop = start;
            boolean escaped = false;
            while (stop < end && line[stop] != '\t') {
                escaped |= line[stop] == '\\';
                stop++;
            }
            values.add(stop - start > maxValueBytes ? new TupleData.Oversized(stop - start) : value(line, start, stop, escaped));
            if (stop >= end) {
                break;
            }
            start = stop + 1;
        }
        if (values.size() != width) {
            throw new IllegalArgumentException("COPY row has " + values.size() + " values, expected " + width);
        }
        return new TupleData(values);
    }

    private static TupleData.Value value(byte[] line, int start, int stop, boolean escaped) {
        if (!escaped) {
            return new TupleData.Text(new String(line, start, stop - start, StandardCharsets.UTF_8));
        }
        if (stop - start == 2 && line[start] == '\\' && line[start + 1] == 'N') {
            return TupleData.NULL;
        }
        byte[] out = new byte[stop - start];
        int length = 0;
        for (int i = start; i < stop; i++) {
            byte b = line[i];
            if (b != '\\' || i + 1 >= stop) {
                out[length++] = b;
                continue;
            }
            byte next = line[++i];
            switch (next) {
                case 'b' -> out[length++] = '\b';
                case 'f' -> out[length++] = '\f';
                case 'n' -> out[length++] = '\n';
                case 'r' -> out[length++] = '\r';
                case 't' -> out[length++] = '\t';
                case 'v' -> out[length++] = 0x0B;
                case 'x' -> {
                    int value = 0;
                    int digits = 0;
                    while (digits < 2 && i + 1 < stop && Character.digit(line[i + 1], 16) >= 0) {
                        value = value * 16 + Character.digit(line[++i], 16);
                        digits++;
                    }
                    out[length++] = digits == 0 ? (byte) 'x' : (byte) value;
                }
                default -> {
                    if (next >= '0' && next <= '7') {
                        int value = next - '0';
                        for (int digits = 1; digits < 3 && i + 1 < stop && line[i + 1] >= '0' && line[i + 1] <= '7'; digits++) {
                            value = value * 8 + (line[++i] - '0');
                        }
                        out[length++] = (byte) value;
                    } else {
                        out[length++] = next;
                    }
                }
            }
        }
        return new TupleData.Text(new String(out, 0, length, StandardCharsets.UTF_8));
    }
}
