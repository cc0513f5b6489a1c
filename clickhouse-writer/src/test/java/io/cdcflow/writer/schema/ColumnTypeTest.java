package io.cdcflow.writer.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ColumnTypeTest {
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Test
    void theShortcutForUtcTimestampsAgreesWithJavaTime() {
        Random random = new Random(7);
        List<String> zones = List.of("Z", "+00", "+00:00", "+0000", "");
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime t = LocalDateTime.of(1970 + random.nextInt(130), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), random.nextInt(1_000_000_000));
            int digits = random.nextInt(10);
            String fraction = digits == 0 ? "" : "." + String.format("%09d", t.getNano()).substring(0, digits);
            String text = t.toString().substring(0, 19).replace('T', random.nextBoolean() ? 'T' : ' ') + fraction
                    + zones.get(random.nextInt(zones.size()));
            LocalDateTime expected = LocalDateTime.parse(t.toString().substring(0, 19) + fraction);
            assertThat(ColumnType.utcWithoutParsing(text, true)).as(text).isEqualTo(expected.format(MICROS));
            assertThat(ColumnType.utcWithoutParsing(text, false)).as(text).isEqualTo(expected.format(SECONDS));
        }
    }

    @Test
    void everythingElseTakesTheGeneralPath() {
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-11-24T10:00:00+02:00", "2026-11-24T24:00:00Z", "2026-13-01T00:00:00Z",
                "2026-11-24", "2026-11-24T10:00", "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00.1234567890Z", "x026-11-24T10:00:00Z")) {
            assertThat(ColumnType.utcWithoutParsing(text, true)).as(text).isNull();
        }
        ServerInfo old = ServerInfo.parse("18.16.1");
        assertThat(ColumnType.dateTime("2024-02-29T23:30:00-01:00", old)).isEqualTo("2024-03-01 00:30:00");
        assertThat(ColumnType.dateTime("2026-11-24T12:00:00.5+02:00", ServerInfo.parse("25.8.1"))).isEqualTo("2026-11-24 10:00:00.500000");
        assertThat(OffsetDateTime.of(2026, 11, 24, 10, 0, 0, 0, ZoneOffset.UTC).toString()).isEqualTo("2026-11-24T10:00Z");
    }
}
