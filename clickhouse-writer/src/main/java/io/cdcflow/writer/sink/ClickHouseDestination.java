package io.cdcflow.writer.sink;

import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.writer.batch.RowEncoder;
import io.cdcflow.writer.batch.TableBatch;
import io.cdcflow.writer.config.WriterConfig;
import io.cdcflow.writer.schema.SchemaManager;
import io.cdcflow.writer.schema.ServerInfo;
import io.cdcflow.writer.schema.TableSchema;
import java.io.InputStream;
import java.util.List;

/** The ClickHouse server (or cluster) of the configuration, through the official client. */
final class ClickHouseDestination implements Destination {
    private final WriterConfig config;
    private final ClickHouse clickhouse;
    private final ToastValues toast;
    private final RetriedInserts retried;
    private SchemaManager schemas;
    private RowEncoder encoder;

    ClickHouseDestination(WriterConfig config) {
        this.config = config;
        this.clickhouse = new ClickHouse(config);
        this.toast = new ToastValues(clickhouse, () -> schemas.ddl());
        this.retried = new RetriedInserts(clickhouse, () -> schemas.ddl(), config.instanceId() != null ? config.instanceId()
                : java.util.UUID.randomUUID().toString().substring(0, 8));
    }

    @Override
    public String connect() {
        ServerInfo server = ServerInfo.parse(clickhouse.version());
        schemas = new SchemaManager(clickhouse, config.database(), server, config.layout());
        encoder = new RowEncoder(server);
        return "ClickHouse " + server.version() + " at " + config.clickhouseUrl() + "; database " + config.database() + "; "
                + schemas.ddl().layout().describe();
    }

    @Override
    public RowEncoder encoder() {
        return encoder;
    }

    @Override
    public TableSchema table(String table) {
        return schemas.get(table);
    }

    @Override
    public TableSchema ensure(String table, RowSchema source) {
        return schemas.ensure(table, source);
    }

    @Override
    public void insert(String table, List<String> columns, InputStream rows) {
        clickhouse.insert(schemas.ddl().insertTarget(table, columns), rows);
    }

    @Override
    public int insertMissing(String table, TableBatch batch, int from, int to) {
        return retried.insertMissing(schemas.get(table), batch, from, to);
    }

    @Override
    public void deleteBefore(TableSchema schema, String version) {
        clickhouse.execute(schemas.ddl().deleteBefore(schema, version));
    }

    @Override
    public MirrorRows.ToastLookup toast() {
        return toast;
    }

    @Override
    public String describe() {
        return "ClickHouse " + config.clickhouseUrl();
    }

    @Override
    public void close() {
        clickhouse.close();
    }
}
