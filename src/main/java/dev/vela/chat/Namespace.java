package dev.vela.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object {@code namespace(...)} returns: the one mutable value a template may write with
 * {@code set ns.attr = ...}, which is how a value survives the end of a loop iteration.
 */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();

    @Override
    public String toString() {
        return "<Namespace " + PyValues.repr(attrs) + ">";
    }
}
