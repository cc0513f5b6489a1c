package io.cdcflow.streams.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.streams.model.RowState;
import io.cdcflow.streams.topology.OrderFactTopology;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /orders/{id}}: the current order fact, read from whichever instance owns the key. A request for a key
 * another instance owns is forwarded to it once (the {@code X-Cdcflow-Forwarded} header stops loops).
 */
public final class OrderQuery {
    private static final String FORWARDED = "X-Cdcflow-Forwarded";

    private final KafkaStreams streams;
    private final String self;
    private final String orderKeyColumn;
    private final String bearerToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public OrderQuery(KafkaStreams streams, String advertisedAddress, String orderKeyColumn, String bearerToken) {
        this.streams = streams;
        this.self = advertisedAddress;
        this.orderKeyColumn = orderKeyColumn;
        this.bearerToken = bearerToken;
    }

    public void handle(Context ctx) throws Exception {
        String id = ctx.pathParam("id");
        String key = Json.object().set(orderKeyColumn, Json.read(id.matches("-?\\d+") ? id : Json.text(Json.MAPPER.getNodeFactory().textNode(id)))).toString();
        KeyQueryMetadata owner = streams.queryMetadataForKey(OrderFactTopology.ORDER_FACT_STORE, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            ctx.status(503).json(error("the order store is not available yet (rebalancing or restoring)"));
            return;
        }
        String ownerAddress = owner.activeHost().host() + ":" + owner.activeHost().port();
        if (!ownerAddress.equals(self) && ctx.header(FORWARDED) == null) {
            forward(ctx, ownerAddress, id);
            return;
        }
        ReadOnlyKeyValueStore<String, JsonNode> store = streams.store(StoreQueryParameters
                .fromNameAndType(OrderFactTopology.ORDER_FACT_STORE, QueryableStoreTypes.<String, JsonNode>keyValueStore()));
        JsonNode fact = store.get(key);
        if (fact == null) {
            ctx.status(404).json(error("no order " + id));
            return;
        }
        var body = RowState.columns(fact);
        body.put("_deleted", RowState.isDeleted(fact) ? 1 : 0);
        ctx.contentType("application/json").result(Json.text(body));
    }

    private void forward(Context ctx, String ownerAddress, String id) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + ownerAddress + "/orders/" + id))
                .timeout(Duration.ofSeconds(5)).header(FORWARDED, self);
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        ctx.status(response.statusCode()).contentType("application/json").result(response.body());
    }

    private static java.util.Map<String, String> error(String message) {
        return java.util.Map.of("error", message);
    }
}
