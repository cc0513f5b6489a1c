package io.cdcflow.streams.facts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.ASTNodeAccess;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.create.view.CreateView;
import net.sf.jsqlparser.statement.select.PlainSelect;

/**
 * A facts file: PostgreSQL {@code CREATE VIEW <fact> AS SELECT ... FROM <root> [LEFT | INNER] JOIN ...} statements,
 * valid in PostgreSQL as they are. Parsed with JSqlParser; anything but such views is refused with its line.
 *
 * @param origin where the text came from, for messages
 * @param text   the file as written
 */
public record FactsFile(String origin, String text, List<View> views) {
    /** The file used when {@code STREAMS_FACTS_FILE} is unset: the seed's TypeORM facts, shipped in the jar. */
    public static final String DEFAULT_RESOURCE = "facts/typeorm.sql";

    /** One view: the fact's name, its line in the file and its SELECT. */
    public record View(String name, int line, PlainSelect select, String origin) {
        /** The source tables it reads, in FROM and JOIN order (names as PostgreSQL folds them). */
        public Set<String> tables() {
            Set<String> tables = new LinkedHashSet<>();
            if (select.getFromItem() instanceof net.sf.jsqlparser.schema.Table t) {
                tables.add(Identifiers.fold(t.getName()));
            }
            if (select.getJoins() != null) {
                select.getJoins().forEach(j -> {
                    if (j.getRightItem() instanceof net.sf.jsqlparser.schema.Table t) {
                        tables.add(Identifiers.fold(t.getName()));
                    }
                });
            }
            return tables;
        }

        FactsException refuse(int atLine, String message) {
            return new FactsException(origin + ", view " + name + " (line " + atLine + "): " + message);
        }
    }

    /**
     * Each view's definition by name, as the hash of its name and SELECT that a wal-producer's facts export carries
     * ({@link io.cdcflow.common.facts.FactQueries#hash}): rows PostgreSQL computed are taken only for an equal one.
     */
    public java.util.Map<String, String> hashes() {
        java.util.Map<String, String> hashes = new java.util.LinkedHashMap<>();
        views.forEach(v -> hashes.put(v.name(), io.cdcflow.common.facts.FactQueries.hash(v.name(), v.select().toString())));
        return hashes;
    }

    /** Every source table of every view. */
    public Set<String> tables() {
        Set<String> all = new LinkedHashSet<>();
        views.forEach(v -> all.addAll(v.tables()));
        return all;
    }

    /** The text of the default facts. */
    public static String defaultSql() {
        try (InputStream in = FactsFile.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default facts " + DEFAULT_RESOURCE + " are missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the default facts: " + e.getMessage(), e);
        }
    }

    /** Reads the file at {@code path}, or the default facts when it is null. */
    public static FactsFile load(String path) {
        if (path == null) {
            return parse(defaultSql(), "default facts (" + DEFAULT_RESOURCE + ")");
        }
        try {
            return parse(Files.readString(Path.of(path)), path);
        } catch (NoSuchFileException e) {
            throw new FactsException("facts file " + path + " (STREAMS_FACTS_FILE) does not exist");
        } catch (IOException e) {
            throw new FactsException("cannot read facts file " + path + " (STREAMS_FACTS_FILE): " + e.getMessage());
        }
    }

    public static FactsFile parse(String text, String origin) {
        Statements statements;
        try {
            statements = CCJSqlParserUtil.parseStatements(text);
        } catch (JSQLParserException e) {
            String cause = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            throw new FactsException(origin + ": not valid SQL: " + firstLines(cause));
        }
        List<View> views = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Statement statement : statements) {
            int line = statement instanceof CreateView v && v.getSelect() != null ? line(v.getSelect()) : line(statement);
            if (!(statement instanceof CreateView view)) {
                throw new FactsException(origin + at(line) + ": only CREATE VIEW statements are allowed, not: "
                        + abbreviate(statement.toString()));
            }
            String name = Identifiers.fold(view.getView().getName());
            if (view.isMaterialized()) {
                throw new FactsException(origin + ", view " + name + at(line) + ": write CREATE VIEW, not CREATE MATERIALIZED VIEW");
            }
            if (view.getColumnNames() != null && !view.getColumnNames().isEmpty()) {
                throw new FactsException(origin + ", view " + name + " (line " + line
                        + "): a column list after the view's name is not supported; name the columns with AS in the SELECT");
            }
            if (!(view.getSelect() instanceof PlainSelect select)) {
                throw new FactsException(origin + ", view " + name + at(line) + ": only a plain SELECT ... FROM ... JOIN is "
                        + "supported, not " + abbreviate(view.getSelect().toString()));
            }
            if (!names.add(name)) {
                throw new FactsException(origin + ", view " + name + at(line) + ": a view of this name is declared twice");
            }
            views.add(new View(name, line, select, origin));
        }
        if (views.isEmpty()) {
            throw new FactsException(origin + ": declares no view (CREATE VIEW <fact> AS SELECT ...)");
        }
        return new FactsFile(origin, text, List.copyOf(views));
    }

    /** The line a parsed node starts on, 0 when the parser kept no position for it. */
    static int line(Object node) {
        if (node instanceof ASTNodeAccess access && access.getASTNode() != null && access.getASTNode().jjtGetFirstToken() != null) {
            return access.getASTNode().jjtGetFirstToken().beginLine;
        }
        return 0;
    }

    private static String at(int line) {
        return line > 0 ? " (line " + line + ")" : "";
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    private static String firstLines(String message) {
        if (message == null) {
            return "syntax error";
        }
        String[] lines = message.split("\n");
        return lines.length <= 2 ? message.trim() : (lines[0] + " " + lines[1]).trim();
    }
}
