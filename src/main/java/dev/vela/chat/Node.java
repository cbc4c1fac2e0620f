package dev.vela.chat;

import java.util.List;

/** A statement of a parsed template. Every node carries its source line for error messages. */
sealed interface Node {
    int line();

    record Text(String text, int line) implements Node {}

    record Output(Expr value, int line) implements Node {}

    record If(List<Branch> branches, List<Node> otherwise, int line) implements Node {}

    record Branch(Expr test, List<Node> body) {}

    /** {@code for target in iterable [if filter]} ... {@code [else]} ... {@code endfor}. */
    record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise, int line)
            implements Node {}

    record Set(Target target, Expr value, int line) implements Node {}

    /** {@code {% set x %}body{% endset %}}, optionally through filters. */
    record SetBlock(Target target, List<Expr.Filter> filters, List<Node> body, int line) implements Node {}

    record Macro(String name, List<Param> params, List<Node> body, int line) implements Node {}

    record Param(String name, Expr defaultValue) {}

    /** {@code {% filter f %}body{% endfilter %}}: the filters are applied with a placeholder input. */
    record FilterBlock(List<Expr.Filter> filters, List<Node> body, int line) implements Node {}

    record With(List<String> names, List<Expr> values, List<Node> body, int line) implements Node {}

    /** A body that only groups nodes, such as transformers' {@code {% generation %}} block. */
    record Group(List<Node> body, int line) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    /** Where {@code set} and {@code for} put values. */
    sealed interface Target {
        record Name(String name) implements Target {}

        record Unpack(List<Target> items) implements Target {}

        record NamespaceAttr(String namespace, String attr) implements Target {}
    }
}
