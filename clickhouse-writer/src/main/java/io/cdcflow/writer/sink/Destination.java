package io.cdcflow.writer.sink;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.schema.TableSchema;
import java.io.InputStream;
import java.util.List;

/**
 * What the sink needs of ClickHouse: tables kept in step with their sources' schemas, and rows into them. Every call
 * may throw {@link ClickHouse.ClickHouseException} when the server fails; the sink retries. ({@link ClickHouseDestination}
 * is the real one; the sink's unit tests use one in memory.)
 */
interface Destination extends AutoCloseable {
    /** Connects and gets ready to write (the database made, a cluster's shards counted): a line for the log. */
    String connect();

    /** Encodes records into rows of the server's types; valid once connected. */
    RowEncoder encoder();

    /** The table as this writer has written it so far, or null. */
    TableSchema table(String table);

    /** The table declared from {@code source}, created or altered first when it differs. */
    TableSchema ensure(String table, RowSchema source);

    /** One INSERT of TabSeparated rows of {@code columns}. */
    void insert(String table, List<String> columns, InputStream rows);

    /**
     * Lines {@code from} to {@code to} of a batch, but those the table holds already from a try whose outcome was unknown
     * (a cut connection, a timeout, a writer stopped between INSERT and commit): how many it left out.
     */
    int insertMissing(String table, TableBatch batch, int from, int to);

    /** Deletes every row of the table older than {@code version} (a truncate of the source table). */
    void deleteBefore(TableSchema schema, String version);

    /** The values ClickHouse holds for columns PostgreSQL did not resend. */
    MirrorRows.ToastLookup toast();

    /** The server, for messages. */
    String describe();

    @Override
    void close();
}
