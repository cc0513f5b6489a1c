package io.cdcflow.writer.batch;

import io.cdcflow.common.io.GrowableBytes;

/** A growable byte buffer that writes text as ClickHouse's TabSeparated format wants it. */
final class TsvBytes extends GrowableBytes {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    TsvBytes() {
        super(1024);
    }

    /** Text known to be ASCII: numbers, timestamps. */
    void ascii(String text) {
        ensure(text.length());
        for (int i = 0; i < text.length(); i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
    }

    /** A non-negative whole number's decimal digits, without a String in between. */
    void digits(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative: " + v);
        }
        int width = 1;
        for (long rest = v / 10; rest != 0; rest /= 10) {
            width++;
        }
        ensure(width);
        int at = length + width;
        do {
            bytes[--at] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        length += width;
    }

    void ascii(char[] text, int off, int len) {
        ensure(len);
        for (int i = 0; i < len; i++) {
            bytes[length++] = (byte) text[off + i];
        }
    }

    void escaped(String text) {
        escaped(text.toCharArray(), 0, text.length(), false);
    }

    /**
     * Any text, as UTF-8 with TabSeparated's backslash escapes for the characters that would break the line; inside an
     * array literal ({@code quoted}), the single quote is escaped too.
     */
    void escaped(char[] text, int off, int len, boolean quoted) {
        ensure(len * 3);
        for (int i = off; i < off + len; i++) {
            char c = text[i];
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> escape('\\');
                    case '\t' -> escape('t');
                    case '\n' -> escape('n');
                    case '\r' -> escape('r');
                    case '\0' -> escape('0');
                    case '\b' -> escape('b');
                    case '\f' -> escape('f');
                    case '\'' -> {
                        if (quoted) {
                            escape('\'');
                        } else {
                            bytes[length++] = (byte) c;
                        }
                    }
                    default -> bytes[length++] = (byte) c;
                }
            } else if (c < 0x800) {
                bytes[length++] = (byte) (0xC0 | (c >> 6));
                bytes[length++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < off + len && Character.isLowSurrogate(text[i + 1])) {
                int cp = Character.toCodePoint(c, text[++i]);
                ensure(4);
                bytes[length++] = (byte) (0xF0 | (cp >> 18));
                bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[length++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                bytes[length++] = '?'; // a lone surrogate has no UTF-8 form; Java's encoder writes '?' too
            } else {
                bytes[length++] = (byte) (0xE0 | (c >> 12));
                bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                bytes[length++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /** Raw bytes (a bytea value): escaped where TabSeparated needs it, as {@code \xNN} inside an array literal. */
    void escapedBytes(byte[] raw, boolean quoted) {
        ensure(raw.length * 4);
        for (byte b : raw) {
            int c = b & 0xFF;
            if (quoted && (c < 0x20 || c >= 0x7F || c == '\'' || c == '\\')) {
                bytes[length++] = '\\';
                bytes[length++] = 'x';
                bytes[length++] = HEX[c >> 4];
                bytes[length++] = HEX[c & 0xF];
                continue;
            }
            switch (c) {
                case '\\' -> escape('\\');
                case '\t' -> escape('t');
                case '\n' -> escape('n');
                case '\r' -> escape('r');
                case 0 -> escape('0');
                default -> bytes[length++] = b;
            }
        }
    }

    private void escape(char c) {
        ensure(2);
        bytes[length++] = '\\';
        bytes[length++] = (byte) c;
    }
}
