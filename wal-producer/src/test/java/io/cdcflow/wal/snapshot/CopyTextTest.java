package io.cdcflow.wal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcflow.wal.pgoutput.TupleData;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopyTextTest {
    private static TupleData parse(String line, int width) {
        return CopyText.parse(line.getBytes(StandardCharsets.UTF_8), width);
    }

    @Test
    void splitsOnTabsAndReadsNulls() {
        assertThat(parse("1\tzoë\t\\N\t\n", 4).values()).containsExactly(
                new TupleData.Text("1"), new TupleData.Text("zoë"), TupleData.NULL, new TupleData.Text(""));
    }

    @Test
    void undoesEveryEscapeCopyWrites() {
        assertThat(parse("a\\tb\\nc\\\\d\\re\\bf\\fg\\vh\\101\\x42\\\\N\n", 1).values())
                .containsExactly(new TupleData.Text("a\tb\nc\\d\re\bf\fg\u000Bh" + "AB\\N"));
    }

    @Test
    void aRowOfTheWrongWidthIsAnError() {
        assertThatThrownBy(() -> parse("1\t2\n", 3)).hasMessage("COPY row has 2 values, expected 3");
    }

    @Test
    void aValueLongerThanAskedIsNotDecoded() {
        byte[] line = ("1\t" + "y".repeat(5000) + "\tlast\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(CopyText.parse(line, 3, 1000).values()).containsExactly(new TupleData.Text("1"), new TupleData.Oversized(5000),
                new TupleData.Text("last"));
    }
}
