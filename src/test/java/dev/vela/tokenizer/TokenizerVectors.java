package dev.vela.tokenizer;

import dev.vela.TestData;
import dev.vela.gguf.GGUFFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The shared tokenizer vectors ({@code testdata/tokenizer/*.tsv}) and the tokenizers of their models. */
final class TokenizerVectors {
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private TokenizerVectors() {}

    /** One line of a vector file: the text and llama.cpp's ids for it, without BOS. */
    record Case(int line, String text, int[] ids) {
        @Override
        public String toString() {
            String shown = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
            return "line " + line + ": " + (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown);
        }
    }

    static List<Case> cases(String tsv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(TestData.file("testdata/tokenizer/" + tsv), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int tab = line.lastIndexOf('\t');
            String idText = line.substring(tab + 1).trim();
            int[] ids = idText.isEmpty() ? new int[0] : Arrays.stream(idText.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i + 1, unescape(line.substring(0, tab)), ids));
        }
        return cases;
    }

    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                out.append(switch (e) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The tokenizer of a shared model, loaded once for all tests. */
    static Tokenizer tokenizer(String model) {
        return TOKENIZERS.computeIfAbsent(model, m -> {
            try (GGUFFile file = GGUFFile.open(TestData.model(m))) {
                return Tokenizer.from(file.metadata());
            }
        });
    }
}
