package io.cdcflow.writer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.writer.schema.ServerInfo;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TsvValuesTest {
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Test
    void theShortcutForUtcTimestampsAgreesWithJavaTime() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime expected = LocalDateTime.ofEpochSecond(random.nextLong(0, 4_000_000_000L), random.nextInt(1_000_000) * 1000, ZoneOffset.UTC);
            String iso = expected.toString();
            String text = switch (i % 4) {
                case 0 -> iso + "Z";
                case 1 -> iso.replace('T', ' ') + "+00";
                case 2 -> iso + "+00:00";
                default -> iso;
            };
            String shortcut = TsvValues.utcWithoutParsing(text, true);
            if (shortcut != null) {
                assertThat(shortcut).as(text).isEqualTo(expected.format(MICROS));
                assertThat(TsvValues.utcWithoutParsing(text, false)).as(text).isEqualTo(expected.format(SECONDS));
            }
        }
    }

    @Test
    void everythingElseTakesTheGeneralPathAndInfinitiesAreClamped() {
        for (String text : new String[] {"2024-02-29T10:00:00Z", "2026-11-24T12:00:00+02:00", "2026-11-24"}) {
            assertThat(TsvValues.utcWithoutParsing(text, true)).as(text).isNull();
        }
        TsvValues old = new TsvValues(ServerInfo.parse("18.16.1"));
        TsvValues current = new TsvValues(ServerInfo.parse("25.8.1"));
        assertThat(old.dateTime("2024-02-29T23:30:00-01:00")).isEqualTo("2024-03-01 00:30:00");
        assertThat(current.dateTime("2026-11-24T12:00:00.5+02:00")).isEqualTo("2026-11-24 10:00:00.500000");
        assertThat(current.dateTime("infinity")).isEqualTo("2299-12-31 23:59:59.999999");
        assertThat(current.dateTime("-infinity")).isEqualTo("1900-01-01 00:00:00.000000");
        assertThat(current.dateTime("1800-01-01T00:00:00")).isEqualTo("1900-01-01 00:00:00.000000");
        assertThat(old.dateTime("2200-01-01T00:00:00Z")).isEqualTo("2105-12-31 23:59:59");
        assertThat(current.date("0044-03-15 BC")).isEqualTo("1900-01-01");
        assertThat(current.date("2026-02-28")).isEqualTo("2026-02-28");
        assertThat(old.date("1969-12-31")).isEqualTo("1970-01-02");
    }
}
