package dev.vela.chat;

import java.util.List;

/** An expression of a parsed template. */
sealed interface Expr {

    record Literal(Object value) implements Expr {}

    record Name(String name) implements Expr {}

    record ListLit(List<Expr> items) implements Expr {}

    record TupleLit(List<Expr> items) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values) implements Expr {}

    /** {@code obj.name}: an attribute first, then an item. */
    record GetAttr(Expr object, String name) implements Expr {}

    /** {@code obj[key]}: an item first, then an attribute. */
    record GetItem(Expr object, Expr key) implements Expr {}

    /** {@code [start:stop:step]}, any part may be null. */
    record Slice(Expr start, Expr stop, Expr step) implements Expr {}

    record Call(Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr {}

    /** {@code value | name(args)}; {@code value} is null inside a filter block chain. */
    record Filter(Expr value, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues)
            implements Expr {}

    record Test(Expr value, String name, List<Expr> args, boolean negated) implements Expr {}

    record Unary(String op, Expr operand) implements Expr {}

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(String op, Expr left, Expr right) implements Expr {}

    /** {@code a < b < c} style chains: {@code ops.get(i)} compares operand i with operand i+1. */
    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr {}

    /** {@code then if test else otherwise}; a missing else gives an undefined value. */
    record Conditional(Expr test, Expr then, Expr otherwise) implements Expr {}
}
