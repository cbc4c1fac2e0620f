package dev.vela.gguf;

import dev.vela.VelaException;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * The key-value metadata of a GGUF file, with typed getters whose errors name the file and key.
 * Scalars are held as Java boxed values ({@code Long} for the 64-bit and unsigned 32-bit integer
 * types, {@code Integer} for the smaller ones); arrays of numbers as primitive arrays, arrays of
 * strings as {@code String[]}, nested arrays as {@code Object[]}.
 */
public final class Metadata {
    private final String file;
    private final Map<String, Object> values;
    private final Map<String, ValueType> types;

    Metadata(String file, Map<String, Object> values, Map<String, ValueType> types) {
        this.file = file;
        this.values = Collections.unmodifiableMap(values);
        this.types = Collections.unmodifiableMap(types);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public ValueType type(String key) {
        return types.get(key);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public Optional<Object> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    private Object require(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw new VelaException(file + ": required metadata key '" + key + "' is missing");
        }
        return v;
    }

    private VelaException wrongType(String key, String expected) {
        return new VelaException(file + ": metadata key '" + key + "' has type " + types.get(key) + ", expected " + expected);
    }

    public String getString(String key) {
        Object v = require(key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string");
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public long getLong(String key) {
        Object v = require(key);
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        throw wrongType(key, "an integer");
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new VelaException(file + ": metadata key '" + key + "' = " + v + " is out of range");
        }
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public float getFloat(String key) {
        Object v = require(key);
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw wrongType(key, "a number");
    }

    public float getFloat(String key, float fallback) {
        return has(key) ? getFloat(key) : fallback;
    }

    public boolean getBoolean(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        if (values.get(key) instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "a boolean");
    }

    public String[] getStringArray(String key) {
        if (require(key) instanceof String[] a) {
            return a;
        }
        throw wrongType(key, "an array of strings");
    }

    public float[] getFloatArray(String key) {
        if (require(key) instanceof float[] a) {
            return a;
        }
        throw wrongType(key, "an array of float32");
    }

    /** An array of any integer type, widened to int. */
    public int[] getIntArray(String key) {
        Object v = require(key);
        return switch (v) {
            case int[] a -> a;
            case byte[] a -> {
                int[] r = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    r[i] = a[i];
                }
                yield r;
            }
            case short[] a -> {
                int[] r = new int[a.length];
                for (int i = 0; i < a.length; i++) {
                    r[i] = a[i];
                }
                yield r;
            }
            default -> throw wrongType(key, "an array of integers");
        };
    }
}
