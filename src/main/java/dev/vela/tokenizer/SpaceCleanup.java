package dev.vela.tokenizer;

/**
 * llama.cpp's {@code clean_spaces} pass over detokenized text (from Hugging Face's
 * {@code clean_up_tokenization_spaces}): removes the space before {@code ? ! . ,}, around a lone
 * apostrophe, and before the contractions 's 'm 're 've.
 */
final class SpaceCleanup {
    private SpaceCleanup() {}

    static String apply(String text) {
        return contractions(loneApostrophes(punctuation(text)));
    }

    private static String punctuation(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (i > 0 && s.charAt(i - 1) == ' ' && (c == '?' || c == '!' || c == '.' || c == ',') && !out.isEmpty()) {
                out.setLength(out.length() - 1);
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String loneApostrophes(String s) {
        char[] t = s.toCharArray(); // llama.cpp blanks the dropped space in place, so the next test sees it blank
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < t.length; i++) {
            char c = t[i];
            if (i > 0 && c == '\'' && i + 1 < t.length && t[i - 1] == ' ' && t[i + 1] == ' ') {
                out.setLength(out.length() - 1);
                t[++i] = 0;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String contractions(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (i > 0 && s.charAt(i - 1) == ' ' && c == '\'' && i + 1 < s.length()) {
                char a = s.charAt(i + 1);
                char b = i + 2 < s.length() ? s.charAt(i + 2) : 0;
                if (a == 's' || a == 'm' || (a == 'r' && b == 'e') || (a == 'v' && b == 'e')) {
                    out.setLength(out.length() - 1);
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
