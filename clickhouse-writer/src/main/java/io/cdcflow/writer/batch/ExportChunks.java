package io.cdcflow.writer.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.kafka.FactsExport;
import io.cdcflow.writer.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The rows of a chunk of a facts export ({@link FactsExport}), one per line, each encoded on its own: PostgreSQL's COPY
 * text of the columns the chunk names, at the chunk's snapshot LSN, or JSON rows as the fact's own records hold them.
 */
public final class ExportChunks {
    /** Told of a row that cannot be written to its table. */
    public interface Refused {
        void row(byte[] row, String message);
    }

    private final RowEncoder encoder;
    /** The positions of the last columns header seen, in the schema they were found for. */
    private byte[] columns;
    private TableSchema positionsOf;
    private int[] positions;

    public ExportChunks(RowEncoder encoder) {
        this.encoder = encoder;
    }

    /** Whether a fact topic's record is a chunk of a facts export rather than one of the fact's rows. */
    public static boolean isChunk(Headers headers) {
        return headers.lastHeader(FactsExport.LSN_HEADER) != null;
    }

    /**
     * Appends each row of {@code chunk} to {@code batch}, calling {@code added} after each one added, {@code refused}
     * for each one that does not fit (naming its line in the chunk).
     */
    public void encode(TableSchema schema, Headers headers, byte[] chunk, TableBatch batch, Runnable added, Refused refused) {
        Header columnsHeader = headers.lastHeader(FactsExport.COLUMNS_HEADER);
        int[] copyPositions = null;
        String version = null;
        if (columnsHeader != null) {
            version = new String(headers.lastHeader(FactsExport.LSN_HEADER).value(), StandardCharsets.US_ASCII);
            String problem = !version.matches("\\d{1,20}") ? "its snapshot LSN header is not a number: " + version : null;
            copyPositions = problem == null ? positions(schema, columnsHeader.value()) : null;
            if (copyPositions == null) {
                refused.row(chunk, "facts export chunk for " + schema.table() + " cannot be read: "
                        + (problem != null ? problem : "its columns header is not a JSON array of names"));
                return;
            }
        }
        int start = 0;
        int line = 0;
        while (start < chunk.length) {
            int end = start;
            while (end < chunk.length && chunk[end] != '\n') {
                end++;
            }
            line++;
            if (end > start) {
                try {
                    if (copyPositions != null) {
                        encoder.encodeCopy(schema, copyPositions, chunk, start, end - start, version, batch);
                    } else {
                        encoder.encode(schema, chunk, start, end - start, batch);
                    }
                    added.run();
                } catch (RowEncoder.BadRowException | Json.MalformedJsonException e) {
                    refused.row(Arrays.copyOfRange(chunk, start, end), e.getMessage() + " (line " + line + " of a facts export chunk)");
                }
            }
            start = end + 1;
        }
    }

    /** Each named column's position in {@code schema}, -1 for one it lacks; null when the header is not a list of names. */
    private int[] positions(TableSchema schema, byte[] header) {
        if (schema == positionsOf && Arrays.equals(header, columns)) {
            return positions;
        }
        JsonNode names;
        try {
            names = Json.read(header);
        } catch (RuntimeException e) {
            return null;
        }
        if (!names.isArray() || names.isEmpty()) {
            return null;
        }
        int[] found = new int[names.size()];
        for (int i = 0; i < found.length; i++) {
            if (!names.get(i).isTextual()) {
                return null;
            }
            found[i] = schema.position(names.get(i).asText());
        }
        columns = header;
        positionsOf = schema;
        positions = found;
        return found;
    }
}
