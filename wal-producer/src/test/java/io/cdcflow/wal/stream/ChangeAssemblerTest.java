package io.cdcflow.wal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcflow.common.event.ChangeEvent;
import io.cdcflow.common.event.Operation;
import io.cdcflow.wal.pgoutput.Capture;
import io.cdcflow.wal.pgoutput.PgOutputDecoder;
import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import io.cdcflow.common.schema.SqlType;
import io.cdcflow.wal.types.PgType;
import io.cdcflow.wal.types.PgTypeRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChangeAssemblerTest {
    private final List<ChangeEvent> events = new ArrayList<>();

    @BeforeEach
    void replayCapture() {
        ChangeAssembler assembler = new ChangeAssembler(new PgTypeRegistry(), (schema, table) -> List.of("id"),
                oid -> oid == 16385 ? new PgType(16385, "mood", 'E', 0, 0) : null,
                (relation, key, lsn) -> RowSchema.table(relation.schema(), relation.table(), lsn, relation.columns().stream()
                        .map(c -> new Column(c.name(), SqlType.of(c.typeOid(), "oid" + c.typeOid(), c.typeModifier()), key.contains(c.name())))
                        .toList(), key));
        for (Capture.Line line : Capture.lines()) {
            events.addAll(assembler.accept(PgOutputDecoder.decode(line.bytes().duplicate()), line.lsn()));
        }
    }

    @Test
    void insertCarriesTheWholeRowKeyedByPrimaryKey() {
        ChangeEvent insert = events.get(0);
        assertThat(insert.metadata().operation()).isEqualTo(Operation.INSERT);
        assertThat(insert.key().toString()).isEqualTo("{\"id\":1}");
        assertThat(insert.payload().get("m").asText()).isEqualTo("happy");
        assertThat(insert.payload().get("tags").toString()).isEqualTo("[\"a b\",\"c\"]");
        assertThat(insert.payload().get("big").asText()).hasSize(12800);
        assertThat(insert.metadata().seq()).isZero();
        assertThat(insert.metadata().xid()).isEqualTo(729);
    }

    @Test
    void everyEventNamesTheSchemaOfItsTableAsAnnouncedByItsLatestRelation() {
        assertThat(events).allSatisfy(e -> assertThat(e.schemaId()).isNotNull());
        // each Relation message describes the table anew (its position is part of the schema): events in between name it
        long relations = Capture.lines().stream()
                .filter(l -> PgOutputDecoder.decode(l.bytes().duplicate()) instanceof io.cdcflow.wal.pgoutput.PgOutputMessage.Relation).count();
        assertThat(events.stream().map(ChangeEvent::schemaId).distinct().count()).isBetween(1L, relations);
        assertThat(events.get(1).schemaId()).isEqualTo(events.get(0).schemaId());
    }

    @Test
    void unchangedToastColumnIsOmittedAndNamed() {
        ChangeEvent update = events.get(1);
        assertThat(update.metadata().operation()).isEqualTo(Operation.UPDATE);
        assertThat(update.payload().has("big")).isFalse();
        assertThat(update.payload().get("name").asText()).isEqualTo("b");
        assertThat(update.metadata().unchangedToast()).containsExactly("big");
    }

    @Test
    void primaryKeyChangeIsADeleteOfTheOldKeyThenAnInsert() {
        ChangeEvent delete = events.get(2);
        ChangeEvent insert = events.get(3);
        assertThat(delete.metadata().operation()).isEqualTo(Operation.DELETE);
        assertThat(delete.key().toString()).isEqualTo("{\"id\":1}");
        assertThat(insert.metadata().operation()).isEqualTo(Operation.INSERT);
        assertThat(insert.key().toString()).isEqualTo("{\"id\":2}");
        assertThat(delete.metadata().commitLsn()).isEqualTo(insert.metadata().commitLsn());
        assertThat(insert.metadata().seq()).isEqualTo(delete.metadata().seq() + 1);
    }

    @Test
    void deleteCarriesTheOldKeyOrTheFullOldRow() {
        ChangeEvent byKey = events.get(4);
        assertThat(byKey.metadata().operation()).isEqualTo(Operation.DELETE);
        assertThat(byKey.payload().toString()).isEqualTo("{\"id\":2}");

        ChangeEvent fullUpdate = events.get(6);
        assertThat(fullUpdate.before().toString()).isEqualTo("{\"id\":1,\"v\":\"x\"}");
        assertThat(fullUpdate.payload().toString()).isEqualTo("{\"id\":1,\"v\":\"y\"}");
        ChangeEvent fullDelete = events.get(7);
        assertThat(fullDelete.key().toString()).isEqualTo("{\"id\":1}");
        assertThat(fullDelete.payload().toString()).isEqualTo("{\"id\":1,\"v\":\"y\"}");
    }

    @Test
    void truncateIsOneEventPerTableAndMessagesPublishNothing() {
        assertThat(events.subList(8, 10)).extracting(e -> e.metadata().operation()).containsOnly(Operation.TRUNCATE);
        assertThat(events.subList(8, 10)).extracting(e -> e.metadata().table()).containsExactly("t", "full_t");
        assertThat(events).hasSize(10);
    }
}
