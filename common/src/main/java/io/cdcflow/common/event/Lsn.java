package io.cdcflow.common.event;

/**
 * A PostgreSQL log sequence number. The text form {@code 0/1A2B3C4} is what PostgreSQL and the seed show;
 * the number is what consumers compare. Ordered as an unsigned 64-bit value.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex such as 0/1A2B3C4): " + text);
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            if (high > 0xFFFFFFFFL || low > 0xFFFFFFFFL) {
                throw new NumberFormatException("part over 32 bits");
            }
            return new Lsn((high << 32) | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex such as 0/1A2B3C4): " + text, e);
        }
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        char[] text = new char[17];
        int at = hex(value >>> 32, text, 0);
        text[at++] = '/';
        at = hex(value & 0xFFFFFFFFL, text, at);
        return new String(text, 0, at);
    }

    private static final char[] DIGITS = "0123456789ABCDEF".toCharArray();

    /** Upper-case hex without leading zeros, as PostgreSQL prints each half. */
    private static int hex(long half, char[] out, int at) {
        int shift = half == 0 ? 0 : (63 - Long.numberOfLeadingZeros(half)) / 4 * 4;
        for (; shift >= 0; shift -= 4) {
            out[at++] = DIGITS[(int) (half >>> shift) & 0xF];
        }
        return at;
    }
}
