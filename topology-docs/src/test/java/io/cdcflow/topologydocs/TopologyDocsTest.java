package io.cdcflow.topologydocs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class TopologyDocsTest {

    @Test
    void committedDocsMatchTheTopologyTheCodeBuilds() throws Exception {
        String committed = Files.readString(TopologyDocs.file());
        if (Boolean.getBoolean("topology.update")) {
            Files.writeString(TopologyDocs.file(), TopologyDocs.render(committed));
            committed = Files.readString(TopologyDocs.file());
        }
        assertThat(committed).as("TOPOLOGY.md is stale: run mvn -pl topology-docs -am test -Dtopology.update=true")
                .isEqualTo(TopologyDocs.render(committed));
    }

    @Test
    void everyJoinAndStoreIsNamed() {
        String description = TopologyDocs.describe().toString();
        assertThat(description).contains("order_fact-c-join", "order_item_fact-p-join", "order_item_fact-o-join",
                "order_fact-c-parents", "customers-table", "order_fact-versions");
        // generated names such as KSTREAM-AGGREGATE-0000000012 or KTABLE-FK-JOIN-... would change with any code change
        assertThat(description).doesNotContainPattern("KTABLE-[A-Z-]+-\\d{10}|KSTREAM-[A-Z-]+-\\d{10}");
    }
}
