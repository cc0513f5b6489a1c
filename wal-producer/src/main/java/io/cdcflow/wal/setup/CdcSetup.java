package io.cdcflow.wal.setup;

import io.cdcflow.common.event.Lsn;
import io.cdcflow.wal.config.WalProducerConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the seed's init-postgres-cdc.sh did, idempotently: wait for PostgreSQL and for a table, make sure the
 * publication lists the tables, and report on the slot. Safe to run on every start.
 */
public final class CdcSetup {
    private static final Logger LOG = LoggerFactory.getLogger(CdcSetup.class);

    private final WalProducerConfig config;
    private final PostgresConnector connector;

    public CdcSetup(WalProducerConfig config, PostgresConnector connector) {
        this.config = config;
        this.connector = connector;
    }

    /** The state of the slot in pg_replication_slots, or null when there is none. */
    /** @param walStatus pg_replication_slots.wal_status: reserved, extended, unreserved or lost */
    public record SlotState(String plugin, String database, boolean active, Integer activePid, Lsn confirmedFlush, String walStatus) {
        public boolean lost() {
            return "lost".equals(walStatus);
        }
    }

    /**
     * The slot's lock, held by one wal-producer for its whole session (snapshot included) on a connection of its
     * own; a crash closes the connection and frees it. A standby never touches a slot whose lock another holds.
     */
    public static final class SlotLock implements AutoCloseable {
        private final Connection connection;

        private SlotLock(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    public void waitForPostgres() throws InterruptedException {
        retry("PostgreSQL at " + connector.dsn().host() + ":" + connector.dsn().port(), () -> {
            try (Connection c = connector.connect()) {
                return c.isValid(5);
            }
        });
        LOG.info("PostgreSQL is accepting connections ({})", connector.dsn());
    }

    public void waitForTable(String table) throws InterruptedException {
        retry("table " + config.schema() + "." + table, () -> tableExists(table));
        LOG.info("found table {}.{}", config.schema(), table);
    }

    /** The server's current WAL position. */
    public Lsn currentLsn() throws SQLException {
        try (Connection c = connector.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /**
     * The tables to publish. For {@code *}, every ordinary or partitioned table of the schema (partitions are
     * published through their root) that PostgreSQL can replicate updates and deletes of: a table without a primary
     * key or replica identity is left out and reported, since publishing it would make PostgreSQL reject every
     * UPDATE and DELETE on it. A listed table that does not exist, or that has no key, is an error naming it.
     */
    /** The keyless tables last reported as left out. */
    private volatile List<String> reportedKeyless = List.of();

    public List<String> resolveTables() throws SQLException {
        Map<String, Boolean> existing = new LinkedHashMap<>(); // table -> whether updates and deletes can be published
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT c.relname, c.relreplident = 'f' "
                     + "OR (c.relreplident = 'd' AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)) "
                     + "OR (c.relreplident = 'i' AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)) "
                     + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname")) {
            s.setString(1, config.schema());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    existing.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        if (config.tables().isEmpty()) {
            List<String> keyless = existing.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
            if (!keyless.isEmpty() && !keyless.equals(reportedKeyless)) { // said once, not at every look for new tables
                reportedKeyless = keyless;
                LOG.warn("POSTGRES_CDC_TABLES is *: leaving out {} of schema {}: without a primary key or replica identity, "
                        + "publishing them would make PostgreSQL reject every UPDATE and DELETE on them; add a primary key or "
                        + "ALTER TABLE ... REPLICA IDENTITY FULL to capture them", keyless, config.schema());
            }
            List<String> tables = existing.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
            if (tables.isEmpty()) {
                throw new SetupException("POSTGRES_CDC_TABLES is * but schema " + config.schema() + " has no table with a primary key "
                        + "or replica identity in database " + connector.dsn().database());
            }
            return tables;
        }
        List<String> missing = config.tables().stream().filter(t -> !existing.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            throw new SetupException("table(s) " + missing + " listed in POSTGRES_CDC_TABLES do not exist in schema "
                    + config.schema() + " of database " + connector.dsn().database()
                    + " (a partition is captured through its partitioned table); create them first or set POSTGRES_CDC_WAIT_FOR_TABLE");
        }
        List<String> keyless = config.tables().stream().filter(t -> !existing.get(t)).toList();
        if (!keyless.isEmpty()) {
            throw new SetupException("table(s) " + keyless + " listed in POSTGRES_CDC_TABLES have no primary key or replica identity: "
                    + "publishing them would make PostgreSQL reject every UPDATE and DELETE on them; add a primary key or run "
                    + "ALTER TABLE ... REPLICA IDENTITY FULL, or leave them out of POSTGRES_CDC_TABLES");
        }
        return config.tables();
    }

    /** Creates the publication, or adds to it the listed tables it lacks. */
    public void ensurePublication(List<String> tables) throws SQLException {
        String publication = Identifiers.quote(config.publication());
        try (Connection c = connector.connect(); Statement s = c.createStatement()) {
            Set<String> published = publishedTables(c);
            if (published == null) {
                String list = String.join(", ", tables.stream().map(t -> Identifiers.qualified(config.schema(), t)).toList());
                // changes of a partition are published as its root's, so they land in the root table's topic
                s.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + list + " WITH (publish_via_partition_root = true)");
                LOG.info("created publication {} for {}", config.publication(), tables);
                return;
            }
            List<String> toAdd = tables.stream().filter(t -> !published.contains(t)).toList();
            for (String table : toAdd) {
                s.execute("ALTER PUBLICATION " + publication + " ADD TABLE " + Identifiers.qualified(config.schema(), table));
            }
            if (!toAdd.isEmpty()) {
                LOG.info("added {} to publication {}", toAdd, config.publication());
            }
            warnIfPartitionsPublishedByName(c, tables);
        }
    }

    /** A publication made elsewhere without publish_via_partition_root publishes partitions under their own names. */
    private void warnIfPartitionsPublishedByName(Connection c, List<String> tables) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT NOT p.pubviaroot AND EXISTS (SELECT 1 FROM pg_class r JOIN pg_namespace n "
                + "ON n.oid = r.relnamespace WHERE n.nspname = ? AND r.relname = ANY (?) AND r.relkind = 'p') FROM pg_publication p "
                + "WHERE p.pubname = ?")) {
            s.setString(1, config.schema());
            s.setArray(2, c.createArrayOf("text", tables.toArray()));
            s.setString(3, config.publication());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    LOG.warn("publication {} publishes partitioned tables without publish_via_partition_root: their changes "
                            + "carry the partitions' names; run ALTER PUBLICATION {} SET (publish_via_partition_root = true)",
                            config.publication(), Identifiers.quote(config.publication()));
                }
            }
        }
    }

    /** Tables of our schema in the publication, or null when the publication does not exist. */
    private Set<String> publishedTables(Connection c) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            exists.setString(1, config.publication());
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        Set<String> tables = new LinkedHashSet<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT tablename FROM pg_publication_tables WHERE pubname = ? AND schemaname = ?")) {
            s.setString(1, config.publication());
            s.setString(2, config.schema());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    public SlotState slot() throws SQLException {
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT plugin, database, active, active_pid, confirmed_flush_lsn::text, "
                     + "wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, config.slot());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String confirmed = rs.getString(5);
                SlotState state = new SlotState(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                        (Integer) rs.getObject(4), confirmed == null ? null : Lsn.parse(confirmed), rs.getString(6));
                if (!"pgoutput".equals(state.plugin())) {
                    throw new SetupException("replication slot " + config.slot() + " uses plugin " + state.plugin()
                            + ", not pgoutput; drop it or set POSTGRES_CDC_SLOT to another name");
                }
                if (!connector.dsn().database().equals(state.database())) {
                    throw new SetupException("replication slot " + config.slot() + " belongs to database " + state.database()
                            + ", not " + connector.dsn().database() + "; set POSTGRES_CDC_SLOT to another name");
                }
                return state;
            }
        }
    }

    /** Takes the slot's advisory lock; null when another session holds it ({@link #slotLockHolder()}). */
    public SlotLock tryLockSlot() throws SQLException {
        Connection c = connector.connect();
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext('cdcflow wal-producer'), hashtext(?))")) {
            s.setString(1, config.slot());
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return new SlotLock(c);
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return null;
    }

    /** The backend pid of the session holding the slot's lock, or null. */
    public Integer slotLockHolder() throws SQLException {
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                     + "AND classid = hashtext('cdcflow wal-producer')::oid AND objid = hashtext(?)::oid AND objsubid = 2 LIMIT 1")) {
            s.setString(1, config.slot());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    /**
     * What the slot holds back, in bytes: WAL after its confirmed position (the lag), WAL kept for it (from its restart
     * position), and WAL that can still be written before PostgreSQL gives it up ({@code max_slot_wal_keep_size}; -1
     * when unlimited). All 0 while the slot does not exist.
     */
    public record SlotWal(long lagBytes, long retainedBytes, long safeBytes) {
    }

    public SlotWal slotWal() throws SQLException {
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint, "
                     + "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint, coalesce(safe_wal_size, -1) "
                     + "FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, config.slot());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new SlotWal(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : new SlotWal(0, 0, -1);
            }
        }
    }

    private boolean tableExists(String table) throws SQLException {
        try (Connection c = connector.connect();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')")) {
            s.setString(1, config.schema());
            s.setString(2, table);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private interface Check {
        boolean ok() throws SQLException;
    }

    private void retry(String what, Check check) throws InterruptedException {
        int attempts = config.connectAttempts();
        Duration interval = config.connectInterval();
        String last = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                if (check.ok()) {
                    return;
                }
                last = "not there yet";
            } catch (SQLException e) {
                last = e.getMessage();
            }
            LOG.info("waiting for {} (attempt {}/{}): {}", what, attempt, attempts, last);
            Thread.sleep(interval.toMillis());
        }
        throw new SetupException(what + " is still unavailable after " + attempts + " attempts (" + last
                + "); raise POSTGRES_CDC_CONNECT_ATTEMPTS or check the connection settings");
    }

    /** Setup cannot go on; the message says why and what to do. */
    public static final class SetupException extends RuntimeException {
        public SetupException(String message) {
            super(message);
        }
    }
}
