package io.cdcflow.common.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.event.Lsn;
import io.cdcflow.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A {@link RowSchema} as the JSON value of a schema-topic record (docs/events.md), and its fingerprint. */
public final class RowSchemaCodec {
    private RowSchemaCodec() {
    }

    public static byte[] bytes(RowSchema schema) {
        ObjectNode json = content(schema);
        json.put("id", schema.id());
        if (schema.estimatedRows() >= 0) {
            json.put("estimated_rows", schema.estimatedRows());
        }
        return Json.bytes(json);
    }

    public static RowSchema read(byte[] bytes) {
        JsonNode json = Json.read(bytes);
        try {
            List<Column> columns = new ArrayList<>();
            for (JsonNode c : required(json, "columns")) {
                columns.add(new Column(required(c, "name").asText(), type(required(c, "type")), c.path("not_null").asBoolean(false)));
            }
            List<String> key = new ArrayList<>();
            json.path("primary_key").forEach(k -> key.add(k.asText()));
            return new RowSchema(required(json, "kind").asText(), json.path("schema").asText(""), required(json, "name").asText(),
                    json.path("lsn_int").asLong(0), columns, key, json.path("estimated_rows").asLong(-1));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("schema record is not a cdcflow row schema: " + e.getMessage(), e);
        }
    }

    static String fingerprint(RowSchema schema) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.bytes(content(schema)));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static ObjectNode content(RowSchema schema) {
        ObjectNode json = Json.object();
        json.put("kind", schema.kind());
        json.put("schema", schema.schema());
        json.put("name", schema.name());
        json.put("lsn", new Lsn(schema.lsn()).toString());
        json.put("lsn_int", schema.lsn());
        ArrayNode columns = json.putArray("columns");
        for (Column column : schema.columns()) {
            ObjectNode c = columns.addObject();
            c.put("name", column.name());
            c.set("type", type(column.type()));
            c.put("not_null", column.notNull());
        }
        ArrayNode key = json.putArray("primary_key");
        schema.primaryKey().forEach(key::add);
        return json;
    }

    private static ObjectNode type(SqlType type) {
        ObjectNode json = Json.object();
        json.put("oid", type.oid());
        json.put("name", type.name());
        json.put("display", type.display());
        json.put("typmod", type.typmod());
        if (type.numericPrecision() != null) {
            json.put("precision", type.numericPrecision());
            json.put("scale", type.numericScale());
        }
        if (type.length() != null) {
            json.put("length", type.length());
        }
        if (type.secondsPrecision() != null) {
            json.put("seconds_precision", type.secondsPrecision());
        }
        if (type.element() != null) {
            json.set("element", type(type.element()));
        }
        if (type.base() != null) {
            json.set("base", type(type.base()));
        }
        if (type.labels() != null) {
            ArrayNode labels = json.putArray("labels");
            type.labels().forEach(labels::add);
        }
        return json;
    }

    private static SqlType type(JsonNode json) {
        List<String> labels = null;
        if (json.has("labels")) {
            labels = new ArrayList<>();
            for (JsonNode label : json.get("labels")) {
                labels.add(label.asText());
            }
        }
        return new SqlType(json.path("oid").asInt(0), required(json, "name").asText(), json.path("display").asText(null),
                json.path("typmod").asInt(-1),
                json.has("element") ? type(json.get("element")) : null,
                json.has("base") ? type(json.get("base")) : null,
                labels);
    }

    private static JsonNode required(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return value;
    }
}
