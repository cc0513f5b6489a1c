package io.cdcflow.common.io;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A byte buffer that grows as it is written and is reused after {@link #reset()}: a ByteArrayOutputStream without
 * its locking, whose content can be read in place. Subclasses write into {@link #bytes} directly after
 * {@link #ensure}. Not thread-safe.
 */
public class GrowableBytes extends OutputStream {
    protected byte[] bytes;
    protected int length;

    public GrowableBytes(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    public void reset() {
        length = 0;
    }

    public int length() {
        return length;
    }

    /** The content so far, without copying; valid until the next write or {@link #reset()}. */
    public byte[] array() {
        return bytes;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** The content so far as a stream, without copying; valid until the next write or {@link #reset()}. */
    public InputStream stream() {
        return new ByteArrayInputStream(bytes, 0, length);
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    /** Makes room for {@code more} bytes after the current content. */
    protected void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
