package io.cdcflow.bench;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompactionStyle;
import org.rocksdb.Options;

/**
 * RocksDB settings to try in the join stage, for experiments only: {@code -Dbench.rocksdb=wb=64,wbn=2,level,l0=8,nobloom}
 * with {@code -Dbench.join.env=KAFKA_ROCKSDB_CONFIG_SETTER=io.cdcflow.bench.RocksDbTuning}.
 */
public final class RocksDbTuning implements RocksDBConfigSetter {
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        for (String knob : System.getProperty("bench.rocksdb", "").split(",")) {
            String[] kv = knob.split("=", 2);
            switch (kv[0]) {
                case "" -> { }
                case "wb" -> options.setWriteBufferSize(Long.parseLong(kv[1]) << 20);
                case "wbn" -> options.setMaxWriteBufferNumber(Integer.parseInt(kv[1]));
                case "level" -> options.setCompactionStyle(CompactionStyle.LEVEL);
                case "l0" -> options.setLevel0FileNumCompactionTrigger(Integer.parseInt(kv[1]));
                case "nobloom" -> {
                    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
                    table.setFilterPolicy(null);
                    options.setTableFormatConfig(table);
                }
                default -> throw new IllegalArgumentException("unknown bench.rocksdb knob " + knob);
            }
        }
    }

    @Override
    public void close(String storeName, Options options) {
    }
}
