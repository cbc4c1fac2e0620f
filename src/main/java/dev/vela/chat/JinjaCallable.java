package dev.vela.chat;

import java.util.List;
import java.util.Map;

/** A value that a template can call: a global function, a bound method or a macro. */
@FunctionalInterface
interface JinjaCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
