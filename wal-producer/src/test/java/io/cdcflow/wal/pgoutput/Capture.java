package io.cdcflow.wal.pgoutput;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/** The pgoutput messages captured from a real server, in src/test/resources/pgoutput-capture.txt. */
public final class Capture {
    public record Line(long lsn, ByteBuffer bytes) {
    }

    private Capture() {
    }

    public static List<Line> lines() {
        try (InputStream in = Capture.class.getResourceAsStream("/pgoutput-capture.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split(" "))
                    .map(p -> new Line(io.cdcflow.common.event.Lsn.parse(p[0]).value(), ByteBuffer.wrap(HexFormat.of().parseHex(p[1]))))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<PgOutputMessage> messages() {
        return lines().stream().map(l -> PgOutputDecoder.decode(l.bytes().duplicate())).toList();
    }
}
