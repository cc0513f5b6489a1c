package io.cdcflow.streams.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcflow.common.json.Json;
import io.cdcflow.common.schema.Column;
import io.cdcflow.streams.facts.FactPlan;
import io.cdcflow.streams.facts.FactRow;
import io.cdcflow.streams.facts.FactRows;
import io.cdcflow.streams.model.JoinedRows;
import io.cdcflow.streams.model.SourceRow;
import io.cdcflow.streams.topology.FactStateNames;
import io.cdcflow.streams.topology.FactTopology;
import io.cdcflow.streams.topology.RowsSoFar;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /facts/{fact}/{key}}: a fact's current row, read from whichever instance owns the key. The key is the
 * fact's key value (its root table's primary key; several columns separated by commas, in key order). A request for a
 * key another instance owns is forwarded to it once (the {@code X-Cdcflow-Forwarded} header stops loops).
 */
public final class FactQuery {
    private static final String FORWARDED = "X-Cdcflow-Forwarded";

    private final KafkaStreams streams;
    private final String self;
    private final Map<String, FactPlan> plans;
    private final io.cdcflow.streams.topology.JoinPaths paths;
    private final String bearerToken;
    private final String scheme;
    private final HttpClient http;

    /**
     * @param bearerToken sent when a request is forwarded to the instance that owns the key, or null
     * @param tls         when not null, instances serve HTTPS with this certificate, and forwarding trusts it
     * @param paths which joins are done inside each task, which decides the facts' stores
     */
    public FactQuery(KafkaStreams streams, String advertisedAddress, List<FactPlan> plans, String bearerToken,
                     io.cdcflow.common.ops.HttpTls tls, io.cdcflow.streams.topology.JoinPaths paths) {
        this.paths = paths;
        this.streams = streams;
        this.self = advertisedAddress;
        this.plans = plans.stream().collect(Collectors.toMap(FactPlan::name, Function.identity()));
        this.bearerToken = bearerToken;
        this.scheme = tls == null ? "http://" : "https://";
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls != null) {
            client.sslContext(tls.trustingClientContext());
        }
        this.http = client.build();
    }

    public void handle(Context ctx) throws Exception {
        FactPlan plan = plans.get(ctx.pathParam("fact"));
        if (plan == null) {
            ctx.status(404).json(error("no fact " + ctx.pathParam("fact") + " (facts: " + plans.keySet() + ")"));
            return;
        }
        String id = ctx.pathParam("key");
        String[] values = id.split(",", -1);
        if (values.length != plan.rootKey().size()) {
            ctx.status(400).json(error("the key of " + plan.name() + " has " + plan.rootKey().size() + " column(s) " + plan.key()
                    + "; give the values separated by commas"));
            return;
        }
        String key = rootKey(plan, values);
        String store = FactStateNames.store(plan, paths);
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            ctx.status(503).json(error("the store of " + plan.name() + " is not available yet (rebalancing or restoring)"));
            return;
        }
        String ownerAddress = owner.activeHost().host() + ":" + owner.activeHost().port();
        if (!ownerAddress.equals(self) && ctx.header(FORWARDED) == null) {
            forward(ctx, ownerAddress, plan.name(), id);
            return;
        }
        // the store of the fact's root table (with its pairs' stores, or of its last foreign-key join); the joins done
        // inside each task are added from this instance's copies of their tables
        JoinedRows rows;
        try {
            rows = RowsSoFar.read(plan, paths, key, plan.joins().size(), (name, k) -> streams.store(StoreQueryParameters
                    .fromNameAndType(name, QueryableStoreTypes.<String, Object>keyValueStore())).get(k));
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            // the owner's task is between states (a rebalance, a restore): the client asks again, as for 503 above
            ctx.status(503).json(error("the stores of " + plan.name() + " cannot be read just now (" + e.getMessage() + "): try again"));
            return;
        }
        if (rows == null) {
            ctx.status(404).json(error("no " + plan.name() + " row " + id));
            return;
        }
        if (rows == RowsSoFar.PENDING) {
            ctx.status(503).json(error("the " + plan.name() + " row " + id + " is being joined (a join's answer is on its way): try again"));
            return;
        }
        JoinedRows joined = FactTopology.joinLocally(plan, paths, rows, (table, k) -> (SourceRow) streams.store(StoreQueryParameters
                .fromNameAndType(FactStateNames.replicaStore(plan, table), QueryableStoreTypes.<String, Object>keyValueStore())).get(k));
        FactRow fact = FactRows.compute(plan, joined);
        ObjectNode body = fact.columns().deepCopy();
        body.put(plan.meta().deleted(), fact.deleted() ? 1 : 0);
        ctx.contentType("application/json").result(Json.text(body));
    }

    /** The root row's key as the wal-producer writes it ({"id":10}): numbers for number columns, else text. */
    private static String rootKey(FactPlan plan, String[] values) {
        ObjectNode key = Json.object();
        for (int i = 0; i < values.length; i++) {
            String output = plan.key().get(i);
            String type = plan.columns().stream().filter(c -> c.name().equals(output)).findFirst().map(Column::type)
                    .map(t -> t.resolved().name()).orElse("text");
            boolean number = (type.startsWith("int") || type.equals("numeric")) && values[i].matches("-?\\d+(\\.\\d+)?");
            key.set(plan.rootKey().get(i), number ? Json.read(values[i]) : Json.MAPPER.getNodeFactory().textNode(values[i]));
        }
        return key.toString();
    }

    private void forward(Context ctx, String ownerAddress, String fact, String id) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + ownerAddress + "/facts/" + fact + "/"
                        + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20")))
                .timeout(Duration.ofSeconds(5)).header(FORWARDED, self);
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        ctx.status(response.statusCode()).contentType("application/json").result(response.body());
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }
}
