package dev.vela.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts caller-supplied Java values into the interpreter's representation of Python values. */
final class TemplateValues {
    private TemplateValues() {}

    static Object from(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> (double) f;
            case java.math.BigInteger b -> b.longValueExact();
            case java.math.BigDecimal b -> b.doubleValue();
            case Character c -> c.toString();
            case ChatMessage m -> m.toTemplateValue();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(from(k), from(x)));
                yield out;
            }
            case Iterable<?> it -> {
                List<Object> out = new ArrayList<>();
                it.forEach(x -> out.add(from(x)));
                yield out;
            }
            case Object[] arr -> {
                List<Object> out = new ArrayList<>();
                for (Object x : arr) {
                    out.add(from(x));
                }
                yield out;
            }
            default -> throw new dev.vela.VelaException("chat template variables cannot hold a "
                    + v.getClass().getSimpleName() + "; use String, Number, Boolean, List, Map or null");
        };
    }
}
