package io.cdcflow.common.facts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.create.view.CreateView;

/**
 * The views of a facts file as queries PostgreSQL can run: each view's name and its SELECT, as JSqlParser prints the
 * statement the streams-app parsed (so a view means the same to both), with a hash of the two. The wal-producer runs
 * them in its snapshot's transaction ({@code FactsExport}); the streams-app takes the rows so computed for a view only
 * when the hash equals that of its own view of the name.
 */
public final class FactQueries {
    private FactQueries() {
    }

    /** One view: its name (folded as PostgreSQL folds it), its SELECT and their hash. */
    public record Query(String name, String sql, String hash) {
    }

    /**
     * The views of a facts file's text, in file order.
     *
     * @throws IllegalArgumentException naming {@code origin} when the text is not CREATE VIEW statements
     */
    public static List<Query> parse(String text, String origin) {
        List<Statement> statements;
        try {
            statements = CCJSqlParserUtil.parseStatements(text);
        } catch (JSQLParserException e) {
            String cause = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
            throw new IllegalArgumentException(origin + ": not valid SQL: " + (cause == null ? "syntax error" : cause.split("\n")[0]));
        }
        List<Query> queries = new ArrayList<>();
        for (Statement statement : statements) {
            if (!(statement instanceof CreateView view) || view.getSelect() == null) {
                throw new IllegalArgumentException(origin + ": only CREATE VIEW statements are allowed");
            }
            String name = fold(view.getView().getName());
            String sql = view.getSelect().toString();
            queries.add(new Query(name, sql, hash(name, sql)));
        }
        return List.copyOf(queries);
    }

    /** What tells two definitions of a view apart: 16 hex digits of the SHA-256 of its name and SELECT. */
    public static String hash(String name, String sql) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((name + "\n" + sql).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An identifier as PostgreSQL folds it: quoted as written, otherwise lower case. */
    public static String fold(String identifier) {
        if (identifier.length() >= 2 && identifier.startsWith("\"") && identifier.endsWith("\"")) {
            return identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
        }
        return identifier.toLowerCase(Locale.ROOT);
    }
}
