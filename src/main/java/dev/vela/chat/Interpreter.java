package dev.vela.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a parsed template: executes statements into a StringBuilder and evaluates expressions. */
final class Interpreter {
    // Deep enough for any real template, shallow enough to fail before the Java stack does.
    private static final int MAX_CALL_DEPTH = 100;

    private enum Flow { NORMAL, BREAK, CONTINUE }

    private int line;
    private int callDepth;

    int line() {
        return line;
    }

    String render(List<Node> body, Scope scope) {
        StringBuilder out = new StringBuilder();
        exec(body, scope, out);
        return out.toString();
    }

    private Flow exec(List<Node> body, Scope scope, StringBuilder out) {
        for (Node node : body) {
            Flow flow = exec(node, scope, out);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow exec(Node node, Scope scope, StringBuilder out) {
        line = node.line();
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> out.append(PyValues.str(eval(o.value(), scope)));
            case Node.If i -> {
                for (Node.Branch b : i.branches()) {
                    if (PyValues.truthy(eval(b.test(), scope))) {
                        return exec(b.body(), scope, out);
                    }
                }
                return exec(i.otherwise(), scope, out);
            }
            case Node.For f -> {
                return loop(f, scope, out);
            }
            case Node.Set s -> assign(s.target(), eval(s.value(), scope), scope);
            case Node.SetBlock s -> {
                StringBuilder captured = new StringBuilder();
                exec(s.body(), new Scope(scope), captured);
                assign(s.target(), applyFilters(s.filters(), captured.toString(), scope), scope);
            }
            case Node.Macro m -> scope.set(m.name(), macro(m, scope));
            case Node.FilterBlock f -> {
                StringBuilder captured = new StringBuilder();
                exec(f.body(), new Scope(scope), captured);
                out.append(PyValues.str(applyFilters(f.filters(), captured.toString(), scope)));
            }
            case Node.With w -> {
                Scope inner = new Scope(scope);
                for (int i = 0; i < w.names().size(); i++) {
                    inner.set(w.names().get(i), eval(w.values().get(i), scope));
                }
                return exec(w.body(), inner, out);
            }
            case Node.Group g -> {
                return exec(g.body(), scope, out);
            }
            case Node.Break b -> {
                return Flow.BREAK;
            }
            case Node.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private Flow loop(Node.For f, Scope scope, StringBuilder out) {
        Object iterable = eval(f.iterable(), scope);
        if (iterable == null) {
            throw new TemplateError("'NoneType' object is not iterable");
        }
        List<Object> items = PyValues.iterate(iterable);
        if (f.filter() != null) {
            // the loop filter sees each item but not the loop variable, and loop.length counts what it keeps
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (PyValues.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        for (int i = 0; i < items.size(); i++) {
            Scope s = new Scope(scope);
            assign(f.target(), items.get(i), s);
            s.set("loop", new LoopInfo(items, i));
            if (exec(f.body(), s, out) == Flow.BREAK) {
                break;
            }
        }
        if (items.isEmpty()) {
            return exec(f.otherwise(), new Scope(scope), out);
        }
        return Flow.NORMAL;
    }

    private void assign(Node.Target target, Object value, Scope scope) {
        switch (target) {
            case Node.Target.Name n -> scope.set(n.name(), value);
            case Node.Target.Unpack u -> {
                if (value instanceof Undefined undefined) {
                    throw undefined.error();
                }
                List<Object> items = PyValues.iterate(value);
                if (items.size() != u.items().size()) {
                    throw new TemplateError((items.size() < u.items().size() ? "not enough" : "too many")
                            + " values to unpack (expected " + u.items().size() + ", got " + items.size() + ")");
                }
                for (int i = 0; i < items.size(); i++) {
                    assign(u.items().get(i), items.get(i), scope);
                }
            }
            case Node.Target.NamespaceAttr a -> {
                Object ns = scope.lookup(a.namespace());
                if (!(ns instanceof Namespace namespace)) {
                    throw new TemplateError("cannot assign attribute on non-namespace object '" + a.namespace() + "'");
                }
                namespace.attrs.put(a.attr(), value);
            }
        }
    }

    private JinjaCallable macro(Node.Macro m, Scope definedIn) {
        return (args, kwargs) -> {
            if (args.size() > m.params().size()) {
                throw new TemplateError("macro '" + m.name() + "' takes no more than " + m.params().size()
                        + " argument(s)");
            }
            Scope s = new Scope(definedIn);
            Map<String, Object> rest = new LinkedHashMap<>(kwargs);
            for (int i = 0; i < m.params().size(); i++) {
                Node.Param p = m.params().get(i);
                if (i < args.size()) {
                    if (rest.containsKey(p.name())) {
                        throw new TemplateError("macro '" + m.name() + "' got multiple values for argument '"
                                + p.name() + "'");
                    }
                    s.set(p.name(), args.get(i));
                } else if (rest.containsKey(p.name())) {
                    s.set(p.name(), rest.remove(p.name()));
                } else if (p.defaultValue() != null) {
                    s.set(p.name(), eval(p.defaultValue(), s));
                } else {
                    s.set(p.name(), new Undefined("parameter '" + p.name() + "' was not provided"));
                }
            }
            if (!rest.isEmpty()) {
                throw new TemplateError("macro '" + m.name() + "' takes no keyword argument '"
                        + rest.keySet().iterator().next() + "'");
            }
            if (++callDepth > MAX_CALL_DEPTH) {
                throw new TemplateError("macro calls nested too deeply (recursion?)");
            }
            int savedLine = line;
            try {
                StringBuilder out = new StringBuilder();
                exec(m.body(), s, out);
                return out.toString();
            } finally {
                callDepth--;
                line = savedLine;
            }
        };
    }

    private Object applyFilters(List<Expr.Filter> filters, Object value, Scope scope) {
        Object v = value;
        for (Expr.Filter f : filters) {
            v = filter(f, v, scope);
        }
        return v;
    }

    // ---- expressions

    Object eval(Expr e, Scope scope) {
        return switch (e) {
            case Expr.Literal l -> l.value();
            case Expr.Name n -> scope.lookup(n.name());
            case Expr.ListLit l -> {
                List<Object> items = new ArrayList<>();
                for (Expr item : l.items()) {
                    items.add(eval(item, scope));
                }
                yield items;
            }
            case Expr.TupleLit t -> {
                List<Object> items = new ArrayList<>();
                for (Expr item : t.items()) {
                    items.add(eval(item, scope));
                }
                yield new Tuple(items);
            }
            case Expr.DictLit d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), scope);
                    if (key instanceof List || key instanceof Map || key instanceof Undefined) {
                        throw new TemplateError("unhashable type: '" + PyValues.typeName(key) + "'");
                    }
                    Object existing = PyValues.findKey(map, key);
                    map.put(existing == PyValues.NO_KEY ? key : existing, eval(d.values().get(i), scope));
                }
                yield map;
            }
            case Expr.GetAttr g -> Access.attribute(eval(g.object(), scope), g.name());
            case Expr.GetItem g -> Access.item(eval(g.object(), scope), key(g.key(), scope));
            case Expr.Slice s -> key(s, scope);
            case Expr.Call c -> call(c, scope);
            case Expr.Filter f -> filter(f, eval(f.value(), scope), scope);
            case Expr.Test t -> {
                if (!Tests.exists(t.name())) {
                    throw new TemplateError("no test named '" + t.name() + "'");
                }
                boolean r = Tests.apply(t.name(), eval(t.value(), scope), evalAll(t.args(), scope));
                yield r != t.negated();
            }
            case Expr.Unary u -> switch (u.op()) {
                case "not" -> !PyValues.truthy(eval(u.operand(), scope));
                case "-" -> Arithmetic.negate(eval(u.operand(), scope));
                default -> Arithmetic.plus(eval(u.operand(), scope));
            };
            case Expr.Binary b -> binary(b, scope);
            case Expr.Compare c -> compare(c, scope);
            case Expr.Conditional c -> {
                if (PyValues.truthy(eval(c.test(), scope))) {
                    yield eval(c.then(), scope);
                }
                yield c.otherwise() == null
                        ? new Undefined("the inline if-expression on line " + line + " evaluated to false and no else section was defined.")
                        : eval(c.otherwise(), scope);
            }
        };
    }

    private Object key(Expr key, Scope scope) {
        if (key instanceof Expr.Slice s) {
            return new Access.SliceKey(evalOrNull(s.start(), scope), evalOrNull(s.stop(), scope),
                    evalOrNull(s.step(), scope));
        }
        return eval(key, scope);
    }

    private Object evalOrNull(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> values = new ArrayList<>(exprs.size());
        for (Expr x : exprs) {
            values.add(eval(x, scope));
        }
        return values;
    }

    private Map<String, Object> evalKeywords(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            kwargs.put(names.get(i), eval(values.get(i), scope));
        }
        return kwargs;
    }

    private Object call(Expr.Call c, Scope scope) {
        Object callee = eval(c.callee(), scope);
        List<Object> args = evalAll(c.args(), scope);
        Map<String, Object> kwargs = evalKeywords(c.kwNames(), c.kwValues(), scope);
        return switch (callee) {
            case JinjaCallable f -> f.call(args, kwargs);
            case Undefined u -> throw u.error();
            case null, default -> throw new TemplateError("'" + PyValues.typeName(callee) + "' object is not callable");
        };
    }

    private Object filter(Expr.Filter f, Object value, Scope scope) {
        if (!Filters.exists(f.name())) {
            throw new TemplateError("no filter named '" + f.name() + "'");
        }
        return Filters.apply(f.name(), value, evalAll(f.args(), scope), evalKeywords(f.kwNames(), f.kwValues(), scope));
    }

    private Object binary(Expr.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        return switch (b.op()) {
            case "and" -> PyValues.truthy(left) ? eval(b.right(), scope) : left;
            case "or" -> PyValues.truthy(left) ? left : eval(b.right(), scope);
            case "~" -> PyValues.str(left) + PyValues.str(eval(b.right(), scope));
            default -> Arithmetic.binary(b.op(), left, eval(b.right(), scope));
        };
    }

    private Object compare(Expr.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.rest().get(i), scope);
            String op = c.ops().get(i);
            boolean ok = switch (op) {
                case "==" -> PyValues.equal(left, right);
                case "!=" -> !PyValues.equal(left, right);
                case "<" -> PyValues.compare(left, right, op) < 0;
                case "<=" -> PyValues.compare(left, right, op) <= 0;
                case ">" -> PyValues.compare(left, right, op) > 0;
                case ">=" -> PyValues.compare(left, right, op) >= 0;
                case "in" -> PyValues.contains(right, left);
                default -> !PyValues.contains(right, left); // "not in"
            };
            if (!ok) {
                return false;
            }
            left = right;
        }
        return true;
    }
}
