package dev.vela.chat;

import java.util.List;

/** A Python tuple: a sequence that prints with parentheses and compares only with tuples. */
record Tuple(List<Object> items) {
    Tuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }
}
