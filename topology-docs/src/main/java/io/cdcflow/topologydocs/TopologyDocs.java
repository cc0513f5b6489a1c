package io.cdcflow.topologydocs;

import io.cdcflow.common.config.Env;
import io.cdcflow.common.ops.Metrics;
import io.cdcflow.streams.config.StreamsAppConfig;
import io.cdcflow.streams.facts.DemoTables;
import io.cdcflow.streams.facts.FactPlanner;
import io.cdcflow.streams.facts.FactsFile;
import io.cdcflow.streams.topology.FactTopology;
import io.cdcflow.streams.topology.OutputSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;

/**
 * Renders the streams-app topology, as built by the code from the default facts file (planned against the demo
 * tables' schemas) with the default configuration (order_items' store restored from its topic), into the generated part
 * of TOPOLOGY.md: a Mermaid diagram, the topics and stores, and Kafka Streams' own TopologyDescription text.
 * {@code main} rewrites the file; TopologyDocsTest fails when the committed file differs from the code.
 */
public final class TopologyDocs {
    public static final String START = "<!-- generated from the code: do not edit below -->";

    private TopologyDocs() {
    }

    public static TopologyDescription describe() {
        StreamsAppConfig config = StreamsAppConfig.from(new Env(Map.of()));
        var plans = new FactPlanner(config.schema(), DemoTables.schemas()::get).plan(FactsFile.load(null));
        // order_items restored from its topic, as the start chooses for the wal-producer's compacted topics (every
        // column the facts keep of it is a number: SourceStoreChoiceTest); every join through Kafka
        return FactTopology.build(config, plans, new Metrics(), OutputSchemas.NONE,
                io.cdcflow.streams.topology.JoinPaths.foreignKeysOnly(), Set.of("order_items"), topic -> 1).describe();
    }

    public static String generated() {
        TopologyDescription description = describe();
        StringBuilder md = new StringBuilder(START).append("\n\n## Diagram\n\n```mermaid\nflowchart LR\n");
        Set<String> topics = new TreeSet<>();
        Set<String> stores = new TreeSet<>();
        List<String> subgraphs = new ArrayList<>();
        Set<String> lines = new LinkedHashSet<>(); // the edges, each once
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            subgraphs.add("  subgraph sub" + sub.id() + "[\"sub-topology " + sub.id() + "\"]");
            for (TopologyDescription.Node node : sub.nodes()) {
                subgraphs.add("    " + id(node.name()) + "[\"" + node.name() + "\"]");
            }
            subgraphs.add("  end");
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source) {
                    for (String topic : source.topicSet()) {
                        topics.add(topic);
                        lines.add("  " + topicId(topic) + " --> " + id(node.name()));
                    }
                }
                if (node instanceof TopologyDescription.Processor processor) {
                    for (String store : processor.stores()) {
                        stores.add(store);
                        lines.add("  " + id(node.name()) + " -.- " + storeId(store));
                    }
                }
                if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    topics.add(sink.topic());
                    lines.add("  " + id(node.name()) + " --> " + topicId(sink.topic()));
                }
                for (TopologyDescription.Node next : node.successors()) {
                    lines.add("  " + id(node.name()) + " --> " + id(next.name()));
                }
            }
        }
        for (String topic : topics) {
            md.append("  ").append(topicId(topic)).append("[/\"").append(topic).append("\"/]\n");
        }
        for (String store : stores) {
            md.append("  ").append(storeId(store)).append("[(\"").append(store).append("\")]\n");
        }
        subgraphs.forEach(l -> md.append(l).append('\n'));
        lines.forEach(l -> md.append(l).append('\n'));
        md.append("```\n\n## Topics\n\n");
        topics.forEach(t -> md.append("- `").append(t).append("`").append(t.contains("-repartition") || t.contains("-topic")
                || t.contains("subscription") ? " (internal: prefixed with the application id)" : "").append('\n'));
        md.append("\n## State stores\n\n");
        stores.forEach(s -> md.append("- `").append(s).append("`\n"));
        md.append("\n## TopologyDescription\n\n```\n").append(description.toString().strip()).append("\n```\n");
        return md.toString();
    }

    /** TOPOLOGY.md with its generated part replaced. */
    public static String render(String current) {
        int start = current.indexOf(START);
        String head = start < 0 ? current : current.substring(0, start);
        return head + generated();
    }

    public static Path file() {
        Path here = Path.of("TOPOLOGY.md");
        return Files.exists(here) ? here : Path.of("topology-docs", "TOPOLOGY.md");
    }

    public static void main(String[] args) throws IOException {
        Path file = file();
        Files.writeString(file, render(Files.readString(file)));
        System.out.println("wrote " + file.toAbsolutePath());
    }

    private static String id(String name) {
        return "n_" + name.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static String topicId(String topic) {
        return "t_" + topic.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static String storeId(String store) {
        return "s_" + store.replaceAll("[^A-Za-z0-9_]", "_");
    }
}
