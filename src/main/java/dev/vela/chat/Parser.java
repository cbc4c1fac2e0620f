package dev.vela.chat;

import dev.vela.chat.Token.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser from tokens to the AST, with Jinja2's operator precedence. */
final class Parser {
    private final List<Token> tokens;
    private int pos;
    private int loopDepth;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.body(Set.of());
        if (p.peek().type() != Type.EOF) {
            Token t = p.peek(1);
            throw new TemplateSyntaxError("unexpected '{% " + t.text() + " %}'", t.line());
        }
        return body;
    }

    // ---- token stream

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.type() != Type.EOF) {
            pos++;
        }
        return t;
    }

    private TemplateSyntaxError error(String message) {
        return new TemplateSyntaxError(message, peek().line());
    }

    private Token expect(Type type, String what) {
        if (peek().type() != type) {
            throw error("expected " + what + ", found " + peek().describe());
        }
        return next();
    }

    private void expectOp(String op) {
        if (!peek().isOp(op)) {
            throw error("expected '" + op + "', found " + peek().describe());
        }
        next();
    }

    private boolean skipOp(String op) {
        if (peek().isOp(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (peek().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private String expectName() {
        return expect(Type.NAME, "a name").text();
    }

    private void expectBlockEnd() {
        expect(Type.BLOCK_END, "'%}'");
    }

    // ---- statements

    /** Parses nodes until a block tag whose name is in {@code ends}; leaves that tag unread. */
    private List<Node> body(Set<String> ends) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.type()) {
                case TEXT -> nodes.add(new Node.Text(next().text(), t.line()));
                case VAR_BEGIN -> {
                    next();
                    Expr e = tuple(true, Set.of(), false);
                    expect(Type.VAR_END, "'}}'");
                    nodes.add(new Node.Output(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.type() == Type.NAME && ends.contains(name.text())) {
                        return nodes;
                    }
                    if (name.type() == Type.NAME && CLOSERS.contains(name.text())) {
                        throw new TemplateSyntaxError("unexpected '{% " + name.text() + " %}'"
                                + (ends.isEmpty() ? ": no open block to close" : ", expected " + describeEnds(ends)),
                                name.line());
                    }
                    next();
                    nodes.add(statement());
                }
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw error("unexpected end of template: expected " + describeEnds(ends));
                    }
                    return nodes;
                }
                default -> throw error("unexpected " + t.describe());
            }
        }
    }

    private static final Set<String> CLOSERS = Set.of("elif", "else", "endif", "endfor", "endset", "endmacro",
            "endfilter", "endwith", "endgeneration", "endraw");

    private static String describeEnds(Set<String> ends) {
        return ends.stream().sorted().map(e -> "'{% " + e + " %}'").reduce((a, b) -> a + " or " + b).orElse("");
    }

    /** Reads the {@code {% name} of the tag that ended a body and returns the name. */
    private String endTag() {
        next();
        return next().text();
    }

    private Node statement() {
        Token t = peek();
        if (t.type() != Type.NAME) {
            throw error("expected a tag name after '{%', found " + t.describe());
        }
        next();
        int line = t.line();
        return switch (t.text()) {
            case "if" -> ifStatement(line);
            case "for" -> forStatement(line);
            case "set" -> setStatement(line);
            case "macro" -> macro(line);
            case "filter" -> filterBlock(line);
            case "with" -> with(line);
            case "generation" -> {
                expectBlockEnd();
                List<Node> body = body(Set.of("endgeneration"));
                endTag();
                expectBlockEnd();
                yield new Node.Group(body, line);
            }
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    throw new TemplateSyntaxError("'" + t.text() + "' outside a for loop", line);
                }
                expectBlockEnd();
                yield t.text().equals("break") ? new Node.Break(line) : new Node.Continue(line);
            }
            case "include", "extends", "import", "from", "block", "call", "do", "autoescape" ->
                    throw new TemplateSyntaxError("the '" + t.text() + "' tag is not supported in chat templates", line);
            default -> throw new TemplateSyntaxError("unknown tag '" + t.text() + "'", line);
        };
    }

    private Node ifStatement(int line) {
        List<Node.Branch> branches = new ArrayList<>();
        Expr test = tuple(false, Set.of(), false);
        expectBlockEnd();
        while (true) {
            List<Node> body = body(Set.of("elif", "else", "endif"));
            branches.add(new Node.Branch(test, body));
            String tag = endTag();
            if (tag.equals("elif")) {
                test = tuple(false, Set.of(), false);
                expectBlockEnd();
                continue;
            }
            expectBlockEnd();
            if (tag.equals("else")) {
                List<Node> otherwise = body(Set.of("endif"));
                endTag();
                expectBlockEnd();
                return new Node.If(branches, otherwise, line);
            }
            return new Node.If(branches, List.of(), line);
        }
    }

    private Node forStatement(int line) {
        Node.Target target = assignTarget(false, Set.of("in"));
        if (!skipName("in")) {
            throw error("expected 'in' in a for loop, found " + peek().describe());
        }
        Expr iterable = tuple(false, Set.of("recursive"), false);
        Expr filter = null;
        if (skipName("if")) {
            filter = expression(true);
        }
        if (peek().isName("recursive")) {
            throw error("recursive for loops are not supported");
        }
        expectBlockEnd();
        loopDepth++;
        List<Node> body = body(Set.of("endfor", "else"));
        loopDepth--;
        List<Node> otherwise = List.of();
        if (endTag().equals("else")) {
            expectBlockEnd();
            otherwise = body(Set.of("endfor"));
            endTag();
        }
        expectBlockEnd();
        return new Node.For(target, iterable, filter, body, otherwise, line);
    }

    private Node setStatement(int line) {
        Node.Target target = assignTarget(true, Set.of());
        if (skipOp("=")) {
            Expr value = tuple(true, Set.of(), false);
            expectBlockEnd();
            return new Node.Set(target, value, line);
        }
        List<Expr.Filter> filters = filterChain();
        expectBlockEnd();
        List<Node> body = body(Set.of("endset"));
        endTag();
        expectBlockEnd();
        return new Node.SetBlock(target, filters, body, line);
    }

    private Node macro(int line) {
        String name = expectName();
        List<Node.Param> params = new ArrayList<>();
        expectOp("(");
        while (!peek().isOp(")")) {
            if (!params.isEmpty()) {
                expectOp(",");
                if (peek().isOp(")")) {
                    break;
                }
            }
            String param = expectName();
            Expr def = skipOp("=") ? expression(true) : null;
            if (def == null && !params.isEmpty() && params.getLast().defaultValue() != null) {
                throw error("non-default argument '" + param + "' follows default argument");
            }
            params.add(new Node.Param(param, def));
        }
        expectOp(")");
        expectBlockEnd();
        int savedDepth = loopDepth;
        loopDepth = 0;
        List<Node> body = body(Set.of("endmacro"));
        loopDepth = savedDepth;
        endTag();
        expectBlockEnd();
        return new Node.Macro(name, params, body, line);
    }

    private Node filterBlock(int line) {
        List<Expr.Filter> filters = new ArrayList<>();
        filters.add(filter(null));
        filters.addAll(filterChain());
        expectBlockEnd();
        List<Node> body = body(Set.of("endfilter"));
        endTag();
        expectBlockEnd();
        return new Node.FilterBlock(filters, body, line);
    }

    private List<Expr.Filter> filterChain() {
        List<Expr.Filter> filters = new ArrayList<>();
        while (skipOp("|")) {
            pos--; // filter() reads the bar itself
            filters.add(filter(null));
        }
        return filters;
    }

    private Node with(int line) {
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (peek().type() != Type.BLOCK_END) {
            if (!names.isEmpty()) {
                expectOp(",");
            }
            names.add(expectName());
            expectOp("=");
            values.add(expression(true));
        }
        expectBlockEnd();
        List<Node> body = body(Set.of("endwith"));
        endTag();
        expectBlockEnd();
        return new Node.With(names, values, body, line);
    }

    private Node.Target assignTarget(boolean allowNamespace, Set<String> extraEnds) {
        if (allowNamespace && peek().type() == Type.NAME && peek(1).isOp(".")) {
            String ns = next().text();
            next();
            return new Node.Target.NamespaceAttr(ns, expectName());
        }
        List<Node.Target> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOp(",");
            }
            Token t = peek();
            if (t.type() == Type.BLOCK_END || t.isOp("=") || (t.type() == Type.NAME && extraEnds.contains(t.text()))) {
                break;
            }
            items.add(simpleTarget());
            if (peek().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (items.isEmpty()) {
            throw error("expected a variable name to assign to, found " + peek().describe());
        }
        return isTuple ? new Node.Target.Unpack(items) : items.getFirst();
    }

    private Node.Target simpleTarget() {
        if (skipOp("(")) {
            List<Node.Target> items = new ArrayList<>();
            while (!peek().isOp(")")) {
                if (!items.isEmpty()) {
                    expectOp(",");
                    if (peek().isOp(")")) {
                        break;
                    }
                }
                items.add(simpleTarget());
            }
            expectOp(")");
            return new Node.Target.Unpack(items);
        }
        Token t = peek();
        if (t.type() != Type.NAME || Set.of("true", "false", "none", "True", "False", "None").contains(t.text())) {
            throw error("cannot assign to " + t.describe());
        }
        next();
        return new Node.Target.Name(t.text());
    }

    // ---- expressions, lowest precedence first

    /** A comma-separated list makes a tuple; one item without a comma is just that item. */
    private Expr tuple(boolean withConditional, Set<String> extraEnds, boolean explicitParens) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOp(",");
            }
            Token t = peek();
            if (t.type() == Type.VAR_END || t.type() == Type.BLOCK_END || t.isOp(")")
                    || (t.type() == Type.NAME && extraEnds.contains(t.text()))) {
                break;
            }
            items.add(expression(withConditional));
            if (peek().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (items.size() == 1) {
                return items.getFirst();
            }
            if (!explicitParens) {
                throw error("expected an expression, found " + peek().describe());
            }
        }
        return new Expr.TupleLit(items);
    }

    private Expr expression(boolean withConditional) {
        return withConditional ? conditional() : or();
    }

    private Expr conditional() {
        Expr expr = or();
        while (skipName("if")) {
            Expr test = or();
            Expr otherwise = skipName("else") ? conditional() : null;
            expr = new Expr.Conditional(test, expr, otherwise);
        }
        return expr;
    }

    private Expr or() {
        Expr left = and();
        while (skipName("or")) {
            left = new Expr.Binary("or", left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (skipName("and")) {
            left = new Expr.Binary("and", left, not());
        }
        return left;
    }

    private Expr not() {
        if (skipName("not")) {
            return new Expr.Unary("not", not());
        }
        return compare();
    }

    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private Expr compare() {
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.type() == Type.OPERATOR && COMPARE_OPS.contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr math1() {
        Expr left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            String op = next().text();
            left = new Expr.Binary(op, left, concat());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (skipOp("~")) {
            left = new Expr.Binary("~", left, math2());
        }
        return left;
    }

    private Expr math2() {
        Expr left = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            String op = next().text();
            left = new Expr.Binary(op, left, pow());
        }
        return left;
    }

    private Expr pow() {
        Expr left = unary(true);
        while (skipOp("**")) {
            left = new Expr.Binary("**", left, unary(true));
        }
        return left;
    }

    private Expr unary(boolean withFilters) {
        Expr node;
        if (skipOp("-")) {
            node = new Expr.Unary("-", unary(false));
        } else if (skipOp("+")) {
            node = new Expr.Unary("+", unary(false));
        } else {
            node = primary();
        }
        node = postfix(node);
        return withFilters ? filtersAndTests(node) : node;
    }

    private Expr primary() {
        Token t = next();
        return switch (t.type()) {
            case NAME -> switch (t.text()) {
                case "true", "True" -> new Expr.Literal(Boolean.TRUE);
                case "false", "False" -> new Expr.Literal(Boolean.FALSE);
                case "none", "None" -> new Expr.Literal(null);
                default -> new Expr.Name(t.text());
            };
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().type() == Type.STRING) {
                    sb.append(next().text()); // adjacent literals join, as in Python
                }
                yield new Expr.Literal(sb.toString());
            }
            case INTEGER -> {
                try {
                    yield new Expr.Literal(Long.parseLong(t.text()));
                } catch (NumberFormatException e) {
                    throw new TemplateSyntaxError("integer literal too large: " + t.text(), t.line());
                }
            }
            case FLOAT -> new Expr.Literal(Double.parseDouble(t.text()));
            case OPERATOR -> switch (t.text()) {
                case "(" -> {
                    Expr e = tuple(true, Set.of(), true);
                    expectOp(")");
                    yield e;
                }
                case "[" -> {
                    List<Expr> items = new ArrayList<>();
                    while (!peek().isOp("]")) {
                        if (!items.isEmpty()) {
                            expectOp(",");
                            if (peek().isOp("]")) {
                                break;
                            }
                        }
                        items.add(expression(true));
                    }
                    expectOp("]");
                    yield new Expr.ListLit(items);
                }
                case "{" -> {
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!peek().isOp("}")) {
                        if (!keys.isEmpty()) {
                            expectOp(",");
                            if (peek().isOp("}")) {
                                break;
                            }
                        }
                        keys.add(expression(true));
                        expectOp(":");
                        values.add(expression(true));
                    }
                    expectOp("}");
                    yield new Expr.DictLit(keys, values);
                }
                default -> throw new TemplateSyntaxError("unexpected '" + t.text() + "'", t.line());
            };
            default -> throw new TemplateSyntaxError("expected an expression, found " + t.describe(), t.line());
        };
    }

    private Expr postfix(Expr node) {
        while (true) {
            if (skipOp(".")) {
                Token t = next();
                if (t.type() == Type.NAME) {
                    node = new Expr.GetAttr(node, t.text());
                } else if (t.type() == Type.INTEGER) {
                    node = new Expr.GetItem(node, new Expr.Literal(Long.parseLong(t.text())));
                } else {
                    throw new TemplateSyntaxError("expected an attribute name after '.', found " + t.describe(), t.line());
                }
            } else if (skipOp("[")) {
                List<Expr> keys = new ArrayList<>();
                while (!peek().isOp("]")) {
                    if (!keys.isEmpty()) {
                        expectOp(",");
                        if (peek().isOp("]")) {
                            break;
                        }
                    }
                    keys.add(subscript());
                }
                expectOp("]");
                if (keys.isEmpty()) {
                    throw error("expected an index inside '[]'");
                }
                node = new Expr.GetItem(node, keys.size() == 1 ? keys.getFirst() : new Expr.TupleLit(keys));
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr subscript() {
        Expr start = null;
        if (!peek().isOp(":")) {
            start = expression(true);
            if (!peek().isOp(":")) {
                return start;
            }
        }
        next(); // ':'
        Expr stop = null;
        Expr step = null;
        if (!peek().isOp("]") && !peek().isOp(",") && !peek().isOp(":")) {
            stop = expression(true);
        }
        if (skipOp(":") && !peek().isOp("]") && !peek().isOp(",")) {
            step = expression(true);
        }
        return new Expr.Slice(start, stop, step);
    }

    private record Args(List<Expr> args, List<String> kwNames, List<Expr> kwValues) {}

    private Args callArgs() {
        expectOp("(");
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        while (!peek().isOp(")")) {
            if (!args.isEmpty() || !kwNames.isEmpty()) {
                expectOp(",");
                if (peek().isOp(")")) {
                    break;
                }
            }
            if (peek().isOp("*") || peek().isOp("**")) {
                throw error("'*' and '**' arguments are not supported");
            }
            if (peek().type() == Type.NAME && peek(1).isOp("=")) {
                kwNames.add(next().text());
                next();
                kwValues.add(expression(true));
            } else {
                if (!kwNames.isEmpty()) {
                    throw error("positional argument follows keyword argument");
                }
                args.add(expression(true));
            }
        }
        expectOp(")");
        return new Args(args, kwNames, kwValues);
    }

    private Expr call(Expr callee) {
        Args a = callArgs();
        return new Expr.Call(callee, a.args(), a.kwNames(), a.kwValues());
    }

    private Expr filtersAndTests(Expr node) {
        while (true) {
            if (peek().isOp("|")) {
                node = filter(node);
            } else if (peek().isName("is")) {
                node = test(node);
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr.Filter filter(Expr value) {
        if (value != null || peek().isOp("|")) {
            expectOp("|");
        }
        StringBuilder name = new StringBuilder(expectName());
        while (peek().isOp(".") && peek(1).type() == Type.NAME) {
            next();
            name.append('.').append(next().text());
        }
        if (peek().isOp("(")) {
            Args a = callArgs();
            return new Expr.Filter(value, name.toString(), a.args(), a.kwNames(), a.kwValues());
        }
        return new Expr.Filter(value, name.toString(), List.of(), List.of(), List.of());
    }

    private Expr test(Expr value) {
        next(); // 'is'
        boolean negated = skipName("not");
        String name = expectName();
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
            Args a = callArgs();
            if (!a.kwNames().isEmpty()) {
                throw error("keyword arguments to tests are not supported");
            }
            args.addAll(a.args());
        } else if ((t.type() == Type.NAME || t.type() == Type.STRING || t.type() == Type.INTEGER
                || t.type() == Type.FLOAT || t.isOp("[") || t.isOp("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw error("tests cannot be chained with 'is'");
            }
            args.add(postfix(primary()));
        }
        return new Expr.Test(value, name, args, negated);
    }
}
