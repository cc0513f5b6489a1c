package io.cdcflow.streams.facts;

import io.cdcflow.common.schema.Column;
import io.cdcflow.common.schema.RowSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Plans a view against the source tables' schemas: resolves tables and aliases, checks that every join follows a
 * foreign key to the joined table's whole primary key, types the select list and the WHERE, and finds the fact's key
 * (the root table's primary key, which the select list must contain). Whatever is outside the supported subset is
 * refused, naming the view, the construct and its line. Pure.
 */
public final class FactPlanner {
    private final String schema;
    private final Function<String, RowSchema> tables;

    /**
     * @param schema the PostgreSQL schema the source tables are read from ({@code STREAMS_INPUT_SCHEMA})
     * @param tables a source table's schema by name, or null when it has none
     */
    public FactPlanner(String schema, Function<String, RowSchema> tables) {
        this.schema = schema;
        this.tables = tables;
    }

    public List<FactPlan> plan(FactsFile file) {
        return file.views().stream().map(this::plan).toList();
    }

    public FactPlan plan(FactsFile.View view) {
        try {
            return planChecked(view);
        } catch (PgValues.EvalException e) { // a literal that cannot take the type its context gives it: 'abc' as integer
            throw view.refuse(view.line(), e.getMessage());
        }
    }

    private FactPlan planChecked(FactsFile.View view) {
        PlainSelect select = view.select();
        refuseUnsupportedClauses(view, select);
        Map<String, Aliased> aliases = new LinkedHashMap<>();
        Aliased root = source(view, select.getFromItem(), false, aliases);
        List<FactPlan.Join> joins = new ArrayList<>();
        if (select.getJoins() != null) {
            for (Join join : select.getJoins()) {
                joins.add(join(view, join, aliases));
            }
        }
        ExprCompiler compiler = new ExprCompiler((qualifier, column, at) -> resolve(view, aliases, qualifier, column, at),
                (at, message) -> view.refuse(lineOf(at, view), message));
        List<FactPlan.Item> items = new ArrayList<>();
        List<Column> columns = new ArrayList<>();
        for (SelectItem<?> item : select.getSelectItems()) {
            Expression e = item.getExpression();
            if (e instanceof AllTableColumns all) {
                Aliased a = aliases.get(Identifiers.fold(all.getTable().getName()));
                if (a == null) {
                    throw view.refuse(lineOf(e, view), "no table or alias " + all.getTable().getName() + " in FROM or JOIN");
                }
                items.add(new FactPlan.AllOf(a.alias()));
                a.schema().columns().forEach(c -> columns.add(a.nullable() ? c.nullable() : c));
            } else if (e instanceof AllColumns) {
                if (!joins.isEmpty()) {
                    throw view.refuse(lineOf(e, view), "SELECT * of a view with joins would repeat column names; "
                            + "write alias.* or name the columns");
                }
                items.add(new FactPlan.AllOf(root.alias()));
                columns.addAll(root.schema().columns());
            } else {
                Expr compiled = compiler.compile(e);
                String name = item.getAlias() != null ? Identifiers.fold(item.getAlias().getName()) : defaultName(compiled, e);
                if (compiled.type() == ExprCompiler.UNKNOWN) {
                    compiled = new Expr.Const(compiled.eval(null), io.cdcflow.common.schema.SqlTypes.TEXT);
                }
                items.add(new FactPlan.Output(name, compiled));
                columns.add(new Column(name, compiled.type(), compiled.notNull()));
            }
        }
        Set<String> seen = new HashSet<>();
        for (Column c : columns) {
            if (!seen.add(c.name())) {
                throw view.refuse(view.line(), "column " + c.name() + " is specified more than once in the select list");
            }
        }
        List<String> key = key(view, root, items);
        List<Column> keyed = columns.stream().map(c -> key.contains(c.name()) && !c.notNull() ? new Column(c.name(), c.type(), true) : c).toList();
        Expr where = select.getWhere() == null ? null : whereOf(compiler, select.getWhere(), view);
        return new FactPlan(view.name(), new FactPlan.Source(root.alias(), root.table()), List.copyOf(joins), List.copyOf(items),
                where, keyed, key, root.schema().primaryKey());
    }

    private static Expr whereOf(ExprCompiler compiler, Expression where, FactsFile.View view) {
        Expr e = compiler.compile(where);
        if (Kind.of(e.type()) != Kind.BOOL) {
            throw view.refuse(lineOf(where, view), "argument of WHERE must be boolean, not " + e.type().display());
        }
        return e;
    }

    /** The output columns that hold the root's primary key: plain references to it in the select list, or root.*. */
    private static List<String> key(FactsFile.View view, Aliased root, List<FactPlan.Item> items) {
        List<String> key = new ArrayList<>();
        for (String pk : root.schema().primaryKey()) {
            String found = null;
            for (FactPlan.Item item : items) {
                if (item instanceof FactPlan.AllOf all && all.alias().equals(root.alias())) {
                    found = pk;
                } else if (item instanceof FactPlan.Output o && o.expr() instanceof Expr.Col c && c.alias().equals(root.alias())
                        && c.column().equals(pk)) {
                    found = o.name();
                }
                if (found != null) {
                    break;
                }
            }
            if (found == null) {
                throw view.refuse(view.line(), "the select list must contain " + root.alias() + "." + pk + ": the primary key of "
                        + root.table() + " " + root.schema().primaryKey() + " is the fact's key");
            }
            key.add(found);
        }
        return key;
    }

    private FactPlan.Join join(FactsFile.View view, Join join, Map<String, Aliased> aliases) {
        int line = lineOf(join.getRightItem(), view);
        if (join.isRight() || join.isFull() || join.isCross() || join.isNatural() || join.isSimple() || join.isApply()
                || join.isSemi() || join.isStraight()) {
            throw view.refuse(line, "only LEFT JOIN and [INNER] JOIN are supported, not " + join);
        }
        if (join.getUsingColumns() != null && !join.getUsingColumns().isEmpty()) {
            throw view.refuse(line, "JOIN ... USING is not supported; write ON with the foreign key and the primary key");
        }
        if (join.getOnExpressions() == null || join.getOnExpressions().size() != 1) {
            throw view.refuse(line, "a JOIN needs one ON condition: " + join);
        }
        boolean inner = !join.isLeft();
        Aliased joined = source(view, join.getRightItem(), !inner, aliases);
        Map<String, String> pairs = new LinkedHashMap<>(); // joined column -> parent column
        String parent = null;
        for (Expression eq : conjuncts(join.getOnExpressions().iterator().next())) {
            if (!(eq instanceof EqualsTo e) || !(e.getLeftExpression() instanceof net.sf.jsqlparser.schema.Column l)
                    || !(e.getRightExpression() instanceof net.sf.jsqlparser.schema.Column r)) {
                throw view.refuse(line, "ON must equate a foreign key with the primary key of " + joined.table()
                        + " (a.col = b.col [AND ...]), not " + eq);
            }
            String la = qualifier(view, l, line);
            String ra = qualifier(view, r, line);
            net.sf.jsqlparser.schema.Column mine = la.equals(joined.alias()) ? l : ra.equals(joined.alias()) ? r : null;
            net.sf.jsqlparser.schema.Column theirs = mine == l ? r : l;
            String theirAlias = mine == l ? ra : la;
            if (mine == null || theirAlias.equals(joined.alias()) || !aliases.containsKey(theirAlias)) {
                throw view.refuse(line, "ON " + eq + " must compare a column of " + joined.alias() + " with a column of a table joined "
                        + "before it");
            }
            if (parent != null && !parent.equals(theirAlias)) {
                throw view.refuse(line, "ON of " + joined.alias() + " compares with two tables (" + parent + ", " + theirAlias
                        + "); a foreign key comes from one");
            }
            parent = theirAlias;
            String myColumn = Identifiers.fold(mine.getColumnName());
            String theirColumn = Identifiers.fold(theirs.getColumnName());
            columnOf(view, aliases.get(theirAlias), theirColumn, line);
            columnOf(view, joined, myColumn, line);
            pairs.put(myColumn, theirColumn);
        }
        List<String> pk = joined.schema().primaryKey();
        if (!new HashSet<>(pk).equals(pairs.keySet())) {
            throw view.refuse(line, "JOIN " + joined.table() + " must match its whole primary key " + pk + ", not " + pairs.keySet()
                    + ": joins follow a foreign key to one row");
        }
        List<String> parentColumns = new ArrayList<>();
        for (String k : pk) {
            String parentColumn = pairs.get(k);
            Column theirs = columnOf(view, aliases.get(parent), parentColumn, line);
            Column mine = columnOf(view, joined, k, line);
            if (Kind.of(theirs.type()) != Kind.of(mine.type()) || (Kind.of(mine.type()) == Kind.OTHER
                    && !theirs.type().resolved().name().equals(mine.type().resolved().name()))) {
                throw view.refuse(line, parent + "." + parentColumn + " (" + theirs.type().display() + ") cannot reference "
                        + joined.alias() + "." + k + " (" + mine.type().display() + "): the types differ");
            }
            parentColumns.add(parentColumn);
        }
        return new FactPlan.Join(joined.alias(), joined.table(), inner, parent, List.copyOf(parentColumns), pk);
    }

    private static List<Expression> conjuncts(Expression e) {
        if (e instanceof AndExpression and) {
            List<Expression> all = new ArrayList<>(conjuncts(and.getLeftExpression()));
            all.addAll(conjuncts(and.getRightExpression()));
            return all;
        }
        if (e instanceof net.sf.jsqlparser.expression.operators.relational.ExpressionList<?> list && list.size() == 1) {
            return conjuncts(list.get(0));
        }
        return List.of(e);
    }

    private static String qualifier(FactsFile.View view, net.sf.jsqlparser.schema.Column c, int line) {
        if (c.getTable() == null || c.getTable().getName() == null) {
            throw view.refuse(line, "qualify the columns in ON with their table or alias: " + c);
        }
        return Identifiers.fold(c.getTable().getName());
    }

    private Aliased source(FactsFile.View view, FromItem item, boolean nullable, Map<String, Aliased> aliases) {
        int line = lineOf(item, view);
        if (!(item instanceof Table t)) {
            throw view.refuse(line, "FROM and JOIN name tables here, not " + item);
        }
        if (t.getSchemaName() != null && !Identifiers.fold(t.getSchemaName()).equals(schema)) {
            throw view.refuse(line, "table " + t + " is outside the schema " + schema + " the streams-app reads (STREAMS_INPUT_SCHEMA)");
        }
        String table = Identifiers.fold(t.getName());
        RowSchema tableSchema = tables.apply(table);
        if (tableSchema == null) {
            throw view.refuse(line, "no schema for table " + schema + "." + table + " (is it captured by the wal-producer?)");
        }
        if (tableSchema.primaryKey().isEmpty()) {
            throw view.refuse(line, "table " + table + " has no primary key: facts are keyed by their tables' primary keys");
        }
        String alias = t.getAlias() == null ? table : Identifiers.fold(t.getAlias().getName());
        if (aliases.containsKey(alias)) {
            throw view.refuse(line, "table name or alias " + alias + " is used twice; give each an alias of its own");
        }
        Aliased a = new Aliased(alias, table, tableSchema, nullable);
        aliases.put(alias, a);
        return a;
    }

    private Expr.Col resolve(FactsFile.View view, Map<String, Aliased> aliases, String qualifier, String column, Expression at) {
        int line = lineOf(at, view);
        if (qualifier != null) {
            Aliased a = aliases.get(qualifier);
            if (a == null) {
                throw view.refuse(line, "no table or alias " + qualifier + " in FROM or JOIN (column " + qualifier + "." + column + ")");
            }
            Column c = columnOf(view, a, column, line);
            return new Expr.Col(a.alias(), column, c.type(), c.notNull() && !a.nullable());
        }
        Expr.Col found = null;
        for (Aliased a : aliases.values()) {
            if (a.schema().column(column).isPresent()) {
                if (found != null) {
                    throw view.refuse(line, "column reference " + column + " is ambiguous (" + found.alias() + ", " + a.alias() + ")");
                }
                Column c = a.schema().column(column).get();
                found = new Expr.Col(a.alias(), column, c.type(), c.notNull() && !a.nullable());
            }
        }
        if (found == null) {
            throw view.refuse(line, "column " + column + " does not exist in " + aliases.keySet());
        }
        return found;
    }

    private static Column columnOf(FactsFile.View view, Aliased a, String column, int line) {
        return a.schema().column(column).orElseThrow(() -> view.refuse(line, "column " + a.alias() + "." + column + " does not exist "
                + "(table " + a.table() + " has " + a.schema().columns().stream().map(Column::name).toList() + ")"));
    }

    private static void refuseUnsupportedClauses(FactsFile.View view, PlainSelect s) {
        String unsupported = s.getDistinct() != null ? "DISTINCT"
                : s.getGroupBy() != null ? "GROUP BY"
                : s.getHaving() != null ? "HAVING"
                : s.getOrderByElements() != null ? "ORDER BY"
                : s.getLimit() != null || s.getOffset() != null || s.getFetch() != null ? "LIMIT/OFFSET/FETCH"
                : s.getWithItemsList() != null ? "WITH"
                : s.getWindowDefinitions() != null ? "WINDOW"
                : s.getIntoTables() != null ? "INTO"
                : s.getFromItem() == null ? "a SELECT without FROM"
                : null;
        if (unsupported != null) {
            throw view.refuse(view.line(), unsupported + " is not supported in a fact: a fact is one row per row of its root table");
        }
    }

    /** PostgreSQL's name for an unnamed select-list entry: the column's, the function's, else ?column?. */
    private static String defaultName(Expr e, Expression source) {
        if (e instanceof Expr.Col c) {
            return c.column();
        }
        if (e instanceof Expr.Cast c && c.operand() instanceof Expr.Col col) {
            return col.column();
        }
        if (source instanceof net.sf.jsqlparser.expression.CastExpression cast) {
            return cast.getColDataType().getDataType().toLowerCase(java.util.Locale.ROOT).split("[ (]")[0];
        }
        if (e instanceof Expr.Call call) {
            return call.name();
        }
        if (e instanceof Expr.Coalesce) {
            return "coalesce";
        }
        if (e instanceof Expr.NullIf) {
            return "nullif";
        }
        if (e instanceof Expr.Case) {
            return "case";
        }
        return "?column?";
    }

    private static int lineOf(Object node, FactsFile.View view) {
        int line = FactsFile.line(node);
        return line > 0 ? line : view.line();
    }

    /** A table in FROM or JOIN under its alias; nullable when LEFT-joined. */
    private record Aliased(String alias, String table, RowSchema schema, boolean nullable) {
    }
}
