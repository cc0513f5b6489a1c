package io.cdcflow.writer.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.writer.batch.TableBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which rows of a batch read again are written, given which equal the row FINAL shows for their key. */
class RetriedInsertsTest {
    private static final List<String> COLUMNS = List.of("id", "name", "_version", "_deleted");

    private static TableBatch batch(String... lines) {
        TableBatch batch = new TableBatch();
        for (String line : lines) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            batch.add(bytes, bytes.length, COLUMNS);
        }
        return batch;
    }

    private static boolean[] write(TableBatch batch, boolean... shown) {
        return RetriedInserts.rowsToWrite(batch, 0, batch.rows(), new int[] {0}, shown);
    }

    @Test
    void aKeysRowsUpToTheLastOneShownLandedBeforeAndTheRestAreWritten() {
        TableBatch batch = batch("1\ta\t5\t0", "2\tb\t5\t0", "1\tb\t5\t0", "1\tc\t6\t0", "3\tx\t7\t0");
        // key 1: a, then b (shown: the last written of version 5) landed; c did not. Key 2 landed, key 3 did not.
        assertThat(write(batch, false, true, true, false, false)).containsExactly(false, false, false, true, true);
    }

    @Test
    void aRowEqualToAnEarlierOneOfItsVersionIsWrittenWhenAnotherWasWrittenLast() {
        // a, b, a again in one transaction (one version): b landed last, so "a" again must be written after it
        TableBatch batch = batch("1\ta\t5\t0", "1\tb\t5\t0", "1\ta\t5\t0");
        assertThat(write(batch, false, true, false)).containsExactly(false, false, true);
    }

    @Test
    void nothingShownMeansEverythingIsWritten() {
        TableBatch batch = batch("1\ta\t5\t0", "2\tb\t5\t0");
        assertThat(write(batch, false, false)).containsExactly(true, true);
    }

    @Test
    void keysAreTheFieldsAsSentOfSeveralColumns() {
        byte[] line = "7\tx\\ty\t9\t0\n".getBytes(StandardCharsets.UTF_8);
        assertThat(RetriedInserts.key(line, new int[] {0, 1})).isEqualTo("7\tx\\ty\t");
        assertThat(RetriedInserts.key(line, new int[] {3})).isEqualTo("0\t");
    }
}
