package dev.vela.cli;

import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.Metadata;
import dev.vela.gguf.TensorInfo;
import dev.vela.tensor.GGMLType;

import java.io.PrintStream;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** {@code vela info --model M.gguf}: the metadata and tensor table, like gguf-dump. */
final class InfoCommand implements Command {
    private static final int SHOWN_ELEMENTS = 8;

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "print a GGUF file's metadata, tensor table and weight types";
    }

    @Override
    public String usage() {
        return "java -jar vela.jar info --model M.gguf";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                ModelOptions.SOURCE.get(0), ModelOptions.SOURCE.get(1), ModelOptions.SOURCE.get(2),
                OptionSpec.flag("--verbose", "print stack traces on errors"));
    }

    @Override
    public int run(Options o, PrintStream out, PrintStream err) {
        Path path = o.has("--model") || o.has("--hf") || o.positionals().isEmpty() ? ModelOptions.modelPath(o)
                : Path.of(o.positionals().getFirst());
        try (GGUFFile f = GGUFFile.open(path)) {
            Metadata md = f.metadata();
            out.printf("%s: GGUF v%d, %d metadata keys, %d tensors, data at offset %d, %s%n",
                    path, f.version(), md.asMap().size(), f.tensors().size(), f.dataOffset(), Sizes.bytes(f.fileSize()));
            out.println("metadata:");
            int keyWidth = md.asMap().keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, Object> e : md.asMap().entrySet()) {
                out.printf("  %-" + keyWidth + "s  %-9s = %s%n", e.getKey(), typeName(md, e.getKey(), e.getValue()), show(e.getValue()));
            }
            out.println("tensors:");
            int nameWidth = f.tensors().keySet().stream().mapToInt(String::length).max().orElse(4);
            out.printf("  %5s  %-" + nameWidth + "s  %-8s  %-22s  %12s%n", "#", "name", "type", "shape", "bytes");
            int i = 0;
            Map<GGMLType, long[]> perType = new EnumMap<>(GGMLType.class);
            long params = 0;
            long bytes = 0;
            for (TensorInfo t : f.tensors().values()) {
                out.printf("  %5d  %-" + nameWidth + "s  %-8s  %-22s  %12d%n", i++, t.name(), t.type(), t.shape(), t.byteSize());
                long[] acc = perType.computeIfAbsent(t.type(), k -> new long[3]);
                acc[0]++;
                acc[1] += t.elements();
                acc[2] += t.byteSize();
                params += t.elements();
                bytes += t.byteSize();
            }
            out.println("weight types:");
            for (Map.Entry<GGMLType, long[]> e : perType.entrySet()) {
                long[] a = e.getValue();
                out.printf("  %-8s %5d tensors  %,15d weights  %10s  %5.2f bits/weight%s%n", e.getKey(), a[0], a[1],
                        Sizes.bytes(a[2]), e.getKey().bitsPerWeight(), e.getKey().supported() ? "" : "  (not supported by Vela)");
            }
            out.printf("total: %,d weights in %s, %.2f bits per weight%n", params, Sizes.bytes(bytes), params == 0 ? 0.0 : bytes * 8.0 / params);
        }
        return 0;
    }

    private static String typeName(Metadata md, String key, Object v) {
        String t = md.type(key).name().toLowerCase();
        if (v != null && v.getClass().isArray()) {
            return (v instanceof String[] ? "str" : v instanceof Object[] ? "arr" : v.getClass().getComponentType().getSimpleName())
                    + "[" + Array.getLength(v) + "]";
        }
        return t;
    }

    static String show(Object v) {
        if (v instanceof String s) {
            String q = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
            return q.length() > 120 ? "'" + q.substring(0, 120) + "...' (" + s.length() + " chars)" : "'" + q + "'";
        }
        if (v != null && v.getClass().isArray()) {
            int n = Array.getLength(v);
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < Math.min(n, SHOWN_ELEMENTS); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(show(Array.get(v, i)));
            }
            if (n > SHOWN_ELEMENTS) {
                sb.append(", ... (").append(n - SHOWN_ELEMENTS).append(" more)");
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }
}
